"""Lambda's Invoke API on loopback for one function: Invoke (RequestResponse, Event, DryRun) and
InvokeWithResponseStream, the three forms Remotion's client and function use.

- The Python client's `render_media_on_lambda` / `get_render_progress` / `cancel_render_on_lambda`
  call Invoke, RequestResponse; the function answers through its response stream, which Lambda
  buffers into the payload.
- `start` invokes `launch` with InvocationType Event: 202 at once, the invocation runs on.
- `launch` calls InvokeWithResponseStream once per chunk and reads the chunk's result from the
  stream: PayloadChunk events, then InvokeComplete (see eventstream.py).

Not emulated: Lambda's scaling. Renderer invocations beyond `renderer_slots` wait for a slot
instead of running at once (two cores cannot render dozens of chunks at a time); their stream's
head is sent at once all the same, as Lambda's would be. Every other invocation runs immediately,
since `launch` holds its own invocation open while it waits for the chunks. Payload limits are Lambda's: 6 MB for synchronous and streaming invocations, 1 MB for
Event (the asynchronous limit since 2025).
"""

import json
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from local.lambda_emulator import eventstream
from local.lambda_emulator.invoker import ACCOUNT_ID, FunctionConfig, Invocation, Outcome
from local.lambda_emulator.loopback_server import LoopbackServer

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
EVENT_PAYLOAD_LIMIT = 1024 * 1024
INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
STREAM = re.compile(r"^/2021-11-15/functions/(?P<name>[^/]+)/response-streaming-invocations$")
logger = logging.getLogger(__name__)


@dataclass
class InvocationRecord:
    request_id: str
    invocation_type: str  # RequestResponse | Event | Stream
    routine: str | None  # Remotion's payload type: start, launch, renderer, status, ...
    started_at: float
    outcome: Outcome | None = None


class LambdaApi(LoopbackServer):
    def __init__(
        self,
        config: FunctionConfig,
        renderer_slots: int | None = None,
        host: str = "127.0.0.1",
        record_path: Path | None = None,
    ):
        super().__init__(_Handler, host)
        self.config = config
        self.record_path = record_path  # one JSON line per ended invocation, for tests and for people
        self.renderer_slots = threading.BoundedSemaphore(renderer_slots or len(os.sched_getaffinity(0)))
        self.records: list[InvocationRecord] = []
        self.running: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self._event_threads: list[threading.Thread] = []

    def knows(self, name: str) -> bool:
        """A function name, partial ARN or ARN (an optional :qualifier of $LATEST) naming our function."""
        name = unquote(name)
        for candidate in (name, name.rsplit(":", 1)[0]):
            if candidate in (
                self.config.function_name,
                self.config.arn,
                f"{ACCOUNT_ID}:function:{self.config.function_name}",
            ):
                return True
        return False

    def invoke(
        self, payload: bytes, invocation_type: str, request_id: str | None = None
    ) -> tuple[Invocation, InvocationRecord]:
        try:
            routine = json.loads(payload or b"null").get("type")
        except (ValueError, AttributeError):
            routine = None
        record = InvocationRecord(
            request_id="", invocation_type=invocation_type, routine=routine, started_at=time.time()
        )
        if routine == "renderer":
            self.renderer_slots.acquire()
        try:
            invocation = Invocation(self.config, payload, request_id=request_id)
        except BaseException:
            if routine == "renderer":
                self.renderer_slots.release()
            raise
        record.request_id = invocation.request_id
        with self._lock:
            self.records.append(record)
            self.running[invocation.request_id] = invocation
        return invocation, record

    def finish(self, invocation: Invocation, record: InvocationRecord) -> Outcome:
        try:
            record.outcome = invocation.wait()
        finally:
            with self._lock:
                self.running.pop(invocation.request_id, None)
            if record.routine == "renderer":
                self.renderer_slots.release()
        if self.record_path:
            self._write_record(record)
        logger.info(
            "invocation %s (%s, %s) ended in %.1f s%s",
            record.request_id,
            record.invocation_type,
            record.routine,
            record.outcome.seconds,
            f": {record.outcome.error}" if record.outcome.error else "",
        )
        return record.outcome

    def _write_record(self, record: InvocationRecord) -> None:
        outcome = record.outcome
        assert outcome is not None and self.record_path is not None  # finish() set the one and checked the other
        line = json.dumps(
            {
                "requestId": record.request_id,
                "invocationType": record.invocation_type,
                "routine": record.routine,
                "startedAt": record.started_at,
                "seconds": round(outcome.seconds, 3),
                "timedOut": outcome.timed_out,
                "error": outcome.error,
                "log": str(outcome.log_path),
            }
        )
        with self._lock, open(self.record_path, "a") as out:
            out.write(line + "\n")

    def run_in_background(self, payload: bytes) -> str:
        invocation, record = self.invoke(payload, "Event")
        thread = threading.Thread(
            target=self.finish, args=(invocation, record), daemon=True, name=f"event-{invocation.request_id}"
        )
        thread.start()
        self._event_threads.append(thread)
        return invocation.request_id

    def kill_all(self) -> None:
        with self._lock:
            running = list(self.running.values())
        for invocation in running:
            invocation.kill()

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self.kill_all()
        for thread in self._event_threads:
            thread.join(timeout=30)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LambdaApi

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("lambda api: " + format, *args)

    def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {
            "Content-Type": "application/json",
            "Content-Length": str(len(data)),
            **(headers or {}),
        }.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, error_type: str, message: str) -> None:
        self._json(status, {"Type": "User", "message": message}, {"x-amzn-ErrorType": error_type})

    def _read_body(self, limit: int) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            self.rfile.read(length)
            self._error(
                413,
                "RequestTooLargeException",
                f"Request must be smaller than {limit} bytes for the {self.command} operation",
            )
            return None
        return self.rfile.read(length)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if match := INVOKE.match(path):
            self._invoke(match["name"])
        elif match := STREAM.match(path):
            self._invoke_stream(match["name"])
        else:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._error(404, "UnknownOperationException", f"the emulated Lambda does not answer POST {path}")

    def do_GET(self) -> None:
        self._error(
            404, "UnknownOperationException", f"the emulated Lambda does not answer GET {urlsplit(self.path).path}"
        )

    def _invoke(self, name: str) -> None:
        invocation_type = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        # The body is read before any answer, so the connection stays usable for the next request.
        payload = self._read_body(EVENT_PAYLOAD_LIMIT if invocation_type == "Event" else SYNC_PAYLOAD_LIMIT)
        if payload is None:
            return
        if not self.server.knows(name):
            self._error(404, "ResourceNotFoundException", f"Function not found: {unquote(name)}")
            return
        if invocation_type not in ("RequestResponse", "Event", "DryRun"):
            self._error(400, "InvalidParameterValueException", f"unknown InvocationType {invocation_type}")
            return
        if invocation_type == "DryRun":
            self._json(204, {})
            return
        if invocation_type == "Event":
            request_id = self.server.run_in_background(payload)
            self.send_response(202)
            self.send_header("x-amzn-RequestId", request_id)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        invocation, record = self.server.invoke(payload, "RequestResponse")
        body = b"".join(invocation.response_chunks())
        outcome = self.server.finish(invocation, record)
        headers = {"x-amzn-RequestId": outcome.request_id, "X-Amz-Executed-Version": "$LATEST"}
        if outcome.error:
            body = json.dumps(outcome.error).encode()
            headers["X-Amz-Function-Error"] = "Unhandled"
        self.send_response(200)
        for key, value in {"Content-Type": "application/json", "Content-Length": str(len(body)), **headers}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _invoke_stream(self, name: str) -> None:
        payload = self._read_body(SYNC_PAYLOAD_LIMIT)
        if payload is None:
            return
        if not self.server.knows(name):
            self._error(404, "ResourceNotFoundException", f"Function not found: {unquote(name)}")
            return
        # The answer's head goes out before the invocation waits for a renderer slot: `launch` gives
        # each chunk's InvokeWithResponseStream 30 s to answer ("AWS did not invoke Lambda in 30000ms").
        request_id = str(uuid.uuid4())
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amzn-RequestId", request_id)
        self.send_header("X-Amz-Executed-Version", "$LATEST")
        self.end_headers()
        self.wfile.flush()
        invocation, record = self.server.invoke(payload, "Stream", request_id=request_id)
        client_gone = False
        for chunk in invocation.response_chunks():
            if client_gone:
                continue
            try:
                self._write_chunk(eventstream.payload_chunk(chunk))
            except OSError:  # the caller hung up; the invocation runs on, as on Lambda
                client_gone = True
        outcome = self.server.finish(invocation, record)
        if client_gone:
            self.close_connection = True
            return
        error = outcome.error
        try:
            self._write_chunk(
                eventstream.invoke_complete(
                    error.get("errorType") if error else None, json.dumps(error) if error else None
                )
            )
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True
