"""The AWS render path on one machine: the service's `remotion_lambda` backend, the official client,
the pinned render function (emulated Lambda, moto S3 behind S3's ACL rule), and its real webhook.

The stack here never asks the backend for progress on GET /renders (PROGRESS_REFRESH_SECONDS is an
hour), so a render that ends has been ended by the function's own signed webhook.
"""

import json
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from remotion_lambda import RenderMediaParams, Webhook

from functions.backends import remotion_failure_is_ours
from functions.webhook_signature import validate
from tests.helpers.logs import function_log_budget_bytes
from tests.helpers.media import ffprobe
from tests.helpers.sandbox import Listener, heard, hostile, reachable

pytestmark = [pytest.mark.render, pytest.mark.remotion_lambda]
SQUARE_SCENE = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default () => <AbsoluteFill style={{backgroundColor: '#123456', color: 'white', fontSize: 100}}>
  {useCurrentFrame()}</AbsoluteFill>;"""


def _scene(id: str = "one", frames: int = 60, tsx: str = SQUARE_SCENE) -> dict:
    return {"id": id, "name": id.title(), "durationInFrames": frames, "tsxCode": tsx}


@pytest.fixture(scope="module")
def finished(lambda_stack, tmp_path_factory):
    """One export, made while a file sits in the host's /tmp (the function empties /tmp on every start)."""
    canary = Path("/tmp") / f"lambda-canary-{uuid.uuid4().hex}"
    canary.write_text("placed before the render")
    try:
        client = lambda_stack.client()
        requests_before = len(lambda_stack.s3_requests())
        began = time.time()
        started = lambda_stack.start_export(client, [_scene(frames=60)])
        render = lambda_stack.wait_for_end(client, started["renderId"])
        out = tmp_path_factory.mktemp("out") / "export.mp4"
        if render["outputUrl"]:
            bucket, key = render["outputUrl"].removeprefix("s3://").split("/", 1)
            lambda_stack.s3.download_file(bucket, key, str(out))
        lambda_stack.ended_invocations("launch", began)
        yield {
            "render": render,
            "began": began,
            "file": out,
            "client": client,
            "canary": canary,
            "canary_text": canary.read_text(),
            "s3_requests": lambda_stack.s3_requests()[requests_before:],
        }
    finally:
        canary.unlink(missing_ok=True)


def test_export_end_to_end(finished, lambda_stack):
    render = finished["render"]
    assert render["status"] == "succeeded", render
    assert render["progress"] == 100 and render["sizeBytes"] == finished["file"].stat().st_size
    assert render["outputUrl"].startswith("s3://remotionlambda-local/renders/")
    video = next(s for s in ffprobe(finished["file"])["streams"] if s["codec_type"] == "video")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 480, 480)
    assert int(video["nb_read_frames"]) == 60
    assert render["costs"]["currency"] == "USD"  # what Remotion's webhook reported
    routines = {
        (i["invocationType"], i["routine"]) for i in lambda_stack.invocations() if i["startedAt"] >= finished["began"]
    }
    # The client's start (RequestResponse), start's launch (Event), launch's chunks (response streams).
    assert {("RequestResponse", "start"), ("Event", "launch"), ("Stream", "renderer")} <= routines


def test_its_thumbnail_is_a_still_from_the_function_itself(finished, lambda_stack, tmp_path):
    """render_still_on_lambda through the official client, on the pinned function: the export's
    composition at its poster frame, 320 px on the long side, signed like a download."""
    client, render_id = finished["client"], finished["render"]["renderId"]
    deadline = time.monotonic() + 120
    while not (render := client.call("GET", f"/renders/{render_id}")[1]).get("thumbnailUrl"):
        assert time.monotonic() < deadline, f"no thumbnail: {render}"
        time.sleep(1)
    assert ("RequestResponse", "still") in {(i["invocationType"], i["routine"]) for i in lambda_stack.invocations()}
    still = tmp_path / "still.jpg"
    with urllib.request.urlopen(render["thumbnailUrl"]) as response:
        still.write_bytes(response.read())
    [image] = ffprobe(still)["streams"]
    assert (image["codec_name"], image["width"], image["height"]) == ("mjpeg", 320, 320)


