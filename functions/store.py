"""The one data-access module: every DynamoDB and S3 call the service makes goes through here.

Decisions never rely on TTL having run: locks and counters carry their own expiry, compared in
condition expressions.
"""

import base64
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from typing import Any

from functions.errors import InvalidCursor
from functions.models.records import ACTIVE, DownloadEvent, ProjectRecord, QueueEntry, RenderRecord, RenderStatus
from functions.tables import PROJECTS_PREFIX, QUEUE_PREFIX, QUEUED_REQUESTS_PREFIX

QUOTA_TTL_SECONDS = 3 * 86400
DOWNLOAD_EVENT_TTL_SECONDS = 90 * 86400


@dataclass(frozen=True)
class StoredOutput:
    """The file an export made, findable by what decided it (its content key)."""

    render_id: str
    bucket_name: str
    output_key: str
    size_bytes: int | None


class StartRefused(Exception):
    """The start transaction was cancelled: `reason` is daily_limit or render_in_progress."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotAdmitted(Exception):
    """An admission that did not happen: `reason` is `gone` (the entry left the queue: admitted by
    another dispatcher, or cancelled) or `full` (the render budget has no room for it now)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# The queue and the render budget: one partition each, so that every read of them can be consistent.
_QUEUE_PK = {"S": "QUEUE"}
_BUDGET_KEY = {"pk": {"S": "BUDGET"}, "sk": {"S": "RENDERS"}}


def _user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


# boto3 and botocore are imported on first use, not at import: a cold start of the API does not pay
# for them before its first call to DynamoDB (docs/benchmarks.md, cold import).
@cache
def _codec() -> tuple[Any, Any]:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def _client_error() -> type[Exception]:
    """botocore's ClientError, for `except` clauses (evaluated only when something was raised)."""
    from botocore.exceptions import ClientError

    error_type: type[Exception] = ClientError
    return error_type


def _error_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def _to_dynamo(data: dict[str, Any]) -> dict[str, Any]:
    """Floats to Decimal, None dropped: what DynamoDB takes."""
    clean = json.loads(json.dumps({k: v for k, v in data.items() if v is not None}), parse_float=Decimal)
    serializer = _codec()[0]
    return {k: serializer.serialize(v) for k, v in clean.items()}


def _from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    deserializer = _codec()[1]
    plain = {k: deserializer.deserialize(v) for k, v in item.items()}
    data: dict[str, Any] = json.loads(
        json.dumps(plain, default=lambda d: int(d) if d == d.to_integral_value() else float(d))
    )
    return data


