"""The Framecast stack: storage, renderer, site, CDN, service functions, API and monitoring."""

from typing import Any, cast

from aws_cdk import CfnOutput, CfnResource, Fn, Stack
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks import nag
from stacks.api import Api
from stacks.cdn import Cdn
from stacks.config import StackConfig
from stacks.monitoring import Monitoring
from stacks.prefixes import PAGE_PREFIX
from stacks.remotion_facts import remotion_facts
from stacks.renderer import RenderFunction
from stacks.service import ServiceFunctions
from stacks.site import RenderSite
from stacks.storage import Storage, deployment_suffix
from stacks.web_page import WebPage, page_url


class FramecastStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        facts = remotion_facts(self.region, config.render_size)

        storage = Storage(
            self,
            "Storage",
            facts=facts,
            render_retention_days=config.render_retention_days,
            noncurrent_version_days=config.noncurrent_version_days,
            cloudfront_log_bucket=config.cloudfront_log_bucket,
        )
        renderer = RenderFunction(
            self,
            "Renderer",
            facts=facts,
            bucket=storage.bucket,
            concurrency_cap=config.render_concurrency_cap,
            imported_name=config.render_function_import,
        )
        cdn = Cdn(
            self,
            "Cdn",
            bucket=storage.bucket,
            logs_bucket=storage.cloudfront_logs,
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
            domain_name=domain,
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
                "RENDER_TIMEOUT_SECONDS": str(config.render_size.timeout_seconds),
                # How long renders are kept (the bucket's expire-renders rule); the backend's deleteAfter
                # must not be shorter.
                "RENDER_RETENTION_DAYS": str(config.render_retention_days),
                "RENDER_CONCURRENCY_LIMIT": str(config.render_concurrency_cap),
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
            render_function_name=renderer.function_name,
            webhook_secret=webhook_secret,
            download_key_secret=cdn.private_key_secret,
            api_reserved_concurrency=config.api_reserved_concurrency,
            webhook_reserved_concurrency=config.webhook_reserved_concurrency,
            thumbnail_reserved_concurrency=config.thumbnail_reserved_concurrency,
            api_provisioned_concurrency=config.api_provisioned_concurrency,
            sentry_dsn_secret_name=config.sentry_dsn_secret_name,
            remotion_bucket_prefix=facts.bucket_prefix,
        )
        # Unique per deployment, like the bucket's suffix: the hosted login's domain is global.
        api = Api(
            self,
            "Api",
            api_function=service.api_target,
            webhook_function=service.webhook,
            web_origins=list(config.web_origins),
            page_url=page_url(domain),
            domain_prefix=Fn.join("", ["framecast-", deployment_suffix(self)]),
        )
        page_api_url = cdn.add_api(api.url)
        page = WebPage(
            self,
            "Page",
            bucket=storage.bucket,
            dist_dir=config.web_dist_dir,
            domain_name=domain,
            api_url=page_api_url,
            distribution=cdn.distribution,
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
            queued_functions={"Thumbnailer": service.thumbnailer},
        )

        for name, value in {
            "PageUrl": page.url,
            "ApiUrl": api.url,
            "UserPoolId": api.user_pool.user_pool_id,
            "UserPoolClientId": api.client.user_pool_client_id,
            "DistributionDomain": cdn.distribution.distribution_domain_name,
            "BucketName": storage.bucket.bucket_name,
            "PageApiUrl": page_api_url,
            "SmokeClientId": api.smoke_client.user_pool_client_id,
            "RenderFunctionName": renderer.function_name,
            "RemotionVersion": renderer.version,
            "TableName": storage.service_table.table_name,
            "WebhookSecretArn": webhook_secret.secret_arn,
            "DownloadKeyPairId": cdn.public_key.public_key_id,
            "ServeUrl": site.serve_url,
            "AlarmTopicArn": monitoring.topic.topic_arn,
            "DownloadPrivateKeySecretArn": cdn.private_key_secret.secret_arn,
        }.items():
            CfnOutput(self, name, value=value)
        self.acknowledged = nag.acknowledgments(
            region=self.region,
            bucket_id=self.resolve(cast(CfnResource, storage.bucket.node.default_child).logical_id),
            table_id=self.resolve(cast(CfnResource, storage.service_table.node.default_child).logical_id),
            render_log_group=None if config.render_function_import else renderer.function_name,
        )
        nag.acknowledge(self, self.acknowledged)