def test_a_file_in_the_hosts_tmp_survives_a_render(finished):
    assert finished["render"]["status"] == "succeeded"
    assert finished["canary_text"] == "placed before the render"


def test_the_bucket_accepts_every_acl_the_function_sends(finished):
    sent = [r for r in finished["s3_requests"] if r["acl"] and "aws-sdk-js" in r["userAgent"]]
    assert sent, "the function wrote nothing with an ACL: the emulator no longer sees its traffic"
    assert {r["acl"].get("x-amz-acl") for r in sent} == {"private"}  # whatever the render's privacy
    assert any(r["key"].endswith("/progress.json") for r in sent)
    refused = [r for r in finished["s3_requests"] if r["status"] >= 400 and r["method"] in ("PUT", "POST")]
    assert refused == []


def test_a_render_error_arrives_by_the_error_webhook(lambda_stack, monkeypatch):
    client = lambda_stack.client()
    # The scene's error wears our words: AWS's throttling name and text. They decide nothing.
    throws = """import {AbsoluteFill} from 'remotion';
class TooManyRequestsException extends Error { constructor(m) { super(m); this.name = 'TooManyRequestsException'; } }
export default () => { setTimeout(() => {
    throw new TooManyRequestsException('scene failed on purpose: Rate Exceeded. FramecastInfrastructureError');
  }, 0);
  return <AbsoluteFill style={{backgroundColor: 'red'}} />; };"""
    began = time.time()
    started = lambda_stack.start_export(client, [_scene(frames=30, tsx=throws)])
    render = lambda_stack.wait_for_end(client, started["renderId"])
    assert render["status"] == "failed" and "scene failed on purpose" in render["error"]
    # The scene's own failure counts against the quota (the fault rule), and frees the lock.
    _, stats, _ = client.call("GET", "/exports/stats")
    assert stats["usedToday"] == 1
    assert render["quotaCounted"] is True
    # Decided by Remotion's structured progress, as the function itself reports it: the renderer's
    # entry for what it caught while the scene ran (docs/reliability.md, "Who pays").
    remotion = lambda_stack.remotion_client(monkeypatch)
    progress = remotion.get_render_progress(
        render_id=_backend_render_id(lambda_stack, began), bucket_name="remotionlambda-local"
    )
    assert progress is not None and progress.fatalErrorEncountered
    assert any(e.get("type") == "renderer" for e in progress.errors), progress.errors
    assert remotion_failure_is_ours(progress.errors, getattr(progress, "artifacts", None)) is False
    again = lambda_stack.start_export(client, [_scene(frames=30)])
    assert again["status"] in ("queued", "rendering")
    assert lambda_stack.wait_for_end(client, again["renderId"])["status"] == "succeeded"


class _WebhookReceiver(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Receive)
        self.received: list[tuple[dict, bytes]] = []
        self.arrived = threading.Event()