def _encode_cursor(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def _decode_cursor(cursor: str | None, user_id: str, prefix: str) -> dict[str, Any] | None:
    """A page cursor back into the key it came from; anything else (forged, another user's, another
    list's) is the caller's mistake, never a DynamoDB error."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeError):
        key = None
    if not (
        isinstance(key, dict)
        and set(key) == {"pk", "sk"}
        and key["pk"] == {"S": _user_pk(user_id)}
        and isinstance(key["sk"], dict)
        and set(key["sk"]) == {"S"}
        and isinstance(key["sk"]["S"], str)
        and key["sk"]["S"].startswith(prefix)
    ):
        raise InvalidCursor("the cursor is not one this list gave out; start again without it")
    return key


def _cancellation_codes(error: Exception) -> list[str]:
    reasons = getattr(error, "response", {}).get("CancellationReasons", [])
    return [reason.get("Code", "None") for reason in reasons]


@dataclass(frozen=True)
class AwsAccess:
    """Where and as whom this process reaches AWS. In Lambda: the defaults (the function's role and
    region). The local stack names its emulator and credentials here, so that two stacks in one
    process never reach each other's data through a shared environment."""

    endpoints: tuple[tuple[str, str], ...] = ()  # (service, URL) pairs; hashable, so clients can be cached by it
    credentials: tuple[str, str] | None = None
    region: str | None = None

    def client(self, service: str) -> Any:
        import boto3

        access_key, secret_key = self.credentials or (None, None)
        return boto3.client(
            service,
            endpoint_url=dict(self.endpoints).get(service),
            region_name=self.region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
        )


@dataclass
class Store:
    table_name: str
    bucket_name: str
    aws: AwsAccess = field(default_factory=AwsAccess)

    @cached_property
    def dynamodb(self) -> Any:
        return self.aws.client("dynamodb")

    @cached_property
    def s3(self) -> Any:
        return self.aws.client("s3")

    # --- projects ------------------------------------------------------------------------------
    # Scenes can reach 100 x 256 KiB, past DynamoDB's 400 KB item: the item holds the metadata and
    # the scenes live in S3 beside the renders.

    def _project_key(self, user_id: str, project_id: str) -> dict[str, Any]:
        return {"pk": {"S": _user_pk(user_id)}, "sk": {"S": f"PROJECT#{project_id}"}}

    def _scenes_key(self, user_id: str, project_id: str) -> str:
        return f"{PROJECTS_PREFIX}{user_id}/{project_id}.json"

    def put_project(self, project: ProjectRecord) -> None:
        body = json.dumps([s.to_json_dict() for s in project.scenes]).encode()
        self.s3.put_object(
            Bucket=self.bucket_name,
            Key=self._scenes_key(project.user_id, project.project_id),
            Body=body,
            ContentType="application/json",
        )
        meta = project.to_json_dict()
        meta.pop("scenes")
        meta["sceneCount"] = len(project.scenes)
        item = _to_dynamo(meta) | self._project_key(project.user_id, project.project_id)
        self.dynamodb.put_item(TableName=self.table_name, Item=item)

    def get_project(self, user_id: str, project_id: str, with_scenes: bool = True) -> ProjectRecord | None:
        item = self.dynamodb.get_item(
            TableName=self.table_name, Key=self._project_key(user_id, project_id), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        data = _from_dynamo(item)
        scenes = []
        if with_scenes:
            body = self.s3.get_object(Bucket=self.bucket_name, Key=self._scenes_key(user_id, project_id))["Body"]
            scenes = json.loads(body.read())
        return ProjectRecord.model_validate({**_strip_keys(data), "scenes": scenes})

    def list_projects(self, user_id: str) -> list[ProjectRecord]:
        """Without their scenes (they stay in S3 until a project is opened)."""
        return [
            ProjectRecord.model_validate(_strip_keys(_from_dynamo(i))) for i in self._query_prefix(user_id, "PROJECT#")
        ]

    def delete_project(self, user_id: str, project_id: str) -> bool:
        try:
            self.dynamodb.delete_item(
                TableName=self.table_name,
                Key=self._project_key(user_id, project_id),
                ConditionExpression="attribute_exists(pk)",
            )
        except _client_error() as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        self.s3.delete_object(Bucket=self.bucket_name, Key=self._scenes_key(user_id, project_id))
        return True

    def _query_all(self, **query: Any) -> list[dict[str, Any]]:
        pages = self.dynamodb.get_paginator("query").paginate(TableName=self.table_name, **query)
        return [item for page in pages for item in page["Items"]]

    def _query_prefix(self, user_id: str, prefix: str, **extra: Any) -> list[dict[str, Any]]:
        return self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": _user_pk(user_id)}, ":prefix": {"S": prefix}},
            **extra,
        )

    # --- renders -------------------------------------------------------------------------------

    def _render_key(self, user_id: str, render_id: str) -> dict[str, Any]:
        return {"pk": {"S": _user_pk(user_id)}, "sk": {"S": f"RENDER#{render_id}"}}

    def _lock_key(self, user_id: str, slot: int) -> dict[str, Any]:
        return {"pk": {"S": _user_pk(user_id)}, "sk": {"S": f"LOCK#{slot}"}}

    def _output_key(self, user_id: str, content_key: str) -> dict[str, Any]:
        return {"pk": {"S": _user_pk(user_id)}, "sk": {"S": f"OUTPUT#{content_key}"}}

    def _quota_key(self, user_id: str, day: str) -> dict[str, Any]:
        return {"pk": {"S": _user_pk(user_id)}, "sk": {"S": f"QUOTA#{day}"}}

    def _render_item(self, record: RenderRecord) -> dict[str, Any]:
        item = _to_dynamo(record.to_json_dict()) | self._render_key(record.user_id, record.render_id)
        if record.status in ACTIVE:
            item["activePk"] = {"S": "ACTIVE"}
        return item

    def free_lock_slot(self, user_id: str, limit: int, now: int) -> int | None:
        """A lock slot that is free or expired, or None when all `limit` are held."""
        held = set()
        for item in self._query_prefix(user_id, "LOCK#", ConsistentRead=True):
            if int(item["lockExpiresAt"]["N"]) > now:
                held.add(int(item["sk"]["S"].split("#")[1]))
        return next((slot for slot in range(limit) if slot not in held), None)

    def start_render(self, record: RenderRecord, daily_limit: int, lock_expires_at: int, now: int) -> int:
        """Export record + daily counter + render lock + its place in the queue, all or nothing.
        Returns the count used today."""
        # Every export the domain starts waits in the queue (record.queue_order); a record made
        # as already rendering (a test's, a migration's) holds no place and no budget.
        enqueue = (
            [{"Put": {"TableName": self.table_name, "Item": self._queue_item(_entry_of(record))}}]
            if record.queue_order
            else []
        )
        try:
            self.dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": self._render_item(record),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": self._quota_key(record.user_id, record.quota_day),
                            "UpdateExpression": "SET used = if_not_exists(used, :zero) + :one, expiresAt = :ttl",
                            "ConditionExpression": "attribute_not_exists(used) OR used < :limit",
                            "ExpressionAttributeValues": {
                                ":zero": {"N": "0"},
                                ":one": {"N": "1"},
                                ":limit": {"N": str(daily_limit)},
                                ":ttl": {"N": str(now + QUOTA_TTL_SECONDS)},
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": self._lock_key(record.user_id, record.lock_slot)
                            | {
                                "renderId": {"S": record.render_id},
                                "lockExpiresAt": {"N": str(lock_expires_at)},
                                "expiresAt": {"N": str(lock_expires_at)},
                            },
                            "ConditionExpression": "attribute_not_exists(pk) OR lockExpiresAt <= :now",
                            "ExpressionAttributeValues": {":now": {"N": str(now)}},
                        }
                    },
                    *enqueue,
                ]
            )
        except _client_error() as error:
            if _error_code(error) != "TransactionCanceledException":
                raise
            codes = _cancellation_codes(error)
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise StartRefused("daily_limit") from None
            raise StartRefused("render_in_progress") from None
        return self.used_today(record.user_id, record.quota_day)

    def used_today(self, user_id: str, day: str) -> int:
        item = self.dynamodb.get_item(
            TableName=self.table_name, Key=self._quota_key(user_id, day), ConsistentRead=True
        ).get("Item")
        return int(item["used"]["N"]) if item else 0

    def get_render(self, user_id: str, render_id: str) -> RenderRecord | None:
        item = self.dynamodb.get_item(
            TableName=self.table_name, Key=self._render_key(user_id, render_id), ConsistentRead=True
        ).get("Item")
        return RenderRecord.model_validate(_strip_keys(_from_dynamo(item))) if item else None

    def list_renders(self, user_id: str, limit: int, cursor: str | None) -> tuple[list[RenderRecord], str | None]:
        """Newest first: render ids sort by creation time."""
        start = _decode_cursor(cursor, user_id, "RENDER#")
        page = self.dynamodb.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": _user_pk(user_id)}, ":prefix": {"S": "RENDER#"}},
            ScanIndexForward=False,
            Limit=limit,
            **({"ExclusiveStartKey": start} if start else {}),
        )
        records = [RenderRecord.model_validate(_strip_keys(_from_dynamo(i))) for i in page["Items"]]
        return records, _encode_cursor(page.get("LastEvaluatedKey"))

    def all_renders(self, user_id: str) -> list[RenderRecord]:
        return [
            RenderRecord.model_validate(_strip_keys(_from_dynamo(i))) for i in self._query_prefix(user_id, "RENDER#")
        ]

    def update_render(self, record: RenderRecord, fields: dict[str, Any], now: int) -> bool:
        """Change a render that has not ended; progress only ever goes up. False when nothing changed."""
        values = _to_dynamo({f":{k}": v for k, v in fields.items()} | {":lastNewsAt": now})
        names = {f"#{k}": k for k in fields} | {"#lastNewsAt": "lastNewsAt", "#status": "status"}
        sets = [f"#{k} = :{k}" for k in fields] + ["#lastNewsAt = :lastNewsAt"]
        condition = "#status IN (:queued, :rendering)"
        values |= {":queued": {"S": RenderStatus.QUEUED}, ":rendering": {"S": RenderStatus.RENDERING}}
        if "progress" in fields:
            names["#progress"] = "progress"
            condition += " AND #progress <= :progress"
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=self._render_key(record.user_id, record.render_id),
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except _client_error() as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def set_thumbnail(self, record: RenderRecord, key: str) -> bool:
        """Name a finished export's still; False when the export is not (or no longer) a success."""
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=self._render_key(record.user_id, record.render_id),
                UpdateExpression="SET thumbnailKey = :key",
                ConditionExpression="#status = :succeeded",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":key": {"S": key}, ":succeeded": {"S": RenderStatus.SUCCEEDED}},
            )
        except _client_error() as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def finish_render(
        self, record: RenderRecord, status: RenderStatus, fields: dict[str, Any], refund: bool, now: int
    ) -> bool:
        """The one terminal transition: end the render, release its lock and what it held of the
        queue or the render budget, refund when the failure is ours.

        Idempotent: only the first caller for a render changes anything; the others get False. The
        record may be older than the render (queued when read, admitted since): the transition is
        conditioned on the state it read, and tried again on the render as it is now.
        """
        for _ in range(3):
            if record.status.terminal:
                return False
            try:
                self.dynamodb.transact_write_items(
                    TransactItems=self._finish_items(record, status, fields, refund, now)
                )
                return True
            except _client_error() as error:
                if _error_code(error) != "TransactionCanceledException":
                    raise
                codes = _cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                current = self.get_render(record.user_id, record.render_id)
                if current is None or current.status.terminal:
                    return False  # already ended: a duplicate webhook, a late poll
                record = current  # admitted (or sent back to the queue) since it was read
                continue
            # The lock has a new owner (it expired) or the counter is gone: end the render all the
            # same, giving back what it held of the queue or the budget.
            items = self._finish_items(record, status, fields, refund=False, now=now)
            self.dynamodb.transact_write_items(TransactItems=[items[0], *items[2:]])
            return True
        return False

    def _finish_items(
        self, record: RenderRecord, status: RenderStatus, fields: dict[str, Any], refund: bool, now: int
    ) -> list[dict[str, Any]]:
        """end, release the lock, then what the render held (its queue entry or its budget share),
        the output index, the refund."""
        values = _to_dynamo({f":{k}": v for k, v in fields.items()}) | {
            ":status": {"S": status},
            ":was": {"S": record.status},
            ":now": {"N": str(now)},
        }
        names = {f"#{k}": k for k in fields} | {"#status": "status", "#lastNewsAt": "lastNewsAt"}
        sets = [f"#{k} = :{k}" for k in fields] + ["#status = :status", "#lastNewsAt = :now"]
        end = {
            "Update": {
                "TableName": self.table_name,
                "Key": self._render_key(record.user_id, record.render_id),
                "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE activePk",
                "ConditionExpression": "#status = :was",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        release = {
            "Delete": {
                "TableName": self.table_name,
                "Key": self._lock_key(record.user_id, record.lock_slot),
                "ConditionExpression": "attribute_not_exists(pk) OR renderId = :rid",
                "ExpressionAttributeValues": {":rid": {"S": record.render_id}},
            }
        }
        items = [end, release]
        if record.status is RenderStatus.QUEUED and record.queue_order:
            items.append({"Delete": {"TableName": self.table_name, "Key": self._queue_key(record.queue_order)}})
        elif record.status is RenderStatus.RENDERING and record.started_at:
            items.append(self._budget_change(-record.budget_share, now))
        if status is RenderStatus.SUCCEEDED and record.content_key and fields.get("outputKey"):
            # What an identical export later reuses (functions/domain/lifecycle.py).
            items.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": _to_dynamo(
                            {
                                "renderId": record.render_id,
                                "bucketName": record.bucket_name or self.bucket_name,
                                "outputKey": fields["outputKey"],
                                "sizeBytes": fields.get("sizeBytes"),
                            },
                        )
                        | self._output_key(record.user_id, record.content_key),
                    }
                }
            )
        if refund:
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": self._quota_key(record.user_id, record.quota_day),
                        "UpdateExpression": "SET used = used - :one",
                        "ConditionExpression": "used > :zero",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}},
                    }
                }
            )
        return items

    # --- the queue and the render budget (functions/domain/admission.py) -------------------------

    def _queue_key(self, order: str) -> dict[str, Any]:
        return {"pk": _QUEUE_PK, "sk": {"S": f"{QUEUE_PREFIX}{order}"}}

    def _queue_item(self, entry: QueueEntry) -> dict[str, Any]:
        return _to_dynamo(entry.to_json_dict()) | self._queue_key(entry.order)

    def _budget_change(self, delta: int, now: int) -> dict[str, Any]:
        """The budget's count of what running renders hold, moved by `delta`; every change bumps its
        version, which the sweeper's reconciliation conditions on."""
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _BUDGET_KEY,
                "UpdateExpression": "SET inUse = if_not_exists(inUse, :zero) + :delta, "
                "version = if_not_exists(version, :zero) + :one, changedAt = :now",
                "ExpressionAttributeValues": {
                    ":zero": {"N": "0"},
                    ":one": {"N": "1"},
                    ":delta": {"N": str(delta)},
                    ":now": {"N": str(now)},
                },
            }
        }

    def queue(self, limit: int, after: str | None = None) -> list[QueueEntry]:
        """The waiting exports, oldest first (a consistent read of the queue's partition)."""
        query: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :queue AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":queue": _QUEUE_PK, ":prefix": {"S": QUEUE_PREFIX}},
            "ConsistentRead": True,
            "Limit": limit,
        }
        if after:
            query["ExclusiveStartKey"] = self._queue_key(after)
        items = self.dynamodb.query(**query).get("Items", [])
        return [QueueEntry.model_validate(_strip_keys(_from_dynamo(item))) for item in items]

    def queued_ahead(self, order: str, limit: int) -> list[QueueEntry]:
        """The entries before `order` (at most `limit`, the oldest ones)."""
        items = self.dynamodb.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :queue AND sk BETWEEN :first AND :before",
            ExpressionAttributeValues={
                ":queue": _QUEUE_PK,
                ":first": {"S": QUEUE_PREFIX},
                ":before": {"S": f"{QUEUE_PREFIX}{order}"},
            },
            ConsistentRead=True,
            Limit=limit + 1,
        ).get("Items", [])
        entries = [QueueEntry.model_validate(_strip_keys(_from_dynamo(item))) for item in items]
        return [entry for entry in entries if entry.order != order][:limit]

    def admit(self, entry: QueueEntry, budget: int, now: int, started_at: str) -> RenderRecord:
        """Take the entry out of the queue, its share of the budget, and mark its render started:
        all or nothing, so that an export is admitted once however many dispatchers run at once."""
        take_share = self._budget_change(entry.share, now)
        take_share["Update"]["ConditionExpression"] = "attribute_not_exists(inUse) OR inUse <= :room"
        take_share["Update"]["ExpressionAttributeValues"][":room"] = {"N": str(budget - entry.share)}
        try:
            self.dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": self._queue_key(entry.order),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    take_share,
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": self._render_key(entry.user_id, entry.render_id),
                            "UpdateExpression": "SET #status = :rendering, startedAt = :at, lastNewsAt = :now",
                            "ConditionExpression": "#status = :queued",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":rendering": {"S": RenderStatus.RENDERING},
                                ":queued": {"S": RenderStatus.QUEUED},
                                ":at": {"S": started_at},
                                ":now": {"N": str(now)},
                            },
                        }
                    },
                ]
            )
        except _client_error() as error:
            if _error_code(error) != "TransactionCanceledException":
                raise
            codes = _cancellation_codes(error)
            raise NotAdmitted("full" if len(codes) > 1 and codes[1] == "ConditionalCheckFailed" else "gone") from None
        record = self.get_render(entry.user_id, entry.render_id)
        assert record is not None  # admitted just now; records are never deleted
        return record

    def requeue(self, record: RenderRecord, not_before: float, now: int) -> bool:
        """A render the backend throttled at its start, back at its old place in the queue, its
        budget share given back; it waits out `not_before` at the head. False when it has moved on
        (cancelled, or it has a backend render after all)."""
        entry = _entry_of(record).model_copy(update={"not_before": not_before})
        try:
            self.dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": self._render_key(record.user_id, record.render_id),
                            "UpdateExpression": "SET #status = :queued, requeues = if_not_exists(requeues, :zero) "
                            "+ :one, lastNewsAt = :now REMOVE startedAt",
                            "ConditionExpression": "#status = :rendering AND attribute_not_exists(backendRenderId)",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":queued": {"S": RenderStatus.QUEUED},
                                ":rendering": {"S": RenderStatus.RENDERING},
                                ":zero": {"N": "0"},
                                ":one": {"N": "1"},
                                ":now": {"N": str(now)},
                            },
                        }
                    },
                    self._budget_change(-record.budget_share, now),
                    {"Put": {"TableName": self.table_name, "Item": self._queue_item(entry)}},
                ]
            )
        except _client_error() as error:
            if _error_code(error) == "TransactionCanceledException":
                return False
            raise
        return True

    def budget_in_use(self) -> tuple[int, int, int]:
        """(held by running renders, version, epoch seconds of the last change) of the render budget."""
        item = self.dynamodb.get_item(TableName=self.table_name, Key=_BUDGET_KEY, ConsistentRead=True).get("Item")
        if not item:
            return 0, 0, 0
        return int(item["inUse"]["N"]), int(item["version"]["N"]), int(item["changedAt"]["N"])

    def reclaim_budget(self, held: int, version: int, now: int) -> bool:
        """Set what the budget counts as held to what running renders really hold, unless it changed
        since it was read at `version` (the sweeper's reconciliation: a slot lost by a crash comes back)."""
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=_BUDGET_KEY,
                UpdateExpression="SET inUse = :held, version = version + :one, changedAt = :now",
                ConditionExpression="version = :version",
                ExpressionAttributeValues={
                    ":held": {"N": str(held)},
                    ":one": {"N": "1"},
                    ":now": {"N": str(now)},
                    ":version": {"N": str(version)},
                },
            )
        except _client_error() as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def active_renders(self) -> list[RenderRecord]:
        """Every export that has not ended (the sparse `active` index)."""
        return self.stale_renders(news_before=2**53)

    def put_render_request(self, render_id: str, request: dict[str, Any]) -> None:
        """What a queued export will render (props, output settings, file name), kept until it starts:
        the project may change meanwhile, and props can be larger than an item."""
        self.s3.put_object(
            Bucket=self.bucket_name, Key=f"{QUEUED_REQUESTS_PREFIX}{render_id}.json", Body=json.dumps(request).encode()
        )

    def get_render_request(self, render_id: str) -> dict[str, Any]:
        body = self.s3.get_object(Bucket=self.bucket_name, Key=f"{QUEUED_REQUESTS_PREFIX}{render_id}.json")["Body"]
        request: dict[str, Any] = json.loads(body.read())
        return request

    def stale_renders(self, news_before: int) -> list[RenderRecord]:
        items = self._query_all(
            IndexName="active",
            KeyConditionExpression="activePk = :active AND lastNewsAt < :before",
            ExpressionAttributeValues={":active": {"S": "ACTIVE"}, ":before": {"N": str(news_before)}},
        )
        return [RenderRecord.model_validate(_strip_keys(_from_dynamo(i))) for i in items]

    def put_ended_render(self, record: RenderRecord) -> None:
        """An export that ended as it was made (a reused file): no lock, no quota."""
        self.dynamodb.put_item(
            TableName=self.table_name, Item=self._render_item(record), ConditionExpression="attribute_not_exists(pk)"
        )

    def find_output(self, user_id: str, content_key: str) -> StoredOutput | None:
        item = self.dynamodb.get_item(
            TableName=self.table_name, Key=self._output_key(user_id, content_key), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        data = _from_dynamo(item)
        return StoredOutput(
            render_id=data["renderId"],
            bucket_name=data["bucketName"],
            output_key=data["outputKey"],
            size_bytes=data.get("sizeBytes"),
        )

    def output_exists(self, bucket: str, key: str) -> bool:
        """Whether a render's file is still there (lifecycle rules delete old renders)."""
        try:
            self.s3.head_object(Bucket=bucket, Key=key)
        except _client_error() as error:
            if _error_code(error) in ("404", "NoSuchKey", "NotFound", "403"):
                return False
            raise
        return True

    # --- downloads -----------------------------------------------------------------------------

    def record_download(self, record: RenderRecord, event: DownloadEvent, event_id: str, now: int) -> None:
        self.dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": _to_dynamo(event.to_json_dict() | {"expiresAt": now + DOWNLOAD_EVENT_TTL_SECONDS})
                        | {"pk": {"S": _user_pk(record.user_id)}, "sk": {"S": f"DOWNLOAD#{event.at}#{event_id}"}},
                    }
                },
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": self._render_key(record.user_id, record.render_id),
                        "UpdateExpression": "SET downloads = if_not_exists(downloads, :zero) + :one",
                        "ExpressionAttributeValues": {":zero": {"N": "0"}, ":one": {"N": "1"}},
                    }
                },
            ]
        )

    # --- objects -------------------------------------------------------------------------------

    def put_output(self, key: str, path: str, content_type: str) -> None:
        self.s3.upload_file(path, self.bucket_name, key, ExtraArgs={"ContentType": content_type})


def _entry_of(record: RenderRecord) -> QueueEntry:
    assert record.queue_order, "an export enters the queue with its place"
    return QueueEntry(
        order=record.queue_order,
        render_id=record.render_id,
        user_id=record.user_id,
        share=record.budget_share,
        estimated_render_seconds=record.estimated_render_seconds,
    )


def _strip_keys(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("pk", "sk", "activePk", "sceneCount", "expiresAt")}
