"""Helpers for the reliability suite: raw HTTP (for what urllib will not send), a render placed in
flight through the store exactly as the start transaction places it, and the error envelope check."""

import http.client
import json
import socket
import time
from urllib.parse import urlsplit

from functions.domain import clock
from functions.domain.naming import new_render_id
from functions.models.records import RenderRecord, RenderStatus
from functions.render_settings import OutputFormat, Quality


def raw_http(base_url: str, request: bytes, timeout: float = 30, send_after: bytes = b"") -> tuple[int, dict, bytes]:
    """Send bytes as they are, then read one response: (status, lower-cased headers, body)."""
    url = urlsplit(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        sock.sendall(request)
        if send_after:
            sock.sendall(send_after)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def assert_error_envelope(status: int, headers: dict, body: bytes, expected_status: int | None = None) -> dict:
    """A 4xx, as JSON, in the one envelope {error: {code, message, details?}}."""
    assert 400 <= status < 500, (status, body[:300])
    if expected_status is not None:
        assert status == expected_status, (status, body[:300])
    assert headers.get("content-type", "").startswith("application/json"), (headers, body[:300])
    error = json.loads(body)["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error.get("details", []), list)
    return error


def place_in_flight(
    store,
    user_id: str,
    project_id: str = "prj_test",
    status: RenderStatus = RenderStatus.RENDERING,
    output_key: str | None = None,
    daily_limit: int = 10,
    title: str = "In flight",
) -> RenderRecord:
    """A render as `start_render` leaves it: record, daily count and lock taken in one transaction, the
    backend's render id its own (as the local backend's); `{render_id}` in `output_key` is filled in."""
    at = clock.now()
    now = int(at)
    render_id = new_render_id(at)
    output_key = output_key.format(render_id=render_id) if output_key else None
    record = RenderRecord(
        render_id=render_id,
        backend_render_id=render_id,
        user_id=user_id,
        project_id=project_id,
        title=title,
        format=OutputFormat.MP4,
        quality=Quality.LOW,
        width=480,
        height=480,
        video_seconds=1.0,
        estimated_render_seconds=4.0,
        created_at=clock.iso(at),
        last_news_at=now,
        lock_slot=0,
        quota_day=clock.day(at),
        status=status,
        bucket_name=store.bucket_name,
        output_key=output_key,
    )
    store.start_render(record, daily_limit, lock_expires_at=now + 1200, now=now)
    return record


def wait_for(predicate, timeout: float = 30, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("the condition did not hold in time")