class _Receive(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.arrived.set()


def test_a_missing_composition_arrives_by_the_error_webhook(lambda_stack, monkeypatch):
    """The function's own error path, through the client as the backend calls it, signed as AWS sends it."""
    receiver = _WebhookReceiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        remotion = lambda_stack.remotion_client(monkeypatch)
        remotion.render_media_on_lambda(
            RenderMediaParams(
                composition="NoSuchComposition",
                bucket_name="remotionlambda-local",
                input_props={},
                webhook=Webhook(
                    secret="test-secret",
                    url=f"http://127.0.0.1:{receiver.server_address[1]}/hook",
                    customData={"case": "missing"},
                ),
            )
        )
        assert receiver.arrived.wait(120), "no webhook arrived"
        headers, body = receiver.received[0]
        validate("test-secret", body, headers.get("x-remotion-signature"))
        payload = json.loads(body)
        assert payload["type"] == "error" and payload["customData"] == {"case": "missing"}
        assert any("NoSuchComposition" in e["message"] for e in payload["errors"]), payload["errors"]
    finally:
        receiver.shutdown()
        receiver.server_close()


def _backend_render_id(lambda_stack, since: float) -> str | None:
    for request in lambda_stack.s3_requests():
        key = request["key"] or ""
        if request["at"] >= since and key.startswith("renders/") and key.endswith("/progress.json"):
            return key.split("/")[1]
    return None


def _renderers_polling(lambda_stack, since: float) -> str | None:
    """The render whose renderers are running: each looks for the cancel signal from its start,
    every second, and the launch has written the progress file the cancel reads."""
    requests = [r for r in lambda_stack.s3_requests() if r["at"] >= since]
    polled = {
        r["key"].split("/")[1] for r in requests if r["method"] == "HEAD" and (r["key"] or "").endswith("/cancel.json")
    }
    progressed = {
        r["key"].split("/")[1] for r in requests if r["method"] == "PUT" and (r["key"] or "").endswith("/progress.json")
    }
    return next(iter(polled & progressed), None)


def test_cancel_mid_render(lambda_stack):
    client = lambda_stack.client()
    began = time.time()
    started = lambda_stack.start_export(client, [_scene(frames=900)])
    deadline = time.monotonic() + 120
    # Cancelled while its renderers run (not once one has ended: they end together, and a cancel
    # that comes after the last one has its file stitched, as on AWS).
    while (render_id := _renderers_polling(lambda_stack, began)) is None:
        assert time.monotonic() < deadline, "no renderer started"
        time.sleep(0.2)
    status, cancelled, _ = client.call("POST", f"/renders/{started['renderId']}/cancel")
    assert status == 200 and cancelled["status"] == "cancelled", cancelled
    cancelled_at = time.time()
    # Remotion's cancel (cancel_render_on_lambda) stops the function: its launch ends soon, no file is made.
    launch = lambda_stack.ended_invocations("launch", began, seconds=90)
    assert launch[0]["startedAt"] + launch[0]["seconds"] < cancelled_at + 90
    keys = [
        r["key"]
        for r in lambda_stack.s3_requests()
        if r["method"] == "PUT" and (r["key"] or "").startswith(f"renders/{render_id}/")
    ]
    assert keys and not any(k.endswith("out.mp4") for k in keys), keys
    # A renderer found the signal: stopped by the cancel, not ended on its own.
    assert any(
        r["method"] == "HEAD" and r["key"] == f"renders/{render_id}/cancel.json" and r["status"] == 200
        for r in lambda_stack.s3_requests()
    )
    assert lambda_stack.wait_for_end(client, started["renderId"])["status"] == "cancelled"


def test_large_props_go_through_the_bucket(lambda_stack):
    """Over ~194 KB of props the client uploads them to input-props/ and the function reads them back."""
    filler = "".join(f"{i:05d}" for i in range(12_000))  # 60 KB a scene that minifying cannot shrink
    tsx = f"""import {{AbsoluteFill}} from 'remotion';
const DATA = "{filler}";
export default () => <AbsoluteFill style={{{{backgroundColor: '#204060', color: 'white', fontSize: 60}}}}>
  {{DATA.length}}</AbsoluteFill>;"""
    client = lambda_stack.client()
    began = time.time()
    started = lambda_stack.start_export(client, [_scene(id=f"s{i}", frames=10, tsx=tsx) for i in range(4)])
    render = lambda_stack.wait_for_end(client, started["renderId"])
    assert render["status"] == "succeeded", render
    uploads = [
        r
        for r in lambda_stack.s3_requests()
        if r["at"] >= began and r["method"] == "PUT" and (r["key"] or "").startswith("input-props/")
    ]
    assert len(uploads) == 1 and uploads[0]["status"] == 200 and uploads[0]["bytes"] > 194_000
    by_function = [
        (r["method"], r["status"])
        for r in lambda_stack.s3_requests()
        if r["key"] == uploads[0]["key"] and "aws-sdk-js" in r["userAgent"]
    ]
    assert ("GET", 200) in by_function and ("DELETE", 204) in by_function  # read back, then cleaned up


def test_progress_polling_and_the_timeout_webhook_when_the_function_is_killed(short_timeout_stack, monkeypatch):
    stack = short_timeout_stack
    client = stack.client()
    began = time.time()
    started = stack.start_export(client, [_scene(frames=1800)])
    # Progress as the backend polls it: the official client reading the function's progress.json.
    remotion = stack.remotion_client(monkeypatch)
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, render, _ = client.call("GET", f"/renders/{started['renderId']}")
        if render["status"] not in ("queued", "rendering"):
            break
        if render_id := _backend_render_id(stack, began):
            progress = remotion.get_render_progress(render_id=render_id, bucket_name="remotionlambda-local")
            if progress and not progress.fatalErrorEncountered:
                seen.append(progress.overallProgress)
        time.sleep(1)
    assert render["status"] == "timed_out", render
    assert render["error"] == "the render timed out"  # Remotion's `timeout` webhook, not the sweeper
    assert any(0 < p < 1 for p in seen), seen
    assert seen == sorted(seen)  # progress never goes down
    _, stats, _ = client.call("GET", "/exports/stats")
    assert stats["usedToday"] == 0  # a time-out is ours: refunded
    launch = stack.ended_invocations("launch", began, seconds=30)
    # The launch ends by the function's timeout: killed at it (Sandbox.Timedout), or, on a loaded
    # machine, ended by Remotion's own timeout handling just before the kill.
    assert launch[0]["seconds"] < 30
    if launch[0]["timedOut"]:
        assert launch[0]["error"]["errorType"] == "Sandbox.Timedout" and launch[0]["seconds"] >= 20


def test_the_function_fetches_no_scene_media_from_loopback(lambda_stack):
    """net_guard.cjs, loaded by the function's NODE_OPTIONS as the stack sets it: a scene past the page's
    media guard names loopback audio, and Remotion's downloader in the renderer function refuses it."""
    listeners = [Listener(), Listener(host="::1")]
    try:
        assert all(reachable(listener) for listener in listeners)
        v4, v6 = listeners
        bypass = [f"http://127.0.0.1:{v4.port}/a.mp3", f"http://[::1]:{v6.port}/a.mp3"]
        tsx = hostile("node_fetch.tsx", honest=[], bypass=bypass)
        client = lambda_stack.client()
        started = lambda_stack.start_export(client, [_scene(frames=30, tsx=tsx)])
        render = lambda_stack.wait_for_end(client, started["renderId"])
        assert [heard(listener) for listener in listeners] == [[], []]
        assert render["status"] == "failed" and render["quotaCounted"] is True, render
        assert "127.0.0.1" not in render["error"]  # refused, and said without the internal address
    finally:
        for listener in listeners:
            listener.close()


def test_the_functions_logs_stay_within_their_budget_when_a_scene_floods_them(lambda_stack):
    """log_gate.cjs in the function (function_preload.cjs): refused requests (each a violation quoting
    the whole policy, about 72 KB), distinct console errors and repeats, through the real function."""
    tsx = hostile("flood.tsx", target="http://127.0.0.1:9/secret", requests=200, spam=600, repeats=300)
    client = lambda_stack.client()
    began = time.time()
    started = lambda_stack.start_export(client, [_scene(frames=20, tsx=tsx)])
    lambda_stack.wait_for_end(client, started["renderId"])
    renderers = lambda_stack.ended_invocations("renderer", began)
    logs = [Path(invocation["log"]).read_text(errors="replace") for invocation in renderers]
    text = "\n".join(logs)
    assert "was refused by the page's Content-Security-Policy" in text  # the flood did reach the log
    assert "https://*.com" not in text  # never the policy itself
    # Per invocation: the budget, its drop notices and the emulator's START/END/REPORT lines.
    assert max(len(log.encode()) for log in logs) <= function_log_budget_bytes() + 4096
    assert "dropped" in text or "more lines like it" in text
