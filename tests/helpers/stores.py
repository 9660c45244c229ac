"""A store of its own in the local stack's emulator: a fresh service table, so that a test's queue
and render budget are never those of the stack's own renders."""

import uuid

from functions.store import Store
from functions.tables import SERVICE_TABLE, create_table_kwargs
from local.stack import BUCKET_NAME


def fresh_store(stack) -> Store:
    name = f"service-{uuid.uuid4().hex[:10]}"
    stack.aws.client("dynamodb").create_table(**create_table_kwargs(SERVICE_TABLE, name))
    return Store(table_name=name, bucket_name=BUCKET_NAME, aws=stack.aws)
