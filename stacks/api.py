"""The HTTP API: Cognito JWT authorizer on every route but the webhook and health; access logs,
throttling and CORS for the web page."""

import jsii
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

# (method, path) of design section 5; the two open ones are listed apart.
AUTHORIZED_ROUTES = [
    ("POST", "/projects"), ("GET", "/projects"), ("GET", "/projects/{project_id}"),
    ("PUT", "/projects/{project_id}/scenes"), ("DELETE", "/projects/{project_id}"),
    ("GET", "/projects/{project_id}/preview"),
    ("POST", "/renders"), ("GET", "/renders"), ("GET", "/renders/{render_id}"),
    ("POST", "/renders/{render_id}/cancel"), ("POST", "/renders/{render_id}/downloads"),
    ("GET", "/exports/stats"),
]
OPEN_ROUTES = [("GET", "/health"), ("POST", "/webhooks/remotion")]


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
    def __init__(self, scope: Construct, id: str, *, api_function: lambda_.IFunction,
                 webhook_function: lambda_.IFunction, web_origins: list[str], page_url: str, page_origin: str,
                 domain_prefix: str):
        super().__init__(scope, id)
        self.user_pool = cognito.UserPool(
            self, "Users", self_sign_up_enabled=False, sign_in_aliases=cognito.SignInAliases(email=True),
            password_policy=cognito.PasswordPolicy(min_length=12, require_digits=True, require_lowercase=True,
                                                   require_uppercase=True, require_symbols=True),
            mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY, removal_policy=RemovalPolicy.RETAIN,
        )
        # The export page signs in through Cognito's hosted login: authorization code with PKCE.
        self.domain = self.user_pool.add_domain("Login", cognito_domain=cognito.CognitoDomainOptions(
            domain_prefix=domain_prefix))
        self.client = self.user_pool.add_client(
            "WebClient", auth_flows=cognito.AuthFlow(user_srp=True), generate_secret=False,
            access_token_validity=Duration.hours(1), id_token_validity=Duration.hours(1),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
                callback_urls=[page_url], logout_urls=[page_url],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
        )
        self.http_api = apigw.HttpApi(
            self, "HttpApi", api_name="framecast",
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=[*web_origins, page_origin], allow_headers=["authorization", "content-type", "idempotency-key"],
                allow_methods=[apigw.CorsHttpMethod.ANY], max_age=Duration.hours(1)),
            create_default_stage=False,
        )
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH,
                                         removal_policy=RemovalPolicy.DESTROY)
        self.stage = apigw.HttpStage(
            self, "Stage", http_api=self.http_api, stage_name="$default", auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=50, burst_limit=100),
            access_log_settings=_AccessLogs(apigw.LogGroupLogDestination(self.access_logs)),
        )
        authorizer = authorizers.HttpUserPoolAuthorizer("Cognito", self.user_pool, user_pool_clients=[self.client])
        api = integrations.HttpLambdaIntegration("Api", api_function)
        for method, path in AUTHORIZED_ROUTES:
            self.http_api.add_routes(path=path, methods=[apigw.HttpMethod(method)], integration=api,
                                     authorizer=authorizer)
        self.http_api.add_routes(path="/health", methods=[apigw.HttpMethod.GET], integration=api)
        self.http_api.add_routes(path="/webhooks/remotion", methods=[apigw.HttpMethod.POST],
                                 integration=integrations.HttpLambdaIntegration("Webhook", webhook_function))
        self.url = self.http_api.api_endpoint
