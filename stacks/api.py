"""The HTTP API: Cognito JWT authorizer on every route but the webhook and health; access logs,
throttling and CORS for the web page.

Its routes are read from the functions' OpenAPI documents (functions/handlers/openapi.py), so a
route added to a resolver is deployed with it, behind the authorizer when its operation asks for
a bearer token; tests/infra/test_stack.py compares the synthesized routes with the documents."""

from typing import cast

import jsii
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from functions.handlers.openapi import routes as http_routes

# The route the API function's integration is created under (see Api.__init__).
FIRST_ROUTE = "POST /projects"
# (requests per second, burst) for the routes that compile scenes with esbuild or start renders:
# tighter than the stage's 50/100 so that a flood of them cannot take the whole API's share.
COSTLY_ROUTE_LIMITS = {
    "POST /renders": (5, 10),
    "POST /projects": (10, 20),
    "PUT /projects/{project_id}/scenes": (10, 20),
    "GET /projects/{project_id}/preview": (10, 20),
}
# Sign-in requests per IP address in 5 minutes before WAF blocks that address (it lifts the block
# once the rate falls again).
SIGN_IN_RATE_LIMIT = 100


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogs:
    """The stage's access logs, in API Gateway's default (Common Log Format) lines."""

    def __init__(self, destination: apigw.IAccessLogDestination):
        self._destination = destination

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> None:
        return None


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api_function: lambda_.IFunction,
        webhook_function: lambda_.IFunction,
        web_origins: list[str],
        page_url: str,
        domain_prefix: str,
        sign_in_rate_limit: int = SIGN_IN_RATE_LIMIT,
    ):
        super().__init__(scope, id)
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # The export page signs in through Cognito's hosted login: authorization code with PKCE. A copy
        # of the page served from another origin (webOrigins) comes back to that origin's page.
        callback_urls = [page_url, *(f"{origin}{path}" for origin in web_origins for path in ("/", "/index.html"))]
        self.domain = self.user_pool.add_domain(
            "Login", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix)
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            auth_flows=cognito.AuthFlow(user_srp=True),
            generate_secret=False,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
                callback_urls=callback_urls,
                logout_urls=callback_urls,
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
        )
        # `make smoke` signs a throw-away user in with the admin API (operator credentials only; no
        # password flow is open to the public), then calls the API with that user's token.
        self.smoke_client = self.user_pool.add_client(
            "SmokeClient",
            auth_flows=cognito.AuthFlow(admin_user_password=True),
            generate_secret=False,
            disable_o_auth=True,
            access_token_validity=Duration.minutes(15),
            id_token_validity=Duration.minutes(15),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
        )
        self._sign_in_firewall(sign_in_rate_limit)
        self.http_api = apigw.HttpApi(
            self,
            "HttpApi",
            api_name="framecast",
            # The page calls the API through its own CloudFront origin (/api/), so CORS is only for copies
            # of the page served elsewhere (webOrigins); none by default, and never the local stack's.
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=web_origins,
                allow_headers=["authorization", "content-type", "idempotency-key"],
                allow_methods=[apigw.CorsHttpMethod.ANY],
                max_age=Duration.hours(1),
            )
            if web_origins
            else None,
            create_default_stage=False,
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        self.stage = apigw.HttpStage(
            self,
            "Stage",
            http_api=self.http_api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=50, burst_limit=100),
            access_log_settings=_AccessLogs(apigw.LogGroupLogDestination(self.access_logs)),
        )
        authorizer = authorizers.HttpUserPoolAuthorizer(
            "Cognito", self.user_pool, user_pool_clients=[self.client, self.smoke_client]
        )
        functions = {
            "api": integrations.HttpLambdaIntegration("Api", api_function),
            "webhook": integrations.HttpLambdaIntegration("Webhook", webhook_function),
        }
        routes = {}
        # CDK creates a shared integration under the first route bound to it, and its logical id
        # follows that route's path: POST /projects has always come first, so it still does, and a
        # deploy keeps the integration instead of replacing it. The others follow the document.
        for route in sorted(http_routes(), key=lambda route: route.key != FIRST_ROUTE):
            [routes[route.key]] = self.http_api.add_routes(
                path=route.path,
                methods=[apigw.HttpMethod(route.method)],
                integration=functions[route.function],
                authorizer=authorizer if route.authorized else None,
            )
        self._throttle_costly_routes(routes)
        self.url = self.http_api.api_endpoint

    def _throttle_costly_routes(self, routes: dict[str, apigw.HttpRoute]) -> None:
        """Lower limits than the stage's on the routes that compile scenes or start renders."""
        stage = cast(apigw.CfnStage, self.stage.node.default_child)
        stage.add_property_override(
            "RouteSettings",
            {
                key: {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
                for key, (rate, burst) in COSTLY_ROUTE_LIMITS.items()
            },
        )
        for key in COSTLY_ROUTE_LIMITS:
            # API Gateway refuses route settings for a route that does not exist yet.
            stage.node.add_dependency(routes[key])

    def _sign_in_firewall(self, limit: int) -> None:
        """Per-IP rate limit on sign-in: AWS WAF (regional) on the user pool (docs/decisions.md)."""
        rule = wafv2.CfnWebACL.RuleProperty(
            name="sign-in-per-ip",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=limit, evaluation_window_sec=300
                )
            ),
            visibility_config=_visibility("framecast-sign-in-per-ip"),
        )
        self.sign_in_acl = wafv2.CfnWebACL(
            self,
            "SignInFirewall",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[rule],
            visibility_config=_visibility("framecast-sign-in"),
            description="Framecast: per-IP rate limit on Cognito sign-in",
        )
        wafv2.CfnWebACLAssociation(
            self,
            "SignInFirewallAssociation",
            resource_arn=self.user_pool.user_pool_arn,
            web_acl_arn=self.sign_in_acl.attr_arn,
        )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )
