"""The service's Python functions: API, webhook and sweeper, one code asset and one layer."""

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parents[1]
RUNTIME = lambda_.Runtime.PYTHON_3_13  # stacks/packaging.py builds the layer for the same Python


class ServiceFunctions(Construct):
    def __init__(self, scope: Construct, id: str, *, layer_dir: Path, environment: dict[str, str],
                 service_table: dynamodb.ITable, idempotency_table: dynamodb.ITable, bucket: s3.IBucket,
                 render_function: lambda_.IFunction, webhook_secret: secretsmanager.ISecret,
                 download_key_secret: secretsmanager.ISecret):
        super().__init__(scope, id)
        self.layer = lambda_.LayerVersion(
            self, "Dependencies", code=lambda_.Code.from_asset(str(layer_dir)),
            compatible_runtimes=[RUNTIME], compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Framecast: Python dependencies (arm64), esbuild, Iconify icon sets",
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Only functions/ goes into the code asset: the handlers, the domain and the data access.
        self.code = lambda_.Code.from_asset(
            str(REPO_ROOT), exclude=["*", ".*", "!functions", "!functions/**", "**/__pycache__"],
        )
        self.environment = {
            **environment,
            "ESBUILD_BINARY": "/opt/bin/esbuild",
            "ICONIFY_DATA_DIR": "/opt/iconify",
            "ICONIFY_CACHE_DIR": "/tmp/iconify",
            "POWERTOOLS_METRICS_NAMESPACE": "Framecast",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "TABLE_NAME": service_table.table_name,
            "IDEMPOTENCY_TABLE_NAME": idempotency_table.table_name,
            "BUCKET_NAME": bucket.bucket_name,
            "RENDER_MODE": "lambda",
            "REMOTION_FUNCTION_NAME": render_function.function_name,
        }
        self.api = self._function("Api", "functions.handlers.api.lambda_handler", "framecast-api",
                                  timeout=Duration.seconds(29), memory=1024)
        self.webhook = self._function("Webhook", "functions.handlers.webhook.lambda_handler", "framecast-webhook")
        self.sweeper = self._function("Sweeper", "functions.handlers.sweeper.lambda_handler", "framecast-sweeper",
                                      timeout=Duration.minutes(2))
        for function in (self.api, self.webhook, self.sweeper):
            service_table.grant_read_write_data(function)
            webhook_secret.grant_read(function)
            # Exactly what the remotion_lambda client does: invoke the function (render, progress),
            # read and write objects (scenes, input props, progress, cancel markers).
            function.add_to_role_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"],
                                                            resources=[render_function.function_arn]))
            function.add_to_role_policy(iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources=[bucket.arn_for_objects("*")]))
            function.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucket", "s3:GetBucketLocation"],
                                                            resources=[bucket.bucket_arn]))
        idempotency_table.grant_read_write_data(self.api)
        download_key_secret.grant_read(self.api)
        # The remotion_lambda client looks for the remotionlambda-* bucket of the region before it
        # uploads large input props; listing buckets has no resource-level permission.
        self.api.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListAllMyBuckets"], resources=["*"]))
        self.schedule = events.Rule(self, "SweepSchedule", schedule=events.Schedule.rate(Duration.minutes(5)),
                                    targets=[targets.LambdaFunction(self.sweeper)])

    def _function(self, id: str, handler: str, service: str, timeout: Duration | None = None,
                  memory: int = 512) -> lambda_.Function:
        log_group = logs.LogGroup(self, f"{id}Logs", retention=logs.RetentionDays.ONE_MONTH,
                                  removal_policy=RemovalPolicy.DESTROY)
        return lambda_.Function(
            self, id, runtime=RUNTIME, architecture=lambda_.Architecture.ARM_64, handler=handler, code=self.code,
            layers=[self.layer], timeout=timeout or Duration.seconds(30), memory_size=memory, log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={**self.environment, "POWERTOOLS_SERVICE_NAME": service},
        )
