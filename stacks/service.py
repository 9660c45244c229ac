"""The service's Python functions: API, webhook, sweeper and thumbnailer, one code asset and one layer."""

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from functions import REPO_ROOT
from stacks.prefixes import (
    INPUT_PROPS_PREFIX,
    PROJECTS_PREFIX,
    QUEUED_REQUESTS_PREFIX,
    RENDER_CANCEL,
    RENDER_PROGRESS,
    RENDERS_PREFIX,
)

RUNTIME = lambda_.Runtime.PYTHON_3_13  # stacks/packaging.py builds the layer for the same Python


class ServiceFunctions(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        layer_dir: Path,
        environment: dict[str, str],
        service_table: dynamodb.ITable,
        idempotency_table: dynamodb.ITable,
        bucket: s3.IBucket,
        render_function: lambda_.IFunction,
        render_function_name: str,
        webhook_secret: secretsmanager.ISecret,
        download_key_secret: secretsmanager.ISecret,
        api_reserved_concurrency: int,
        webhook_reserved_concurrency: int,
        thumbnail_reserved_concurrency: int,
        api_provisioned_concurrency: int,
        sentry_dsn_secret_name: str | None,
        remotion_bucket_prefix: str,
    ):
        super().__init__(scope, id)
        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=lambda_.Code.from_asset(str(layer_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Framecast: Python dependencies (arm64), esbuild, Iconify icon sets",
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Only functions/ goes into the code asset: the handlers, the domain and the data access.
        self.code = lambda_.Code.from_asset(
            str(REPO_ROOT),
            exclude=["*", ".*", "!functions", "!functions/**", "**/__pycache__"],
        )
        self.environment = {
            **environment,
            "ESBUILD_BINARY": "/opt/bin/esbuild",
            "ICONIFY_DATA_DIR": "/opt/iconify",
            "ICONIFY_STORE_DIR": "/opt/iconify-store",
            "ICONIFY_CACHE_DIR": "/tmp/iconify",
            "POWERTOOLS_METRICS_NAMESPACE": "Framecast",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "TABLE_NAME": service_table.table_name,
            "IDEMPOTENCY_TABLE_NAME": idempotency_table.table_name,
            "BUCKET_NAME": bucket.bucket_name,
            "RENDER_MODE": "lambda",
            "REMOTION_FUNCTION_NAME": render_function_name,
        }
        if sentry_dsn_secret_name:
            # functions/error_tracking.py reads the DSN by this name; unset, error tracking is off.
            self.environment["SENTRY_DSN_SECRET_NAME"] = sentry_dsn_secret_name
            self.environment["SENTRY_ENVIRONMENT"] = Stack.of(self).stack_name
        # The API and the webhook keep a reserved share of the account's concurrency, so that a render
        # fanning out over hundreds of render functions never throttles them (and the sweeper, which
        # has none, is the one left to the unreserved pool: it runs every minute and may wait).
        self.api = self._function(
            "Api",
            "functions.handlers.api.lambda_handler",
            "framecast-api",
            timeout=Duration.seconds(29),
            memory=1024,
            reserved=api_reserved_concurrency,
        )
        self.webhook = self._function(
            "Webhook",
            "functions.handlers.webhook.lambda_handler",
            "framecast-webhook",
            reserved=webhook_reserved_concurrency,
        )
        self.sweeper = self._function(
            "Sweeper", "functions.handlers.sweeper.lambda_handler", "framecast-sweeper", timeout=Duration.minutes(2)
        )
        # Invoked asynchronously by whoever ends an export (functions/domain/thumbnails.py). Its
        # reservation bounds the stills holding a render function at once; Lambda keeps the events
        # over it queued and retries them, so a burst of successes waits for its stills, never fails.
        self.thumbnailer = self._function(
            "Thumbnailer",
            "functions.handlers.thumbnailer.lambda_handler",
            "framecast-thumbnailer",
            timeout=Duration.minutes(2),
            reserved=thumbnail_reserved_concurrency,
            # It checks no webhook: without the secret's name it never reads it.
            without=("WEBHOOK_SECRET_NAME", "IDEMPOTENCY_TABLE_NAME"),
        )
        self.thumbnailer.configure_async_invoke(max_event_age=Duration.hours(1), retry_attempts=2)
        # What API Gateway invokes: the function, or its `live` alias kept warm for popular times.
        self.api_target: lambda_.IFunction = self.api
        if api_provisioned_concurrency:
            self.api_target = self.api.add_alias("live", provisioned_concurrent_executions=api_provisioned_concurrency)
        if sentry_dsn_secret_name:
            dsn = secretsmanager.Secret.from_secret_name_v2(self, "SentryDsn", sentry_dsn_secret_name)
            for function in (self.api, self.webhook, self.sweeper, self.thumbnailer):
                dsn.grant_read(function)
        objects = bucket.arn_for_objects
        service_table.grant_read_write_data(self.thumbnailer)
        for function in (self.api, self.webhook, self.sweeper, self.thumbnailer):
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[render_function.function_arn])
            )
        for function in (self.api, self.webhook, self.sweeper):
            # They end exports with a success (the API an identical one, at once), so they ask for
            # thumbnails: the function itself, no version or alias (grant_invoke would add `:*`).
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.thumbnailer.function_arn])
            )
            function.add_environment("THUMBNAILER_FUNCTION_NAME", self.thumbnailer.function_name)
        for function in (self.api, self.webhook, self.sweeper):
            service_table.grant_read_write_data(function)
            webhook_secret.grant_read(function)
            # What the remotion_lambda client does for progress and cancel: invoke the function, read a
            # render's progress.json, write its cancel.json; nothing else under renders/.
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects(RENDER_PROGRESS)])
            )
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects(RENDER_CANCEL)])
            )
            # Listing lets a missing key answer 404 rather than 403.
            function.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]))
            # Admission control (functions/domain/admission.py): whichever function admits a queued
            # export (after a start, an end, or on the schedule) reads what it will render.
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects(f"{QUEUED_REQUESTS_PREFIX}*")])
            )
        # The API alone keeps projects' scenes (projects/) and reads finished renders (renders/); never
        # app/ or sites/, which only the deploy writes.
        self.api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources=[objects(f"{PROJECTS_PREFIX}*")]
            )
        )
        self.api.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects(f"{RENDERS_PREFIX}*")])
        )
        # Only the API accepts exports, so only it keeps what a queued export will render.
        self.api.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects(f"{QUEUED_REQUESTS_PREFIX}*")])
        )
        idempotency_table.grant_read_write_data(self.api)
        download_key_secret.grant_read(self.api)
        # The thumbnailer re-plans the project from its scenes (functions/domain/thumbnails.py), then
        # asks the render function for a still.
        self.thumbnailer.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects(f"{PROJECTS_PREFIX}*")])
        )
        for function in (self.api, self.webhook, self.sweeper, self.thumbnailer):
            # Props over ~194 KB (a render's, a still's) go through input-props/ and the client's bucket
            # discovery (RemotionClient._get_or_create_bucket): ListBuckets (no resource level), then
            # GetBucketLocation on *every* remotionlambda-* bucket of the account, ours or not; a denied
            # one fails the call. Hence one such bucket per region.
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects(f"{INPUT_PROPS_PREFIX}*")])
            )
            function.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListAllMyBuckets"], resources=["*"]))
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["s3:GetBucketLocation"],
                    resources=[f"arn:{Stack.of(self).partition}:s3:::{remotion_bucket_prefix}*"],
                )
            )
        self.schedule = events.Rule(
            self,
            "SweepSchedule",
            # Every minute: it also starts queued exports a throttle sent back to wait out a backoff.
            schedule=events.Schedule.rate(Duration.minutes(1)),
            targets=[targets.LambdaFunction(self.sweeper)],
        )

    def _function(
        self,
        id: str,
        handler: str,
        service: str,
        timeout: Duration | None = None,
        memory: int = 512,
        reserved: int | None = None,
        without: tuple[str, ...] = (),
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self, f"{id}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        return lambda_.Function(
            self,
            id,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=self.code,
            layers=[self.layer],
            timeout=timeout or Duration.seconds(30),
            memory_size=memory,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=reserved,
            environment={
                **{name: value for name, value in self.environment.items() if name not in without},
                "POWERTOOLS_SERVICE_NAME": service,
            },
        )
