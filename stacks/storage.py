"""The bucket (site, renders, projects, large input props) and the DynamoDB tables."""

from aws_cdk import Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from functions.tables import (
    BUCKET_OBJECT_OWNERSHIP,
    IDEMPOTENCY_TABLE,
    PROJECTS_PREFIX,
    RENDERS_PREFIX,
    SERVICE_TABLE,
    TableDefinition,
)
from stacks.prefixes import INPUT_PROPS_PREFIX, QUEUED_REQUESTS_PREFIX
from stacks.remotion_facts import RemotionFacts

_KEY_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _table(scope: Construct, definition: TableDefinition) -> dynamodb.Table:
    """A table from the definitions the local stack creates its tables from."""
    table = dynamodb.Table(
        scope,
        f"{definition.logical_name}Table",
        partition_key=dynamodb.Attribute(name=definition.partition_key, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=definition.sort_key, type=dynamodb.AttributeType.STRING)
        if definition.sort_key
        else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=definition.ttl_attribute,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        # Retained on stack deletion and protected from a DeleteTable by hand as well.
        deletion_protection=True,
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


# S3's names for Object Ownership (what the local emulator reads) as the CDK's enum.
_OWNERSHIP = {
    "BucketOwnerPreferred": s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    "BucketOwnerEnforced": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    "ObjectWriter": s3.ObjectOwnership.OBJECT_WRITER,
}


class Storage(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        facts: RemotionFacts,
        render_retention_days: int,
        noncurrent_version_days: int,
        cloudfront_log_bucket: str | None = None,
    ):
        super().__init__(scope, id)
        stack = Stack.of(self)
        # CloudFront's standard logs are delivered with ACLs, so this bucket (alone) keeps them.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CloudFront delivers its standard logs only to buckets in some regions (stacks/config.py);
        # elsewhere the operator names an existing bucket in one that can (cloudfrontLogBucket).
        self.cloudfront_logs: s3.IBucket = self.access_logs
        if cloudfront_log_bucket:
            name, _, region = cloudfront_log_bucket.partition("@")
            self.cloudfront_logs = s3.Bucket.from_bucket_attributes(
                self, "CloudFrontLogs", bucket_name=name, region=region
            )
        # Remotion's convention, remotionlambda-<region without dashes>-<suffix>, so that the
        # remotion_lambda client finds it for large input props.
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=Fn.join(
                "", [facts.bucket_prefix, stack.region.replace("-", ""), "-", deployment_suffix(stack)]
            ),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # The pinned render function writes its files with an ACL (`private`, from the render's
            # `privacy`; see tests/infra/test_bucket_acls.py). With ACLs disabled (BucketOwnerEnforced)
            # S3 refuses any ACL but bucket-owner-full-control (AccessControlListNotSupported), so every
            # render would fail. BucketOwnerPreferred accepts them; the writer is this account, so the
            # bucket owner owns every object, and BLOCK_ALL still refuses public ACLs and policies.
            object_ownership=_OWNERSHIP[BUCKET_OBJECT_OWNERSHIP],
            # S3 versions a whole bucket, not a prefix: this is for projects/ (users' scenes, rewritten
            # by PUT /projects/{id}/scenes and removed by DELETE); older versions of every key are kept
            # noncurrent_version_days, long enough to undo a mistake, short enough to cost little.
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="remotion-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-renders", prefix=RENDERS_PREFIX, expiration=Duration.days(render_retention_days)
                ),
                *(
                    s3.LifecycleRule(
                        id=rule["ID"],
                        prefix=rule["Filter"]["Prefix"],
                        expiration=Duration.days(rule["Expiration"]["Days"]),
                    )
                    for rule in facts.lifecycle_rules
                ),
                # The remotion_lambda client uploads props over ~194 KB (users' compiled scenes) here;
                # the render reads them once at its start.
                s3.LifecycleRule(id="expire-input-props", prefix=INPUT_PROPS_PREFIX, expiration=Duration.days(1)),
                # A queued export's request lives until it starts; one left by a crash goes after a
                # day (the queue never keeps an export longer than its timeout, an hour).
                s3.LifecycleRule(
                    id="expire-queued-requests", prefix=QUEUED_REQUESTS_PREFIX, expiration=Duration.days(1)
                ),
                s3.LifecycleRule(
                    id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(noncurrent_version_days),
                ),
                s3.LifecycleRule(id="remove-expired-delete-markers", expired_object_delete_marker=True),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.projects_prefix = PROJECTS_PREFIX
        self.service_table = _table(self, SERVICE_TABLE)
        self.idempotency_table = _table(self, IDEMPOTENCY_TABLE)
