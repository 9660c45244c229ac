"""Lambda's Invoke API on loopback for one function: Invoke (RequestResponse, Event, DryRun) and
InvokeWithResponseStream, the three forms Remotion's client and function use.

- The Python client's `render_media_on_lambda` / `get_render_progress` / `cancel_render_on_lambda`
  call Invoke, RequestResponse; the function answers through its response stream, which Lambda
  buffers into the payload.
- `start` invokes `launch` with InvocationType Event: 202 at once, the invocation runs on.
- `launch` calls InvokeWithResponseStream once per chunk and reads the chunk's result from the
  stream: PayloadChunk events, then InvokeComplete (see eventstream.py).

Concurrency is Lambda's: every invocation that runs (RequestResponse, a stream, an Event once it
runs) holds one unit of the function's concurrency until its process ends, and an invocation
either starts at once or is throttled, never held. The function's limit is its reserved
concurrency when it has one, else the account's (`ConcurrencyLimits`). Over it, a synchronous
invoke (RequestResponse, InvokeWithResponseStream) gets Lambda's throttle, 429
TooManyRequestsException with its Reason; an Event is accepted (202) all the same and retried as
Lambda retries a throttled asynchronous event (`ASYNC_RETRY_*`). Payload limits are Lambda's: 6 MB
for synchronous and streaming invocations, 1 MB for Event (the asynchronous limit since 2025).
"""

import json
import logging
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

# Lambda's quotas ("Lambda quotas", docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
# 1,000 concurrent executions per account and region by default, of which reserved concurrency may
# take all but 100 (PutFunctionConcurrency refuses a reservation that leaves less unreserved).
ACCOUNT_CONCURRENCY = 1000
MIN_UNRESERVED_CONCURRENCY = 100
# A throttled asynchronous event goes back to Lambda's queue and is retried "for up to 6 hours by
# default. The retry interval increases exponentially from 1 second after the first attempt to a
# maximum of 5 minutes" (Lambda developer guide, "How Lambda handles errors and retries with
# asynchronous invocation"). Throttles are retried whatever the function's MaximumRetryAttempts,
# which counts function errors only (the stack sets it to 0; function errors are not retried here).
ASYNC_RETRY_FIRST_SECONDS = 1.0
ASYNC_RETRY_MAX_SECONDS = 300.0
ASYNC_MAX_EVENT_AGE_SECONDS = 6 * 3600
# TooManyRequestsException's Reason (botocore's lambda model, ThrottleReason) and message, as Lambda sends them.
RESERVED_LIMIT_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_LIMIT_EXCEEDED = "ConcurrentInvocationLimitExceeded"
THROTTLE_MESSAGE = "Rate Exceeded."
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConcurrencyLimits:
    """The account's concurrency and the function's reserved concurrency (None: none reserved).

    Only this function runs in the emulated account, so its limit is its reservation when it has
    one (the reservation is carved out of the account's pool, and both are checked as
    PutFunctionConcurrency checks them), else the whole account's unreserved pool."""

    account: int = ACCOUNT_CONCURRENCY
    reserved: int | None = None

    def __post_init__(self) -> None:
        if self.account < 1:
            raise ValueError(f"the account concurrency must be at least 1, not {self.account}")
        if self.reserved is not None and not 0 <= self.reserved <= self.account - MIN_UNRESERVED_CONCURRENCY:
            most = max(0, self.account - MIN_UNRESERVED_CONCURRENCY)
            raise ValueError(
                f"a reserved concurrency of {self.reserved} does not fit an account concurrency of "
                f"{self.account}: Lambda keeps {MIN_UNRESERVED_CONCURRENCY} unreserved, so at most {most} can be "
                "reserved (raise the account's, lower the reservation, or reserve none)"
            )

    @property
    def function_limit(self) -> int:
        return self.account if self.reserved is None else self.reserved

    @property
    def throttle_reason(self) -> str:
        return ACCOUNT_LIMIT_EXCEEDED if self.reserved is None else RESERVED_LIMIT_EXCEEDED

    def describe(self) -> str:
        if self.reserved is None:
            return f"no reserved concurrency, account concurrency {self.account}"
        return f"reserved concurrency {self.reserved} (account {self.account})"


class Throttled(Exception):
    """Lambda refused to start the invocation: the function is at its concurrency limit."""

    def __init__(self, reason: str):
        super().__init__(f"{reason}: {THROTTLE_MESSAGE}")
        self.reason = reason


@dataclass
class InvocationRecord:
    request_id: str
    invocation_type: str  # RequestResponse | Event | Stream
    routine: str | None  # Remotion's payload type: start, launch, renderer, status, ...
    started_at: float
    outcome: Outcome | None = None
    throttles: int = 0  # how many times it was throttled before it ran (an Event's retries)


def _routine(payload: bytes) -> str | None:
    try:
        routine = json.loads(payload or b"null").get("type")
    except (ValueError, AttributeError):
        return None
    return routine if isinstance(routine, str) else None


class LambdaApi(LoopbackServer):
    def __init__(
        self,
        config: FunctionConfig,
        limits: ConcurrencyLimits | None = None,
        host: str = "127.0.0.1",
        record_path: Path | None = None,
        *,
        async_retry_first_seconds: float = ASYNC_RETRY_FIRST_SECONDS,
        async_retry_max_seconds: float = ASYNC_RETRY_MAX_SECONDS,
        async_max_event_age_seconds: float = ASYNC_MAX_EVENT_AGE_SECONDS,
    ):
        super().__init__(_Handler, host)
        self.config = config
        self.limits = limits or ConcurrencyLimits()
        self.record_path = record_path  # one JSON line per ended or throttled invocation
        self.async_retry_first_seconds = async_retry_first_seconds
        self.async_retry_max_seconds = async_retry_max_seconds
        self.async_max_event_age_seconds = async_max_event_age_seconds
        self.records: list[InvocationRecord] = []
        self.running: dict[str, Invocation] = {}
        self.throttled: dict[str, int] = {}  # throttles answered, by invocation type
        self.peak_concurrency = 0
        self._concurrency = 0  # invocations admitted and not yet ended (their process may still be starting)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._event_threads: list[threading.Thread] = []

    @property
    def concurrency(self) -> int:
        with self._lock:
            return self._concurrency

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

    def _admit(self) -> str | None:
        """Take one unit of concurrency, or say why Lambda would throttle (and take nothing)."""
        with self._lock:
            if self._concurrency >= self.limits.function_limit:
                return self.limits.throttle_reason
            self._concurrency += 1
            self.peak_concurrency = max(self.peak_concurrency, self._concurrency)
            return None

    def _release(self) -> None:
        with self._lock:
            self._concurrency -= 1

    def _note_throttle(self, invocation_type: str, routine: str | None, reason: str, request_id: str) -> None:
        with self._lock:
            self.throttled[invocation_type] = self.throttled.get(invocation_type, 0) + 1
        logger.info("throttled %s (%s, %s): %s", request_id, invocation_type, routine, reason)
        self._write_line(
            {
                "requestId": request_id,
                "invocationType": invocation_type,
                "routine": routine,
                "at": time.time(),
                "throttled": reason,
            }
        )

    def invoke(
        self, payload: bytes, invocation_type: str, request_id: str | None = None
    ) -> tuple[Invocation, InvocationRecord]:
        """Start an invocation at once, or raise `Throttled` as Lambda answers over the limit."""
        request_id = request_id or str(uuid.uuid4())
        routine = _routine(payload)
        if reason := self._admit():
            self._note_throttle(invocation_type, routine, reason, request_id)
            raise Throttled(reason)
        return self._start(payload, invocation_type, routine, request_id)

    def _start(
        self, payload: bytes, invocation_type: str, routine: str | None, request_id: str, throttles: int = 0
    ) -> tuple[Invocation, InvocationRecord]:
        """Run an admitted invocation; its unit of concurrency is given back by `finish`."""
        try:
            invocation = Invocation(self.config, payload, request_id=request_id)
        except BaseException:
            self._release()
            raise
        record = InvocationRecord(
            request_id=request_id,
            invocation_type=invocation_type,
            routine=routine,
            started_at=time.time(),
            throttles=throttles,
        )
        with self._lock:
            self.records.append(record)
            self.running[request_id] = invocation
        return invocation, record

    def finish(self, invocation: Invocation, record: InvocationRecord) -> Outcome:
        try:
            record.outcome = invocation.wait()
        finally:
            with self._lock:
                self.running.pop(invocation.request_id, None)
            self._release()
        outcome = record.outcome
        assert outcome is not None  # invocation.wait() answered it
        self._write_line(
            {
                "requestId": record.request_id,
                "invocationType": record.invocation_type,
                "routine": record.routine,
                "startedAt": record.started_at,
                "seconds": round(outcome.seconds, 3),
                "timedOut": outcome.timed_out,
                "error": outcome.error,
                "throttles": record.throttles,
                "log": str(outcome.log_path),
            }
        )
        logger.info(
            "invocation %s (%s, %s) ended in %.1f s%s",
            record.request_id,
            record.invocation_type,
            record.routine,
            outcome.seconds,
            f": {outcome.error}" if outcome.error else "",
        )
        return outcome

    def _write_line(self, line: dict[str, Any]) -> None:
        if self.record_path:
            with self._lock, open(self.record_path, "a") as out:
                out.write(json.dumps(line) + "\n")

    def run_in_background(self, payload: bytes) -> str:
        """Accept an Event: it runs at once if the function has room, else when a retry finds room."""
        request_id = str(uuid.uuid4())
        thread = threading.Thread(
            target=self._run_event, args=(payload, request_id), daemon=True, name=f"event-{request_id}"
        )
        with self._lock:
            self._event_threads.append(thread)
        thread.start()
        return request_id

    def _run_event(self, payload: bytes, request_id: str) -> None:
        """Lambda's handling of one asynchronous event: retried after each throttle, 1 s, 2 s, 4 s, ...
        up to 5 min apart (no jitter), and dropped once older than the maximum event age. The
        request id stays the event's own across retries, as Lambda keeps it."""
        routine = _routine(payload)
        received = time.monotonic()
        delay = self.async_retry_first_seconds
        throttles = 0
        while reason := self._admit():
            throttles += 1
            self._note_throttle("Event", routine, reason, request_id)
            if time.monotonic() - received + delay > self.async_max_event_age_seconds:
                # Lambda would send it to the function's on-failure destination; the stack sets none.
                logger.warning(
                    "event %s (%s) dropped: still throttled after %d attempts", request_id, routine, throttles
                )
                return
            if self._closing.wait(delay):
                return
            delay = min(delay * 2, self.async_retry_max_seconds)
        if self._closing.is_set():
            self._release()
            return
        try:
            invocation, record = self._start(payload, "Event", routine, request_id, throttles)
        except Exception:
            logger.exception("event %s (%s) could not start", request_id, routine)
            return
        self.finish(invocation, record)

    def kill_all(self) -> None:
        with self._lock:
            running = list(self.running.values())
        for invocation in running:
            invocation.kill()

    def close(self) -> None:
        self._closing.set()  # events waiting for a retry are dropped
        self.shutdown()
        self.server_close()
        self.kill_all()
        with self._lock:
            threads = list(self._event_threads)
        for thread in threads:
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

    def _throttle(self, throttled: Throttled) -> None:
        """Lambda's answer over the concurrency limit: botocore raises ClientError with the code
        TooManyRequestsException (and retries it first, as a throttle); the JS SDK in the function
        throws TooManyRequestsException "Rate Exceeded.", which Remotion reports as "AWS
        Concurrency limit reached"."""
        self._json(
            429,
            {"Reason": throttled.reason, "Type": "User", "message": THROTTLE_MESSAGE},
            {"x-amzn-ErrorType": "TooManyRequestsException", "x-amzn-RequestId": str(uuid.uuid4())},
        )

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
        try:
            invocation, record = self.server.invoke(payload, "RequestResponse")
        except Throttled as throttled:
            self._throttle(throttled)
            return
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
        # Admitted or throttled before any answer: a throttle is a plain 429, as Lambda sends it.
        try:
            invocation, record = self.server.invoke(payload, "Stream")
        except Throttled as throttled:
            self._throttle(throttled)
            return
        client_gone = False
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.amazon.eventstream")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("x-amzn-RequestId", invocation.request_id)
            self.send_header("X-Amz-Executed-Version", "$LATEST")
            self.end_headers()
            self.wfile.flush()
        except OSError:  # the caller hung up already; the invocation runs on (and is ended by `finish`)
            client_gone = True
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
