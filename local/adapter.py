"""The local API Gateway: HTTP on loopback, turned into the API Gateway v2 event each Lambda gets.

Like the HTTP API with its JWT authorizer, it answers 401 itself for a missing or bad token, and
puts the token's claims at requestContext.authorizer.jwt.claims for the handler.
"""

import base64
import json
import logging
import mimetypes
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from local import auth

logger = logging.getLogger(__name__)
OPEN_ROUTES = ("/health", "/webhooks/remotion")
API_PREFIXES = ("/projects", "/renders", "/exports", "/health", "/webhooks")


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


def api_gateway_event(method: str, raw_path: str, headers: dict, body: bytes, source_ip: str, claims: dict | None) -> dict:
    url = urlsplit(raw_path)
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(url.query, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    text_body = True
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        text_body = False
    now = time.time()
    request_context = {
        "accountId": "000000000000", "apiId": "local", "domainName": headers.get("host", "127.0.0.1"),
        "domainPrefix": "local", "requestId": str(uuid.uuid4()), "routeKey": "$default", "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)), "timeEpoch": int(now * 1000),
        "http": {"method": method, "path": url.path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                 "userAgent": headers.get("user-agent", "")},
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": {k: str(v) for k, v in claims.items()}, "scopes": None}}
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": url.path, "rawQueryString": url.query,
        "headers": headers, "queryStringParameters": {k: ",".join(v) for k, v in query.items()} or None,
        "requestContext": request_context,
        "body": (decoded if text_body else base64.b64encode(body).decode()) if body else None,
        "isBase64Encoded": bool(body) and not text_body,
    }


class Adapter(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, api_handler, webhook_handler, static_dir: Path | None = None,
                 page_config=None):
        super().__init__(address, _Handler)
        self.api_handler, self.webhook_handler, self.static_dir = api_handler, webhook_handler, static_dir
        # /config.json for the page: where the API is and how to sign in (locally: a ready token).
        self.page_config = page_config


class _Handler(BaseHTTPRequestHandler):
    server: Adapter
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        logger.info("%s %s", self.address_string(), fmt % args)

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: dict) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not path.startswith(API_PREFIXES):
            return self._static(path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        claims = None
        if path not in OPEN_ROUTES:
            try:
                claims = auth.verify(headers.get("authorization"))
            except auth.BadToken as error:
                return self._json(401, {"error": {"code": "unauthorized", "message": str(error)}})
        event = api_gateway_event(self.command, self.path, headers, body, self.client_address[0], claims)
        handler = self.server.webhook_handler if path == "/webhooks/remotion" else self.server.api_handler
        context = LambdaContext(function_name=handler.__module__, aws_request_id=event["requestContext"]["requestId"],
                                started=time.time())
        try:
            result = handler(event, context)
        except Exception:
            logger.exception("handler failed")  # API Gateway answers a Lambda crash with a bare 500
            return self._json(500, {"message": "Internal Server Error"})
        out = base64.b64decode(result.get("body") or "") if result.get("isBase64Encoded") else \
            (result.get("body") or "").encode()
        self._send(result.get("statusCode", 200), result.get("headers") or {}, out)

    def _static(self, path: str) -> None:
        if path == "/config.json" and self.server.page_config:
            return self._json(200, self.server.page_config())
        root = self.server.static_dir
        target = (root / path.lstrip("/")).resolve() if root else None
        if target and (target.is_dir() or (not target.exists() and "." not in target.name)):
            target = root.resolve() / "index.html"  # the page's own routes
        if not root or not target or not target.is_file() or root.resolve() not in target.parents:
            return self._json(404, {"error": {"code": "not_found", "message": f"no route for {path}"}})
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(200, {"Content-Type": content_type}, target.read_bytes())

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle
