"""The bucket (site, renders, projects, large input props) and the DynamoDB tables."""

from aws_cdk import Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from functions.tables import IDEMPOTENCY_TABLE, PROJECTS_PREFIX, RENDERS_PREFIX, SERVICE_TABLE, TableDefinition
from stacks.remotion_facts import RemotionFacts

_KEY_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _table(scope: Construct, definition: TableDefinition) -> dynamodb.Table:
    """A table from the definitions the local stack creates its tables from."""
    table = dynamodb.Table(
        scope, f"{definition.logical_name}Table",
        partition_key=dynamodb.Attribute(name=definition.partition_key, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=definition.sort_key, type=dynamodb.AttributeType.STRING)
        if definition.sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True),
        time_to_live_attribute=definition.ttl_attribute,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        removal_policy=RemovalPolicy.RETAIN,
    )
    for index in definition.indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=dynamodb.Attribute(name=index.partition_key, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=index.sort_key, type=_KEY_TYPES[index.sort_key_type]),
        )
    return table


def deployment_suffix(stack: Stack) -> str:
    """The first group of the stack's id (a UUID): unique per deployment, known only at deploy."""
    return Fn.select(0, Fn.split("-", Fn.select(2, Fn.split("/", stack.stack_id))))


class Storage(Construct):
    def __init__(self, scope: Construct, id: str, *, facts: RemotionFacts, render_retention_days: int):
        super().__init__(scope, id)
        stack = Stack.of(self)
        # CloudFront's standard logs are delivered with ACLs, so this bucket (alone) keeps them.
        self.access_logs = s3.Bucket(
            self, "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True, object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Remotion's convention, remotionlambda-<region without dashes>-<suffix>, so that the
        # remotion_lambda client finds it for large input props.
        self.bucket = s3.Bucket(
            self, "Bucket",
            bucket_name=Fn.join("", [facts.bucket_prefix, stack.region.replace("-", ""), "-",
                                     deployment_suffix(stack)]),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True, object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs, server_access_logs_prefix="remotion-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-renders", prefix=RENDERS_PREFIX,
                                 expiration=Duration.days(render_retention_days)),
                *(s3.LifecycleRule(id=rule["ID"], prefix=rule["Filter"]["Prefix"],
                                   expiration=Duration.days(rule["Expiration"]["Days"]))
                  for rule in facts.lifecycle_rules),
                s3.LifecycleRule(id="abort-incomplete-uploads",
                                 abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.projects_prefix = PROJECTS_PREFIX
        self.service_table = _table(self, SERVICE_TABLE)
        self.idempotency_table = _table(self, IDEMPOTENCY_TABLE)
