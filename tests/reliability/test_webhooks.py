"""Forged, malformed and replayed webhooks change nothing; a webhook cannot point a render's output
at another file."""

import json
import urllib.error
import urllib.request
import uuid

import pytest

from functions.webhook_signature import sign
from local import auth
from tests.helpers.api import Client
from tests.helpers.records import place_in_flight


def _post(stack, body: bytes, signature: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Remotion-Signature"] = signature
    request = urllib.request.Request(f"{stack.url}/webhooks/remotion", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _signed(body: bytes) -> str:
    return sign(auth.local_secret("webhook-secret"), body)


@pytest.fixture
def in_flight(stack):
    client = Client(stack.url, f"hook-{uuid.uuid4().hex[:6]}")
    store = stack.services.store
    record = place_in_flight(store, client.user, output_key="renders/{render_id}/out.mp4")
    return client, store, record


def _state(client: Client, store, record) -> tuple:
    render = client.call("GET", f"/renders/{record.render_id}")[1]
    stats = client.call("GET", "/exports/stats")[1]
    lock = store.free_lock_slot(client.user, 1, 0)  # None while the render holds its lock
    return render["status"], render.get("outputUrl"), render.get("error"), stats["usedToday"], lock


def _success(record, output_file: str | None = None) -> bytes:
    key = output_file or f"s3://remotionlambda-local/{record.output_key}"
    return json.dumps(
        {
            "type": "success",
            "renderId": record.render_id,
            "expectedBucketOwner": "local",
            "bucketName": "remotionlambda-local",
            "outputUrl": key,
            "outputFile": key,
            "timeToFinish": 1000,
            "lambdaErrors": [],
            "customData": {"renderId": record.render_id, "userId": record.user_id},
        }
    ).encode()


@pytest.mark.parametrize(
    "signature", [None, "", "sha512=", "NO_SECRET_PROVIDED", "sha512=" + "0" * 128, "sha256=abc", "other-secret"]
)
def test_a_forged_webhook_is_401_and_changes_nothing(stack, in_flight, signature):
    client, store, record = in_flight
    before = _state(client, store, record)
    body = _success(record)
    if signature == "other-secret":
        signature = sign("not-the-secret", body)
    status, answer = _post(stack, body, signature)
    assert status == 401 and answer["error"]["code"] == "bad_signature"
    assert _state(client, store, record) == before
    assert (before[0], before[3], before[4]) == ("rendering", 1, None)  # in flight, counted, holding its lock


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b"null",
        b'"x"',
        b"5",
        b"{}",
        b'{"type": "success", "customData": "x"}',
        b'{"type": "success", "customData": {"renderId": 5, "userId": []}}',
    ],
)
def test_a_malformed_webhook_is_refused_and_changes_nothing(stack, in_flight, body):
    client, store, record = in_flight
    before = _state(client, store, record)
    status, _ = _post(stack, body, _signed(body))
    assert status >= 400
    assert _state(client, store, record) == before


def test_a_replayed_webhook_is_answered_as_a_duplicate_and_changes_nothing(stack, in_flight):
    client, store, record = in_flight
    body = _success(record)
    status, answer = _post(stack, body, _signed(body))
    assert (status, answer) == (200, {"received": True, "duplicate": False})
    after = _state(client, store, record)
    assert after[0] == "succeeded" and after[3] == 1 and after[4] == 0  # counted once, lock released
    for replay in (
        body,
        json.dumps(
            {
                "type": "error",
                "renderId": record.render_id,
                "bucketName": "remotionlambda-local",
                "expectedBucketOwner": "local",
                "errors": [{"message": "late", "name": "Error", "stack": ""}],
                "customData": {"renderId": record.render_id, "userId": record.user_id},
            }
        ).encode(),
    ):
        status, answer = _post(stack, replay, _signed(replay))
        assert (status, answer) == (200, {"received": True, "duplicate": True})
        assert _state(client, store, record) == after


def test_a_webhook_cannot_point_a_render_at_another_file(stack, in_flight):
    client, store, record = in_flight
    elsewhere = "s3://remotionlambda-local/projects/another-user/prj_1.json"
    body = _success(record, output_file=elsewhere)
    _post(stack, body, _signed(body))
    render = client.call("GET", f"/renders/{record.render_id}")[1]
    assert "projects/" not in (render.get("outputUrl") or "")
