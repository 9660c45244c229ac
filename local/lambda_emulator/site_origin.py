"""The render site's origin, as CloudFront serves it in AWS: GET and HEAD of `sites/` keys of the
private bucket, fetched with the bucket owner's credentials (what origin access control does).

The bucket itself stays private: an anonymous GET on the S3 front gets 403, as on S3. Only the
prefixes the distribution serves unsigned are readable here; nothing is cached (CloudFront's
caching, its signed URLs and its TLS are not emulated).
"""

import posixpath
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

from local.lambda_emulator.loopback_server import LoopbackServer


class SiteOrigin(LoopbackServer):
    def __init__(self, s3: Any, bucket: str, prefixes: tuple[str, ...], host: str = "127.0.0.1") -> None:
        """`s3`: a client with the bucket owner's credentials (the distribution's origin access)."""
        super().__init__(_Handler, host)
        self.s3, self.bucket, self.prefixes = s3, bucket, tuple(p.rstrip("/") + "/" for p in prefixes)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SiteOrigin

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": headers.get("Content-Length", str(len(body)))}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        key = unquote(urlsplit(self.path).path).lstrip("/")
        # Dot segments resolved first (as CloudFront does), so `sites/../renders/...` is a renders/ key.
        if not posixpath.normpath("/" + key).lstrip("/").startswith(self.server.prefixes) or "/../" in f"/{key}/":
            self._send(403, b"Forbidden", {"Content-Type": "text/plain"})
            return
        extra = {"Range": self.headers["Range"]} if self.headers.get("Range") else {}
        try:
            obj = self.server.s3.get_object(Bucket=self.server.bucket, Key=key, **extra)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 502)
            self._send(404 if status in (403, 404) else status, b"Not Found", {"Content-Type": "text/plain"})
            return
        body = obj["Body"].read()
        headers = {
            "Content-Type": obj.get("ContentType", "application/octet-stream"),
            "Accept-Ranges": "bytes",
            "ETag": obj.get("ETag", ""),
        }
        if obj.get("ContentRange"):
            headers["Content-Range"] = obj["ContentRange"]
        self._send(206 if extra else 200, body, headers)

    do_HEAD = do_GET
