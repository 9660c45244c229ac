"""The Remotion Lambda render function, as Remotion's own deployFunction() would create it."""

from aws_cdk import Duration, RemovalPolicy, Size, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.remotion_facts import DISK_MB, MEMORY_MB, TIMEOUT_SECONDS, RemotionFacts


class RenderFunction(Construct):
    def __init__(self, scope: Construct, id: str, *, facts: RemotionFacts, bucket: s3.IBucket):
        super().__init__(scope, id)
        stack = Stack.of(self)
        function_arn = f"arn:{stack.partition}:lambda:{stack.region}:{stack.account}:function:{facts.function_name}"
        self.log_group = logs.LogGroup(self, "Logs", log_group_name=f"/aws/lambda/{facts.function_name}",
                                       retention=logs.RetentionDays.TWO_WEEKS, removal_policy=RemovalPolicy.DESTROY)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description="Remotion Lambda render function: the permissions Remotion documents, "
                                         "scoped to this deployment's bucket, function and logs")
        for permission in facts.role_permissions:
            self.role.add_to_policy(iam.PolicyStatement(
                actions=permission["actions"],
                resources=self._scoped(permission["resource"], bucket, function_arn, facts.function_name),
            ))
        self.function = lambda_.Function(
            self, "Function",
            function_name=facts.function_name,
            description="Renders a Remotion video.",
            code=lambda_.Code.from_asset(facts.zip),
            handler="index.handler",
            runtime=lambda_.Runtime(facts.runtime, lambda_.RuntimeFamily.NODEJS),
            runtime_management_mode=lambda_.RuntimeManagementMode.manual(facts.runtime_version_arn),
            architecture=lambda_.Architecture.ARM_64,
            memory_size=MEMORY_MB,
            ephemeral_storage_size=Size.mebibytes(DISK_MB),
            timeout=Duration.seconds(TIMEOUT_SECONDS),
            layers=[lambda_.LayerVersion.from_layer_version_arn(self, f"Layer{i}", arn)
                    for i, arn in enumerate(facts.layers)],
            retry_attempts=0,  # Remotion retries chunks itself
            role=self.role,
            log_group=self.log_group,
        )
        for key, value in {"remotion-lambda": "true", "remotion-version": facts.version,
                           "remotion-memory-in-mb": str(MEMORY_MB), "remotion-timeout-in-seconds": str(TIMEOUT_SECONDS),
                           "remotion-ephemereal-storage-in-mb": str(DISK_MB)}.items():
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
                scoped.append(resource.replace("arn:aws:logs:*:*:", here).replace("remotion-render-*", function_name))
            else:
                scoped.append(resource)
        return scoped
