"""The Remotion Lambda render function, as Remotion's own deployFunction() would create it, or an
existing one imported by name (context `renderFunctionImport`, docs/deploy.md)."""

from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Size, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks import function_preload
from stacks.remotion_facts import LAMBDA_UNZIPPED_LIMIT_BYTES, RemotionFacts, unzipped_total_bytes

# Lambda takes at most five layers per function.
LAMBDA_LAYER_LIMIT = 5


class RenderFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        facts: RemotionFacts,
        bucket: s3.IBucket,
        concurrency_cap: int | None,
        imported_name: str | None = None,
    ):
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.function_name = imported_name or facts.function_name
        self.version = facts.version
        if imported_name:
            # Made earlier by `npx remotion lambda functions deploy` (same name as ours would be) or by
            # another stack. Its role, layers and concurrency are its owner's; only the version is checked.
            prefix = f"remotion-render-{facts.version.replace('.', '-')}-"
            if not imported_name.startswith(prefix):
                raise ValueError(
                    f"renderFunctionImport {imported_name!r} is not a Remotion {facts.version} render "
                    f"function (its name must start with {prefix!r}); the client refuses other versions"
                )
            Annotations.of(self).add_warning_v2(
                "framecast:no-net-guard",
                "An imported render function runs without Framecast's preload layer: scene media it "
                "downloads is not checked for non-public addresses and its logs are not bounded (docs/security.md).",
            )
            self.function: lambda_.IFunction = lambda_.Function.from_function_attributes(
                self,
                "Function",
                same_environment=True,
                function_arn=stack.format_arn(
                    service="lambda",
                    resource="function",
                    resource_name=imported_name,
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                ),
            )
            return
        budget = unzipped_total_bytes(facts.zip, facts.layers)
        if budget > LAMBDA_UNZIPPED_LIMIT_BYTES:
            # Remotion's size table is marked outdated by Remotion itself, so this is a warning, not a refusal.
            Annotations.of(self).add_warning_v2(
                "framecast:layer-budget",
                f"By Remotion's documented layer sizes, the render function's code and layers take "
                f"{budget / 2**20:.1f} MiB unzipped, over Lambda's 250 MiB: the deploy may be refused.",
            )
        function_arn = f"arn:{stack.partition}:lambda:{stack.region}:{stack.account}:function:{facts.function_name}"
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{facts.function_name}",
            retention=logs.RetentionDays.TWO_WEEKS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Remotion Lambda render function: the permissions Remotion documents, "
            "scoped to this deployment's bucket, function and logs",
        )
        for permission in facts.role_permissions:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    actions=permission["actions"],
                    resources=self._scoped(permission["resource"], bucket, function_arn, facts.function_name),
                )
            )
        if len(facts.layers) >= LAMBDA_LAYER_LIMIT:
            raise ValueError(f"Remotion's {len(facts.layers)} layers leave no room for Framecast's preload layer")
        # A scene's <Artifact> is uploaded by the function beside the render's output: files of any
        # size and number in our bucket, chosen by scene code. Exports are videos, never artifacts.
        self.role.add_to_policy(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects("renders/*/artifacts/*")],
            )
        )
        size = facts.size
        runtime = lambda_.Runtime(facts.runtime, lambda_.RuntimeFamily.NODEJS)
        # Loaded before Remotion (function_preload.py): Remotion's Node side downloads what a scene
        # names next to the Runtime API and the credentials endpoints, where the network guard refuses
        # non-public addresses; and what it prints is held to a budget (docs/security.md,
        # docs/reliability.md). Lambda's fifth and last layer.
        self.preload = lambda_.LayerVersion(
            self,
            "Preload",
            code=lambda_.Code.from_asset(
                str(function_preload.SOURCE_DIR), exclude=["*", *(f"!{name}" for name in function_preload.FILES)]
            ),
            compatible_runtimes=[runtime],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Framecast: the network guard and log budget of the render function",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=facts.function_name,
            description="Renders a Remotion video.",
            code=lambda_.Code.from_asset(facts.zip),
            handler="index.handler",
            runtime=runtime,
            runtime_management_mode=lambda_.RuntimeManagementMode.manual(facts.runtime_version_arn),
            architecture=lambda_.Architecture.ARM_64,
            memory_size=size.memory_mb,
            ephemeral_storage_size=Size.mebibytes(size.disk_mb),
            timeout=Duration.seconds(size.timeout_seconds),
            layers=[
                *(
                    lambda_.LayerVersion.from_layer_version_arn(self, f"Layer{i}", arn)
                    for i, arn in enumerate(facts.layers)
                ),
                self.preload,
            ],
            environment={"NODE_OPTIONS": function_preload.NODE_OPTIONS},
            retry_attempts=0,  # Remotion retries chunks itself
            # The cap on renders' share of the account's concurrency: one render fans out into many
            # instances of this function; the API and webhook keep their own reserved share.
            reserved_concurrent_executions=concurrency_cap,
            role=self.role,
            log_group=self.log_group,
        )
        # The tags Remotion's createFunction() sets (dist/api/create-function.js).
        for key, value in {
            "remotion-lambda": "true",
            "remotion-version": facts.version,
            "remotion-memory-in-mb": str(size.memory_mb),
            "remotion-timeout-in-seconds": str(size.timeout_seconds),
            "remotion-ephemereal-storage-in-mb": str(size.disk_mb),
        }.items():
            Tags.of(self.function).add(key, value)

    @staticmethod
    def _scoped(resources: list[str], bucket: s3.IBucket, function_arn: str, function_name: str) -> list[str]:
        """Remotion's wildcards (any remotionlambda-* bucket, any remotion-render-* function, their
        logs) narrowed to this deployment's; ListAllMyBuckets has no resource level and stays *."""
        scoped: list[str] = []
        for resource in resources:
            if ":s3:::" in resource:
                scoped += [bucket.bucket_arn, bucket.arn_for_objects("*")]
            elif ":lambda:" in resource:
                scoped.append(function_arn)
            elif ":logs:" in resource:
                stack = Stack.of(bucket)
                here = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:"
                # Remotion's `log-group:/aws/lambda/remotion-render-*` also matches the group's
                # streams (`...:log-stream:<id>`), which PutLogEvents is authorized on; the narrowed
                # ARN needs its own `:*` for that.
                resource = resource.replace("arn:aws:logs:*:*:", here)
                if "remotion-render-*" in resource:
                    resource = resource.replace("remotion-render-*", f"{function_name}:*")
                scoped.append(resource)
            else:
                scoped.append(resource)
        return scoped
