"""A front for the local stack's emulated S3 that logs every request, so tests and people can see
exactly what the render function (and the service) asked of S3 and what S3 answered.

Each request is forwarded to the emulator unchanged (its SigV4 signature covers the Host header,
which is passed through, so the emulator checks it as AWS would); the emulator applies S3's rules,
including Object Ownership's refusal of ACLs (local/emulator.py). One JSON line per request:
method, bucket, key, query, the ACL headers, the body's size, the user agent, the status.
"""

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from local.lambda_emulator.loopback_server import LoopbackServer

ACL_HEADERS = (
    "x-amz-acl",
    "x-amz-grant-full-control",
    "x-amz-grant-read",
    "x-amz-grant-read-acp",
    "x-amz-grant-write",
    "x-amz-grant-write-acp",
)
SERVICE_UNAVAILABLE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>'
    "<Message>Please reduce your request rate.</Message></Error>"
)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class S3Front(LoopbackServer):
    def __init__(self, upstream_port: int, log_path: Path, host: str = "127.0.0.1"):
        super().__init__(_Handler, host)
        self.upstream_port = upstream_port
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self._log_lock, open(self.log_path, "a") as log:
            log.write(json.dumps(entry) + "\n")


def read_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: S3Front

    def log_message(self, format: str, *args: Any) -> None:
        pass  # every request is in the JSON log instead

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _bucket_and_key(self) -> tuple[str | None, str | None]:
        """Path-style, which the SDKs use for an IP-address endpoint such as this one."""
        bucket, _, key = unquote(urlsplit(self.path).path).lstrip("/").partition("/")
        return bucket or None, key or None

    def _handle(self) -> None:
        body = self._body()
        bucket, key = self._bucket_and_key()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if body or self.command in ("PUT", "POST"):
            headers["Content-Length"] = str(len(body))
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=120)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        except ConnectionRefusedError:
            # The emulator is down (the local stack restarts it): S3's answer for that, which SDKs retry.
            self._unavailable(bucket, key)
            return
        finally:
            upstream.close()
        # Logged before the answer goes out: whoever has the answer can read its line.
        error = None
        if response.status >= 400 and data.startswith(b"<?xml"):
            start, end = data.find(b"<Code>"), data.find(b"</Code>")
            error = data[start + 6 : end].decode() if 0 <= start < end else None
        self.server.record(
            {
                "at": time.time(),
                "method": self.command,
                "bucket": bucket,
                "key": key,
                "query": urlsplit(self.path).query,
                "acl": {h: self.headers[h] for h in ACL_HEADERS if self.headers.get(h) is not None},
                "bytes": len(body),
                "userAgent": (self.headers.get("User-Agent") or "")[:120],
                "status": response.status,
                "error": error,
            }
        )
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        # A HEAD answer's Content-Length is the object's size (the SDK reads it), not the empty body's.
        self.send_header(
            "Content-Length", response.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
        )
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _unavailable(self, bucket: str | None, key: str | None) -> None:
        data = SERVICE_UNAVAILABLE.encode()
        self.server.record(
            {
                "at": time.time(),
                "method": self.command,
                "bucket": bucket,
                "key": key,
                "query": urlsplit(self.path).query,
                "acl": {},
                "bytes": 0,
                "userAgent": "",
                "status": 503,
                "error": "ServiceUnavailable",
            }
        )
        self.send_response(503)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle
