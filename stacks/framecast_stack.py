"""The Framecast stack: storage, renderer, site, CDN, service functions, API and monitoring."""

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Acknowledgment, CfnOutput, Fn, Stack, Validations
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.api import Api
from stacks.cdn import Cdn
from stacks.monitoring import Monitoring
from stacks.remotion_facts import remotion_facts
from stacks.renderer import RenderFunction
from stacks.service import ServiceFunctions
from stacks.site import RenderSite
from stacks.storage import Storage, deployment_suffix
from stacks.web_page import PAGE_PREFIX, WebPage, page_url


@dataclass(frozen=True)
class StackConfig:
    bundle_dir: Path
    layer_dir: Path
    web_dist_dir: Path
    public_key_pem: str
    render_retention_days: int = 30
    daily_export_limit: int = 10
    concurrent_render_limit: int = 1
    max_render_duration_minutes: int = 30
    web_origins: tuple[str, ...] = ("http://127.0.0.1:8000",)


class FramecastStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **kwargs):
        super().__init__(scope, id, **kwargs)
        facts = remotion_facts(self.region)

        storage = Storage(self, "Storage", facts=facts, render_retention_days=config.render_retention_days)
        renderer = RenderFunction(self, "Renderer", facts=facts, bucket=storage.bucket)
        cdn = Cdn(
            self,
            "Cdn",
            bucket=storage.bucket,
            logs_bucket=storage.access_logs,
            public_key_pem=config.public_key_pem,
            sites_prefix=facts.sites_key,
            page_prefix=PAGE_PREFIX,
        )
        domain = cdn.distribution.distribution_domain_name
        site = RenderSite(
            self,
            "Site",
            bucket=storage.bucket,
            bundle_dir=config.bundle_dir,
            sites_prefix=facts.sites_key,
            domain_name=cdn.distribution.distribution_domain_name,
        )
        webhook_secret = secretsmanager.Secret(
            self,
            "WebhookSecret",
            description="Signs Remotion's completion webhooks",
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=48),
        )
        service = ServiceFunctions(
            self,
            "Service",
            layer_dir=config.layer_dir,
            environment={
                "USER_DAILY_EXPORT_LIMIT": str(config.daily_export_limit),
                "USER_CONCURRENT_RENDER_LIMIT": str(config.concurrent_render_limit),
                "MAX_RENDER_DURATION_MINUTES": str(config.max_render_duration_minutes),
                "WEBHOOK_SECRET_NAME": webhook_secret.secret_arn,
                "REMOTION_SERVE_URL": site.serve_url,
                "CLOUDFRONT_DOMAIN": cdn.distribution.distribution_domain_name,
                "CLOUDFRONT_KEY_PAIR_ID": cdn.public_key.public_key_id,
                "CLOUDFRONT_PRIVATE_KEY_SECRET_NAME": cdn.private_key_secret.secret_arn,
            },
            service_table=storage.service_table,
            idempotency_table=storage.idempotency_table,
            bucket=storage.bucket,
            render_function=renderer.function,
            webhook_secret=webhook_secret,
            download_key_secret=cdn.private_key_secret,
        )
        # Unique per deployment, like the bucket's suffix: the hosted login's domain is global.
        api = Api(
            self,
            "Api",
            api_function=service.api,
            webhook_function=service.webhook,
            web_origins=list(config.web_origins),
            page_url=page_url(domain),
            page_origin=f"https://{domain}",
            domain_prefix=Fn.join("", ["framecast-", deployment_suffix(self)]),
        )
        page = WebPage(
            self,
            "Page",
            bucket=storage.bucket,
            dist_dir=config.web_dist_dir,
            domain_name=domain,
            api_url=api.url,
            user_pool_id=api.user_pool.user_pool_id,
            client_id=api.client.user_pool_client_id,
        )
        for function in (service.api, service.webhook, service.sweeper):
            # Remotion Lambda calls this back when a render ends.
            function.add_environment("WEBHOOK_URL", f"{api.url}/webhooks/remotion")
        monitoring = Monitoring(
            self,
            "Monitoring",
            http_api=api.http_api,
            functions={
                "Render": renderer.function,
                "Api": service.api,
                "Webhook": service.webhook,
                "Sweeper": service.sweeper,
            },
        )

        for name, value in {
            "PageUrl": page.url,
            "ApiUrl": api.url,
            "UserPoolId": api.user_pool.user_pool_id,
            "UserPoolClientId": api.client.user_pool_client_id,
            "DistributionDomain": cdn.distribution.distribution_domain_name,
            "BucketName": storage.bucket.bucket_name,
            "RenderFunctionName": renderer.function.function_name,
            "ServeUrl": site.serve_url,
            "AlarmTopicArn": monitoring.topic.topic_arn,
            "DownloadPrivateKeySecretArn": cdn.private_key_secret.secret_arn,
        }.items():
            CfnOutput(self, name, value=value)
        self._suppressions()

    def _suppressions(self) -> None:
        """cdk-nag AwsSolutions findings we accept, each with its reason."""
        Validations.of(self).acknowledge(
            *(
                Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason)
                for rule, reason in acknowledged(self.region).items()
            )
        )


_BASIC_EXECUTION = "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def acknowledged(region: str) -> dict[str, str]:
    """cdk-nag AwsSolutions findings accepted for this stack, each with its reason."""
    return {
        "AwsSolutions-L1": "The render function's runtime is Remotion's own (nodejs24.x, locked to Remotion's runtime "
        "version); CDK's custom-resource functions pick theirs.",
        "AwsSolutions-SMG4": "The webhook secret is handed to Remotion at every render start and the CloudFront key "
        "rotates with its key group (docs/deploy.md); neither fits a Lambda rotation.",
        "AwsSolutions-CFR1": "Exports are for users anywhere; no geo restriction.",
        "AwsSolutions-CFR2": "Downloads need a signed URL and the site is static code; a WAF adds cost without a "
        "threat it stops here.",
        "AwsSolutions-CFR4": "The default CloudFront certificate allows TLSv1 for *.cloudfront.net; TLS 1.2 is "
        "enforced once a custom domain is set.",
        "AwsSolutions-APIG4": "GET /health and the Remotion webhook are open by design; the webhook is authenticated "
        "by its HMAC signature.",
        f"AwsSolutions-IAM4[Policy::{_BASIC_EXECUTION}]": "AWSLambdaBasicExecutionRole (write own logs) on the service functions and CDK's custom-resource "
        "functions; it grants nothing else.",
        "AwsSolutions-IAM5[Resource::<StorageBucket5CB7C8EA.Arn>/*]": "Objects under the one Remotion bucket: scenes, input props, renders and the site all have generated "
        "keys, so grants are per bucket, not per object.",
        "AwsSolutions-IAM5[Resource::*]": "s3:ListAllMyBuckets has no resource level (Remotion's documented role and the remotion_lambda client "
        "both list buckets to find the remotionlambda-* one); X-Ray's PutTraceSegments has none either.",
        "AwsSolutions-IAM5[Resource::<StorageServiceTableFB4034E9.Arn>/index/*]": "The service table's indexes (the sweeper's `active` index) are read with the table.",
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:{region}:<AWS::AccountId>:"
        "log-group:/aws/lambda-insights:*]": "Remotion's documented role writes Lambda Insights streams, whose names are generated.",
        "AwsSolutions-IAM5[Action::s3:GetObject*]": "CDK BucketDeployment reads its asset.",
        "AwsSolutions-IAM5[Action::s3:GetBucket*]": "CDK BucketDeployment reads its asset.",
        "AwsSolutions-IAM5[Action::s3:List*]": "CDK BucketDeployment lists the asset and the target.",
        "AwsSolutions-IAM5[Action::s3:DeleteObject*]": "CDK BucketDeployment prunes old site files.",
        "AwsSolutions-IAM5[Action::s3:Abort*]": "CDK BucketDeployment aborts failed uploads.",
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-{region}/*]": "CDK BucketDeployment reads its asset from the bootstrap bucket.",
        "AwsSolutions-COG2": "MFA is offered (TOTP) but not forced: exporting videos guards no data worth locking users out for.",
    }
