"""A front for the emulated S3 that logs every request and applies S3's rule for ACLs, which moto does not.

The render function and the site's browser reach S3 through this front; it forwards each request to
the local stack's moto server unchanged and records what was asked and answered (method, bucket,
key, the ACL headers, the status). moto accepts any ACL on any bucket; S3 does not. With the
bucket's Object Ownership at BucketOwnerEnforced (what S3 gives a new bucket with no ownership
controls, since April 2023), every request that sets an ACL fails with 400
AccessControlListNotSupported unless the ACL is `bucket-owner-full-control`
(docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html). This
front answers exactly that, so a bucket set up as the stack sets it up accepts or refuses the
render function's writes as S3 would.
"""

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
from botocore.exceptions import ClientError

from local.lambda_emulator.loopback_server import LoopbackServer

ACL_HEADERS = ("x-amz-acl", "x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp",
               "x-amz-grant-write", "x-amz-grant-write-acp")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
ACCESS_CONTROL_LIST_NOT_SUPPORTED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessControlListNotSupported</Code>'
    "<Message>The bucket does not allow ACLs</Message></Error>"
)


class S3Front(LoopbackServer):

    def __init__(self, upstream_port: int, log_path: Path, host: str = "127.0.0.1"):
        super().__init__(_Handler, host)
        self.upstream_port = upstream_port
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_lock = threading.Lock()
        self._ownership: dict[str, tuple[float, str]] = {}
        self._s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{upstream_port}", region_name="us-east-1",
                                aws_access_key_id="local", aws_secret_access_key="local")


    def object_ownership(self, bucket: str) -> str:
        """The bucket's Object Ownership, read from moto (cached a second); S3's default when unset."""
        cached = self._ownership.get(bucket)
        if cached and time.monotonic() - cached[0] < 1:
            return cached[1]
        try:
            rules = self._s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
            ownership = rules[0]["ObjectOwnership"]
        except ClientError:
            ownership = "BucketOwnerEnforced"
        self._ownership[bucket] = (time.monotonic(), ownership)
        return ownership

    def record(self, entry: dict) -> None:
        with self._log_lock, open(self.log_path, "a") as log:
            log.write(json.dumps(entry) + "\n")


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: S3Front

    def log_message(self, format: str, *args) -> None:
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
        path = unquote(urlsplit(self.path).path).lstrip("/")
        host = (self.headers.get("Host") or "").split(":")[0]
        if host.count(".") >= 1 and not host.replace(".", "").isdigit() and host != "localhost":
            return host.split(".")[0], path or None  # virtual-hosted style
        bucket, _, key = path.partition("/")
        return bucket or None, key or None

    def _refuses_acl(self, bucket: str | None, acl_headers: dict) -> bool:
        if self.command not in ("PUT", "POST") or not bucket:
            return False
        sets_acl = "acl" in parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        if not acl_headers and not sets_acl:
            return False
        if self.server.object_ownership(bucket) != "BucketOwnerEnforced":
            return False
        return acl_headers != {"x-amz-acl": "bucket-owner-full-control"}

    def _handle(self) -> None:
        body = self._body()
        bucket, key = self._bucket_and_key()
        acl_headers = {h: self.headers[h] for h in ACL_HEADERS if self.headers.get(h) is not None}
        entry = {"at": time.time(), "method": self.command, "bucket": bucket, "key": key,
                 "query": urlsplit(self.path).query, "acl": acl_headers, "bytes": len(body),
                 "userAgent": (self.headers.get("User-Agent") or "")[:120]}
        if self._refuses_acl(bucket, acl_headers):
            data = ACCESS_CONTROL_LIST_NOT_SUPPORTED.encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.server.record({**entry, "status": 400, "error": "AccessControlListNotSupported"})
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Content-Length"] = str(len(body))
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=120)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        finally:
            upstream.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        # A HEAD answer's Content-Length is the object's size (the SDK reads it), not the empty body's.
        self.send_header("Content-Length", response.getheader("Content-Length", "0") if self.command == "HEAD"
                         else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.server.record({**entry, "status": response.status})

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle
