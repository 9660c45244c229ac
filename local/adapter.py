"""The local API Gateway: uvicorn on loopback, each request turned into the API Gateway v2 event a
Lambda gets, and answered by the same handler.

What API Gateway does before a Lambda runs is done here too, in the same envelope as the API's own
errors, `{"error": {"code", "message", "details"}}`:
- framing: a bad request line, Content-Length or header (400), headers over MAX_HEADER_BYTES or
  more than MAX_HEADER_COUNT of them (431), a body over API Gateway's 10 MB payload limit (413,
  refused from Content-Length before it is read, or as soon as a chunked body passes it), a body
  that is not UTF-8 (the API speaks JSON, which is UTF-8), a client too slow with its headers or
  body (408: a body that stops for BODY_TIMEOUT_SECONDS, as one shorter than its Content-Length);
- a refusal sent while the client is still sending is followed by a lingering close (`Protocol`),
  so the client reads the answer instead of a connection reset;
- routing: an unknown route (404), a method the route does not have (405 with `Allow`);
- the JWT authorizer: a missing or bad token (401); the token's claims go to
  requestContext.authorizer.jwt.claims for the handler.
A handler that cannot reach a dependency (the emulator is down or restarting) is answered 503 with
`Retry-After`, as a throttled or failing integration is in AWS.

The handlers are synchronous: each function runs them on threads of its own, at most as many
requests at once as it has environments (see `Function`), while the server keeps accepting and
queueing.

Downloads: `GET /downloads/<bucket>/<key>?filename&expires&signature` serves an object of the
emulated bucket when the link's signature (made by `DownloadSigner`) holds and it has not expired,
so the emulator's port never reaches a browser.
"""

import asyncio
import base64
import json
import logging
import mimetypes
import os
import re
import socket
import threading
import time
import uuid
from abc import ABCMeta
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, unquote

import h11
import uvicorn
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from uvicorn.protocols.http.h11_impl import H11Protocol

from local import auth

if TYPE_CHECKING:  # the handlers are imported once the stack has set their environment
    from functions.handlers.openapi import HttpRoute

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
MAX_HEADER_BYTES = 16 * 1024  # request line and headers together
# Request headers in one request: the count nginx-fronted APIs and browsers stay far below; each
# header is a dictionary entry and a copy in the Lambda event.
MAX_HEADER_COUNT = 100
HEADER_TIMEOUT_SECONDS = 10.0  # from the first byte of a request to the end of its headers
# A body must keep coming: nothing for this long (a body shorter than its Content-Length, a client
# gone quiet) is a 408, as nginx's client_body_timeout (between two reads). Loopback and LAN
# clients send 10 MB in well under a second; FRAMECAST_BODY_TIMEOUT_SECONDS changes it.
BODY_TIMEOUT_SECONDS = float(os.environ.get("FRAMECAST_BODY_TIMEOUT_SECONDS") or 5.0)
BODY_TOTAL_SECONDS = 30.0  # the whole body, however steadily it trickles
# Lingering close (nginx's lingering_close): after a refusal sent while the client still sends, our
# side is shut for writing and what comes is read and dropped until the client stops for
# LINGER_IDLE_SECONDS or LINGER_TOTAL_SECONDS pass; closing at once would reset the connection and
# the client would lose the answer it has not read yet.
LINGER_IDLE_SECONDS = 2.0
LINGER_TOTAL_SECONDS = 10.0  # within the server's 10 s graceful shutdown
IDLE_TIMEOUT_SECONDS = 5  # a kept-alive connection with no new request
INTEGRATION_TIMEOUT_SECONDS = 30.0  # API Gateway's limit for an integration
BACKLOG = 2048
API_PREFIXES = ("/projects", "/renders", "/exports", "/health", "/webhooks", "/downloads")
DOWNLOAD_CHUNK = 256 * 1024
# What a path parameter may hold: the characters Powertools' resolver matches (RFC 3986's safe and
# unsafe URI characters and word characters), so that a route matched here is one the handler has.
PATH_PARAMETER = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"

# ASGI, as uvicorn calls the adapter: the connection's scope, and the messages received and sent.
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# A Lambda handler: the event and the context in, the API Gateway v2 response out.
Handler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]


def error_body(code: str, message: str, details: list[Any] | None = None) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return json.dumps({"error": error}).encode()


# --- the Lambda side ----------------------------------------------------------------------------


@dataclass
class LambdaContext:
    """What Powertools reads off the Lambda context."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:framecast"
    timeout_seconds: int = 29
    started: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_seconds - time.time()) * 1000))


class _PerThread:
    """A class attribute that holds one value per thread (a data descriptor); `default` makes a
    thread's first value."""

    def __init__(self, default: Callable[[], Any] | None = None) -> None:
        self._local = threading.local()
        self._default = default

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        try:
            return self._local.value
        except AttributeError:
            if self._default is None:
                return None
            self._local.value = self._default()
            return self._local.value

    def __set__(self, instance: object, value: Any) -> None:
        self._local.value = value


class _PerThreadAttributes(ABCMeta):
    """BaseRouter's metaclass, but for its `_PerThread` attributes: a class-level assignment goes to
    the calling thread's value instead of replacing the attribute."""

    def __setattr__(cls, name: str, value: Any) -> None:
        held = cls.__dict__.get(name)
        if isinstance(held, _PerThread):
            held.__set__(None, value)
        else:
            super().__setattr__(name, value)


def keep_resolver_requests_per_thread() -> None:
    """Powertools' resolvers keep the request being handled, and its Lambda context, on class
    attributes of BaseRouter that every resolver of a process shares (`BaseRouter.current_event =
    ...` in `resolve`), and the matched route and its arguments in the resolver's `context`. One
    Lambda environment serves one request, so on AWS nothing else can read them; here the
    functions' environments are threads of one process, and would read each other's event (and
    with it each other's user). Held per thread, each request reads its own, and requests run at
    once as their environments do on AWS. Idempotent."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    with _PER_THREAD_LOCK:
        if isinstance(BaseRouter.__dict__.get("current_event"), _PerThread):
            return
        setattr(BaseRouter, "__class__", _PerThreadAttributes)  # noqa: B010 (mypy: a class's class)
        for name in ("current_event", "lambda_context"):
            type.__setattr__(BaseRouter, name, _PerThread())
        # An instance attribute of every resolver and router, shadowed by this data descriptor.
        type.__setattr__(BaseRouter, "context", _PerThread(dict))


_PER_THREAD_LOCK = threading.Lock()


def prepare_resolver(app: Any) -> None:
    """Build every route's middleware chain before requests come at once: Powertools builds it on a
    route's first call, unlocked, and two first calls at once wrap it twice, which breaks the route
    (TypeError on every later call) until the process restarts."""
    for route in [*app._static_routes, *app._dynamic_routes]:
        if not route._middleware_stack_built:
            route._build_middleware_stack(router_middlewares=app._router_middlewares, app=app)


class Function:
    """A Lambda function of the stack: its handler on `environments` threads of its own, requests
    beyond them queued in order of arrival. Waiting for a function ties up no thread of another,
    so a burst of API calls never delays the webhook."""

    def __init__(self, handler: Handler, name: str, environments: int) -> None:
        keep_resolver_requests_per_thread()
        self.handler, self.name = handler, name
        self.executor = ThreadPoolExecutor(max_workers=environments, thread_name_prefix=name)

    def invoke(
        self, event: dict[str, Any], context: "LambdaContext", on_start: Callable[[], object] | None = None
    ) -> dict[str, Any]:
        if on_start:
            on_start()
        context.started = time.time()
        return self.handler(event, context)


def api_gateway_event(
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str,
    claims: dict[str, Any] | None,
) -> dict[str, Any]:
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(key, []).append(value)
    now = time.time()
    request_context = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": headers.get("host", "127.0.0.1"),
        "domainPrefix": "local",
        "requestId": str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": {k: str(v) for k, v in claims.items()}, "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "queryStringParameters": {k: ",".join(v) for k, v in values.items()} or None,
        "requestContext": request_context,
        # The body is UTF-8 here (checked before); binary bodies would travel base64 as in AWS.
        "body": body.decode() if body else None,
        "isBase64Encoded": False,
    }


# --- routes -------------------------------------------------------------------------------------


@dataclass
class Route:
    pattern: re.Pattern[str]
    methods: dict[str, Function | str] = field(default_factory=dict)  # method -> pool, or "download"
    open: set[str] = field(default_factory=set)  # the methods the JWT authorizer lets through


def routes_from_openapi(http_routes: list["HttpRoute"], api: Function, webhook: Function) -> list[Route]:
    """The HTTP API's routes as the functions' OpenAPI documents give them (functions/handlers/openapi.py:
    routes, which the CDK deploys too): each to its function, a token checked where the operation
    asks for one; plus the download links, which in AWS are CloudFront's."""
    functions = {"api": api, "webhook": webhook}
    by_path: dict[str, Route] = {}
    for http_route in http_routes:
        if http_route.path not in by_path:
            segments = (PATH_PARAMETER if p.startswith("{") else re.escape(p) for p in http_route.path.split("/"))
            by_path[http_route.path] = Route(re.compile("^" + "/".join(segments) + "$"))
        route = by_path[http_route.path]
        route.methods[http_route.method] = functions[http_route.function]
        if not http_route.authorized:
            route.open.add(http_route.method)
    download = Route(re.compile("^/downloads/[^/]+/.+$"), {"GET": "download", "HEAD": "download"})
    return [*by_path.values(), download]


# --- the HTTP side ------------------------------------------------------------------------------


def _raw_response(status: int, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class _LingeringTransport:
    """The connection's transport as uvicorn's protocol and request cycle see it: their close()
    becomes the protocol's lingering close; everything else is the real transport's."""

    def __init__(self, transport: asyncio.Transport, protocol: "Protocol"):
        self._transport, self._protocol = transport, protocol

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def close(self) -> None:
        self._protocol.close_lingering()

    def is_closing(self) -> bool:
        return self._protocol.lingering or self._transport.is_closing()


class Protocol(H11Protocol):
    """uvicorn's h11 protocol, with JSON for framing errors, a deadline for a request's headers and
    a lingering close."""

    _header_timer: asyncio.TimerHandle | None = None
    _linger_timer: asyncio.TimerHandle | None = None
    lingering = False

    # A stream server's transport, as H11Protocol narrows it (with the same ignore).
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._real_transport = transport
        # Duck-typed: every attribute but close() and is_closing() is the real transport's.
        super().connection_made(cast(asyncio.Transport, _LingeringTransport(transport, self)))
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            self._last_data = self.loop.time()  # read and dropped: the answer has been sent
            return
        super().data_received(data)
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            self._disarm()
        elif self._header_timer is None:
            self._arm()

    def eof_received(self) -> None:
        # The client has sent all it will: a lingering close is over (asyncio closes on a falsy return).
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        super().connection_lost(exc)

    def _client_may_still_send(self) -> bool:
        """True while the request being answered has not all arrived: a body not (fully) read, a
        head cut off by a refusal, or bytes of a request that are not yet one."""
        state = self.conn.their_state
        if state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
            return False
        if state is h11.IDLE:
            return bool(self.conn.trailing_data[0])
        return True  # SEND_BODY, or ERROR after a framing error

    def close_lingering(self) -> None:
        """Close; when the client may still be sending, shut our side for writing (after what is
        buffered, so the answer goes out whole) and read and drop its bytes for a bounded time."""
        real = self._real_transport
        if self.lingering or real.is_closing():
            return
        if not self._client_may_still_send():
            real.close()
            return
        self.lingering = True
        self._disarm()
        try:
            real.write_eof()
        except (OSError, RuntimeError):
            real.close()
            return
        real.resume_reading()  # uvicorn's flow control may have paused it under an unread body
        self._last_data = now = self.loop.time()
        self._linger_until = now + LINGER_TOTAL_SECONDS
        self._linger_timer = self.loop.call_later(LINGER_IDLE_SECONDS, self._linger_check)

    def _linger_check(self) -> None:
        now = self.loop.time()
        quiet_until = self._last_data + LINGER_IDLE_SECONDS
        if now >= self._linger_until or now >= quiet_until:
            self._linger_timer = None
            self._real_transport.close()
            return
        self._linger_timer = self.loop.call_later(min(quiet_until, self._linger_until) - now, self._linger_check)

    def _arm(self) -> None:
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:  # part of a request came, but not its headers' end
            self.transport.write(
                _raw_response(
                    408,
                    error_body(
                        "request_timeout", f"the request's headers did not arrive within {HEADER_TIMEOUT_SECONDS:g} s"
                    ),
                )
            )
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        if len(self.conn.trailing_data[0]) > MAX_HEADER_BYTES:
            response = _raw_response(
                431, error_body("headers_too_large", f"the request line and headers are over {MAX_HEADER_BYTES} bytes")
            )
        else:
            response = _raw_response(
                400,
                error_body(
                    "malformed_request", "the request is not valid HTTP/1.1 (request line, headers or Content-Length)"
                ),
            )
        self.transport.write(response)
        self.transport.close()


class Adapter:
    """The ASGI application: framing limits, routes, the authorizer, then the function."""

    def __init__(
        self,
        routes: list[Route],
        static_dir: Path | None = None,
        page_config: Callable[[], dict[str, Any]] | None = None,
        downloads: "Downloads | None" = None,
        threads: int = 64,
    ) -> None:
        self.routes, self.static_dir, self.page_config, self.downloads = routes, static_dir, page_config, downloads
        # Static files and downloads; each function runs on its own threads.
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="adapter")

    def functions(self) -> list[Function]:
        return list({id(t): t for r in self.routes for t in r.methods.values() if isinstance(t, Function)}.values())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            await self._handle(scope, receive, send)
        except _ClientGone:
            return

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"]
        query = scope["query_string"].decode("latin-1")
        if len(scope["headers"]) > MAX_HEADER_COUNT:
            return await self._error(
                send,
                431,
                "headers_too_large",
                f"the request has {len(scope['headers'])} headers; at most {MAX_HEADER_COUNT} are accepted",
                {"Connection": "close"},
            )
        head_bytes = len(scope["raw_path"]) + len(query) + sum(len(k) + len(v) + 4 for k, v in scope["headers"])
        if head_bytes > MAX_HEADER_BYTES:  # h11 limits only a head that arrives in pieces
            return await self._error(
                send,
                431,
                "headers_too_large",
                f"the request line and headers are over {MAX_HEADER_BYTES} bytes",
                {"Connection": "close"},
            )
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            key = name.decode("latin-1")
            headers[key] = f"{headers[key]},{value.decode('latin-1')}" if key in headers else value.decode("latin-1")
        if not path.startswith(API_PREFIXES) or path == "/downloads":
            if method not in ("GET", "HEAD"):
                return await self._error(
                    send, 405, "method_not_allowed", f"{method} is not allowed on {path}", {"Allow": "GET, HEAD"}
                )
            return await self._static(send, method, path)
        route = next((r for r in self.routes if r.pattern.match(path)), None)
        if route is None:
            return await self._error(send, 404, "not_found", f"no route for {path}")
        target = route.methods.get(method)
        if target is None:
            allow = ", ".join(sorted(route.methods))
            return await self._error(
                send,
                405,
                "method_not_allowed",
                f"{method} is not allowed on {path}; allowed: {allow}",
                {"Allow": allow},
            )
        body = await self._body(scope, receive, send, headers)
        if body is None:
            return
        if isinstance(target, str):  # "download"
            assert self.downloads is not None, "the stack sets the downloads before it serves"
            return await self.downloads.serve(self, send, method, path, query, headers)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            return await self._error(send, 400, "malformed_body", f"the body is not UTF-8 (byte {error.start})")
        claims = None
        if method not in route.open:
            try:
                claims = auth.verify(headers.get("authorization"))
            except auth.BadToken as error:
                return await self._error(send, 401, "unauthorized", str(error), {"WWW-Authenticate": "Bearer"})
        client = scope.get("client") or ("127.0.0.1", 0)
        event = api_gateway_event(method, path, query, headers, body, client[0], claims)
        context = LambdaContext(
            function_name=target.name, aws_request_id=event["requestContext"]["requestId"], started=time.time()
        )
        loop = asyncio.get_running_loop()
        started = asyncio.Event()
        running = loop.run_in_executor(
            target.executor, target.invoke, event, context, lambda: loop.call_soon_threadsafe(started.set)
        )
        try:
            # Waiting for a free environment is queueing, not running: the time limit counts from the start.
            waiting: asyncio.Future[Any] = asyncio.ensure_future(started.wait())
            await asyncio.wait([running, waiting], return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            result = await asyncio.wait_for(asyncio.shield(running), INTEGRATION_TIMEOUT_SECONDS)
        except TimeoutError:
            return await self._error(
                send,
                503,
                "timeout",
                f"the function did not answer within {INTEGRATION_TIMEOUT_SECONDS:g} s",
                {"Retry-After": "5"},
            )
        except Exception as error:
            if _dependency_down(error):
                logger.warning("a dependency is down: %s", error)
                return await self._error(
                    send,
                    503,
                    "service_unavailable",
                    "a service this request needs is not reachable right now; please try again",
                    {"Retry-After": "2"},
                )
            logger.exception("handler failed")
            return await self._error(send, 500, "internal_error", "the request failed on our side")
        raw = result.get("body") or ""
        out = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
        out_headers = dict(result.get("headers") or {})
        await self._send(
            send, int(result.get("statusCode", 200)), out_headers, out, method, cookies=result.get("cookies") or []
        )

    async def _body(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> bytes | None:
        declared = headers.get("content-length")
        if declared is not None and "transfer-encoding" in headers:
            # RFC 9112 6.3: a server may refuse both; behind a proxy, accepting them invites smuggling.
            await self._error(
                send, 400, "malformed_request", "Content-Length and Transfer-Encoding together", {"Connection": "close"}
            )
            return None
        if declared and int(declared) > MAX_BODY_BYTES:  # h11 has checked that it is a number
            await self._too_large(send)
            return None
        body = bytearray()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BODY_TOTAL_SECONDS
        while True:
            # Each read waits at most the body timeout (a body that stops: a short Content-Length),
            # and all of them together the total.
            wait = min(BODY_TIMEOUT_SECONDS, deadline - loop.time())
            try:
                message = await asyncio.wait_for(receive(), max(wait, 0.001))
            except TimeoutError:
                stalled = loop.time() < deadline
                await self._error(
                    send,
                    408,
                    "request_timeout",
                    f"the body stopped arriving: nothing came for {BODY_TIMEOUT_SECONDS:g} s"
                    if stalled
                    else f"the body did not arrive within {BODY_TOTAL_SECONDS:g} s",
                    {"Connection": "close"},
                )
                return None
            if message["type"] == "http.disconnect":
                raise _ClientGone
            body += message.get("body", b"")
            if len(body) > MAX_BODY_BYTES:
                await self._too_large(send)
                return None
            if not message.get("more_body"):
                return bytes(body)

    async def _too_large(self, send: Send) -> None:
        message = f"the body is over {MAX_BODY_BYTES} bytes (API Gateway's payload limit)"
        await self._error(send, 413, "too_large", message, {"Connection": "close"})

    async def _static(self, send: Send, method: str, path: str) -> None:
        if path == "/config.json" and self.page_config:
            return await self._send(
                send, 200, {"Content-Type": "application/json"}, json.dumps(self.page_config()).encode(), method
            )
        root = self.static_dir.resolve() if self.static_dir else None
        target = (root / unquote(path).lstrip("/")).resolve() if root else None
        if root and target and (target.is_dir() or (not target.exists() and "." not in target.name)):
            target = root / "index.html"  # the page's own routes
        if not root or not target or not target.is_file() or root not in target.parents:
            return await self._error(send, 404, "not_found", f"no route for {path}")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = await asyncio.get_running_loop().run_in_executor(self.executor, target.read_bytes)
        await self._send(send, 200, {"Content-Type": content_type}, data, method)

    async def _error(
        self, send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        await self._send(
            send, status, {"Content-Type": "application/json", **(headers or {})}, error_body(code, message), "GET"
        )

    @staticmethod
    async def _send(
        send: Send, status: int, headers: dict[str, Any], body: bytes, method: str, cookies: list[str] | None = None
    ) -> None:
        raw = [
            (k.encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items() if k.lower() != "content-length"
        ]
        raw += [(b"set-cookie", c.encode("latin-1")) for c in cookies or []]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


class _ClientGone(Exception):
    pass


def _dependency_down(error: BaseException | None) -> bool:
    """True when the failure is that a dependency (the emulator) could not be reached or is failing."""
    while error is not None:
        if isinstance(error, EndpointConnectionError | ConnectionClosedError | ReadTimeoutError | ConnectionError):
            return True
        if (
            isinstance(error, ClientError)
            and error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


# --- download links -----------------------------------------------------------------------------


class Downloads:
    """Serves objects of the emulated bucket to whoever holds a valid, unexpired link."""

    def __init__(self, signer: auth.DownloadSigner, s3_client: Any, bucket: str) -> None:
        self.signer, self.s3, self.bucket = signer, s3_client, bucket

    async def serve(
        self, adapter: Adapter, send: Send, method: str, path: str, query: str, headers: dict[str, str]
    ) -> None:
        bucket, _, key = path[len("/downloads/") :].partition("/")
        params = dict(parse_qsl(query, keep_blank_values=True))
        try:
            self.signer.check(
                bucket, key, params.get("filename", ""), params.get("expires", ""), params.get("signature", "")
            )
        except auth.BadLink as error:
            return await adapter._error(send, 403, error.code, str(error))
        if bucket != self.bucket:
            return await adapter._error(send, 403, "forbidden", "this link is not for this stack's bucket")
        loop = asyncio.get_running_loop()
        extra = {"Range": headers["range"]} if "range" in headers else {}
        call = self.s3.head_object if method == "HEAD" else self.s3.get_object
        try:
            obj = await loop.run_in_executor(adapter.executor, lambda: call(Bucket=bucket, Key=key, **extra))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                return await adapter._error(send, 404, "not_found", "the file of this link no longer exists")
            if code in ("InvalidRange", "416"):
                return await adapter._error(send, 416, "invalid_range", "the range asked for is not in the file")
            if not _dependency_down(error):
                raise
            return await adapter._error(
                send,
                503,
                "service_unavailable",
                "the file store is not reachable right now; please try again",
                {"Retry-After": "2"},
            )
        except (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError, ConnectionError):
            return await adapter._error(
                send,
                503,
                "service_unavailable",
                "the file store is not reachable right now; please try again",
                {"Retry-After": "2"},
            )
        status = 206 if "ContentRange" in obj else 200
        response_headers = [
            (b"content-type", obj.get("ContentType", "application/octet-stream").encode("latin-1")),
            (b"content-length", str(obj["ContentLength"]).encode()),
            (b"content-disposition", auth.attachment(params.get("filename", "")).encode("latin-1")),
            (b"accept-ranges", b"bytes"),
            (b"cache-control", b"private, no-store"),
        ]
        if "ContentRange" in obj:
            response_headers.append((b"content-range", obj["ContentRange"].encode("latin-1")))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        stream = obj["Body"]
        try:
            while chunk := await loop.run_in_executor(adapter.executor, stream.read, DOWNLOAD_CHUNK):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        finally:
            stream.close()
        await send({"type": "http.response.body", "body": b""})


# --- the server ---------------------------------------------------------------------------------


class HttpServer:
    """uvicorn serving an Adapter on a socket of our own (port 0 works), in a background thread."""

    def __init__(self, adapter: Adapter, host: str, port: int) -> None:
        self.adapter = adapter
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.socket.listen(BACKLOG)
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            adapter,
            http=Protocol,
            lifespan="off",
            backlog=BACKLOG,
            access_log=False,
            log_level="warning",
            server_header=False,
            timeout_keep_alive=IDLE_TIMEOUT_SECONDS,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            timeout_graceful_shutdown=10,
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True, name="http"
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish (up to the graceful timeout), then close."""
        self.server.should_exit = True
        if self._thread:
            self._thread.join(timeout=20)
        self.socket.close()
        self.adapter.executor.shutdown(wait=False, cancel_futures=True)
        for function in self.adapter.functions():
            function.executor.shutdown(wait=False, cancel_futures=True)
