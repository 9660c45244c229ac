"""Table and bucket definitions: the CDK stacks and the local stack both create them from here."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str
    sort_key_type: str = "S"  # "S" or "N"


@dataclass(frozen=True)
class TableDefinition:
    logical_name: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[Index, ...] = field(default_factory=tuple)
    ttl_attribute: str | None = None


# One table for the service: projects, export records, quota counters, render locks, downloads.
#   pk USER#<sub>  sk PROJECT#<id> | RENDER#<id> | QUOTA#<yyyy-mm-dd> | LOCK#<slot> | DOWNLOAD#<ts>#<id>
#   pk QUEUE       sk ENTRY#<order>     (exports waiting for the render budget, oldest first)
#   pk BUDGET      sk RENDERS           (what running renders hold of the render budget)
# The sparse `active` index holds only renders that have not ended, by their last news: the sweeper's.
SERVICE_TABLE = TableDefinition(
    logical_name="Service",
    partition_key="pk",
    sort_key="sk",
    indexes=(Index("active", partition_key="activePk", sort_key="lastNewsAt", sort_key_type="N"),),
    ttl_attribute="expiresAt",
)

# Powertools idempotency persistence (its default attribute names).
IDEMPOTENCY_TABLE = TableDefinition(logical_name="Idempotency", partition_key="id", ttl_attribute="expiration")

# S3 Object Ownership of the bucket: BucketOwnerPreferred accepts the canned ACL (`private`) that
# Remotion's render function sends on every write (docs/decisions.md); public access stays blocked.
# The stack and the local emulator both create the bucket with it.
BUCKET_OBJECT_OWNERSHIP = "BucketOwnerPreferred"

RENDERS_PREFIX = "renders/"
PROJECTS_PREFIX = "projects/"
# What a queued export will render, kept in the bucket until it starts (functions/domain/admission.py).
QUEUED_REQUESTS_PREFIX = "queued/"
# The queue's items in the table: pk QUEUE, sk ENTRY#<order>; the render budget: pk BUDGET, sk RENDERS.
QUEUE_PREFIX = "ENTRY#"


def create_table_kwargs(definition: TableDefinition, table_name: str) -> dict[str, Any]:
    """boto3 create_table arguments for the local stack (on-demand, like the CDK tables)."""
    keys = [{"AttributeName": definition.partition_key, "KeyType": "HASH"}]
    attributes = {definition.partition_key: "S"}
    if definition.sort_key:
        keys.append({"AttributeName": definition.sort_key, "KeyType": "RANGE"})
        attributes[definition.sort_key] = "S"
    indexes = []
    for index in definition.indexes:
        attributes[index.partition_key] = "S"
        attributes[index.sort_key] = index.sort_key_type
        indexes.append(
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    kwargs = {
        "TableName": table_name,
        "KeySchema": keys,
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": t} for k, t in attributes.items()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    return kwargs
