"""Emulated DynamoDB and S3: a moto server on loopback, made strict and durable.

Run as its own process (`python -m local.emulator --port N --state DIR`), so the handlers reach it
over HTTP exactly as they reach AWS. In front of moto sit three things moto does not do:

- **Signatures.** Every request must carry a valid AWS Signature Version 4 made with the local
  stack's credentials (header or presigned query), as AWS would check it; anything else is refused
  (403 for S3, 400 for DynamoDB, as AWS answers). moto itself accepts any signature, which let a
  hostile scene read every table with a made-up one.
- **S3 object ownership.** On a bucket whose ownership is BucketOwnerEnforced (AWS's default for
  a new bucket) a request carrying an ACL other than `bucket-owner-full-control` fails with
  `AccessControlListNotSupported`, as on AWS; moto accepts it. Other ownership settings accept ACLs.
- **Durability.** moto keeps everything in memory. After any request that changes something, the
  tables (definitions and items) and the objects are written to the state folder within
  FLUSH_SECONDS, and on every way the process ends but SIGKILL, so a crash loses at most that much.
  The process starts from that folder. It ignores SIGINT (a terminal's Ctrl-C reaches the whole
  process group; the local stack stops it after everything else), ends on SIGTERM, and ends when
  its standard input closes, which is how it notices that the stack that started it is gone.

One request at a time makes every request atomic, as DynamoDB's are (moto's transactions are not
atomic against concurrent requests on a threaded server).
"""

import argparse
import datetime
import hashlib
import hmac
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, unquote
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from functions.store import AwsAccess
from functions.tables import TableDefinition, create_table_kwargs

if TYPE_CHECKING:
    from moto.s3.models import S3Backend
    from werkzeug.serving import BaseWSGIServer

logger = logging.getLogger("framecast.emulator")
FLUSH_SECONDS = 0.5
CLOCK_SKEW_SECONDS = 15 * 60  # what AWS allows between a request's X-Amz-Date and its own clock
ACCESS_KEY_ENV, SECRET_KEY_ENV = "FRAMECAST_EMULATOR_ACCESS_KEY", "FRAMECAST_EMULATOR_SECRET_KEY"
REGION = "us-east-1"
READY = "emulator ready"
# DynamoDB operations that change nothing; everything else marks the tables for the next flush.
DYNAMODB_READS = {
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "TransactGetItems",
    "DescribeTable",
    "ListTables",
    "DescribeTimeToLive",
    "DescribeContinuousBackups",
    "ListTagsOfResource",
    "DescribeEndpoints",
    "DescribeLimits",
}
# Object metadata kept across restarts, as moto holds it (header names).
KEPT_HEADERS = ("content-type", "content-disposition", "content-encoding", "content-language", "cache-control")


# --- signatures ---------------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _uri_encode(text: str, safe: str = "-_.~") -> str:
    return quote(text, safe=safe)


def _canonical_query(raw_query: str, drop: str | None = None) -> str:
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        name, _, value = part.partition("=")
        name, value = unquote(name.replace("+", "%20")), unquote(value.replace("+", "%20"))
        if name != drop:
            pairs.append((_uri_encode(name), _uri_encode(value)))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def _header(environ: WSGIEnvironment, name: str) -> str | None:
    if name == "content-type":
        return environ.get("CONTENT_TYPE")
    if name == "content-length":
        return environ.get("CONTENT_LENGTH")
    return environ.get("HTTP_" + name.upper().replace("-", "_"))


def _signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def verify_sigv4(
    environ: WSGIEnvironment, body: bytes, access_key: str, secret_key: str, now: float | None = None
) -> None:
    """Check a request's AWS Signature Version 4 (Authorization header or presigned query); Refused if
    it is missing, made with other credentials, stale, or does not match the request."""
    now = time.time() if now is None else now
    raw_query = environ.get("QUERY_STRING", "")
    authorization = _header(environ, "authorization") or ""
    query = {unquote(k): unquote(v) for k, _, v in (p.partition("=") for p in raw_query.split("&") if p)}
    if authorization.startswith("AWS4-HMAC-SHA256 "):
        fields = dict(f.strip().split("=", 1) for f in authorization[len("AWS4-HMAC-SHA256 ") :].split(",") if "=" in f)
        credential, signed_headers, signature = (
            fields.get("Credential"),
            fields.get("SignedHeaders"),
            fields.get("Signature"),
        )
        amz_date = _header(environ, "x-amz-date") or ""
        payload_hash = _header(environ, "x-amz-content-sha256")
        presigned = False
    elif query.get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256":
        credential, signed_headers = query.get("X-Amz-Credential"), query.get("X-Amz-SignedHeaders")
        signature, amz_date, payload_hash = (
            query.get("X-Amz-Signature"),
            query.get("X-Amz-Date", ""),
            "UNSIGNED-PAYLOAD",
        )
        presigned = True
    else:
        raise Refused("MissingAuthenticationToken", "the request is not signed")
    if not (credential and signed_headers and signature):
        raise Refused("IncompleteSignature", "the signature is incomplete")
    scope = credential.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise Refused("IncompleteSignature", "the credential scope is malformed")
    key_id, day, region, service = scope[:4]
    if not hmac.compare_digest(key_id, access_key):
        raise Refused("InvalidAccessKeyId", "the access key is not the local stack's")
    try:
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC).timestamp()
    except ValueError:
        raise Refused("IncompleteSignature", "the request has no valid X-Amz-Date") from None
    if not amz_date.startswith(day):
        raise Refused("SignatureDoesNotMatch", "the credential's date is not the request's")
    if presigned:
        try:
            expires = int(query.get("X-Amz-Expires", ""))
        except ValueError:
            raise Refused("AuthorizationQueryParametersError", "X-Amz-Expires is not a number") from None
        if now > signed_at + expires or signed_at > now + CLOCK_SKEW_SECONDS:
            raise Refused("AccessDenied", "the presigned request has expired")
    elif abs(now - signed_at) > CLOCK_SKEW_SECONDS:
        raise Refused("RequestTimeTooSkewed", "the request's time is too far from the emulator's")
    body_hash = hashlib.sha256(body).hexdigest()
    if payload_hash is None:
        payload_hash = body_hash
    elif not payload_hash.startswith(("UNSIGNED-PAYLOAD", "STREAMING-")) and payload_hash != body_hash:
        raise Refused("XAmzContentSHA256Mismatch", "the body is not the one that was signed")
    # S3 signs the path as sent; other services sign it URI-encoded once more.
    raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")).split("?")[0]
    path = raw_path if service == "s3" else _uri_encode(raw_path, safe="/~")
    headers = signed_headers.split(";")
    canonical_headers = "".join(f"{name}:{' '.join((_header(environ, name) or '').split())}\n" for name in headers)
    canonical_request = "\n".join(
        [
            environ["REQUEST_METHOD"],
            path or "/",
            _canonical_query(raw_query, drop="X-Amz-Signature" if presigned else None),
            canonical_headers,
            signed_headers,
            payload_hash,
        ]
    )
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, "/".join(scope[1:]), hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    expected = hmac.new(_signing_key(secret_key, day, region, service), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Refused("SignatureDoesNotMatch", "the signature does not match the request")


# --- S3 object ownership ------------------------------------------------------------------------

DEFAULT_OWNERSHIP = "BucketOwnerEnforced"  # AWS's default for every new bucket since April 2023


def _s3_backends() -> list["S3Backend"]:
    from moto.s3.models import s3_backends

    return [backend for regions in s3_backends.values() for backend in regions.values()]


def bucket_ownership(bucket_name: str) -> str | None:
    for backend in _s3_backends():
        bucket = backend.buckets.get(bucket_name)
        if bucket is not None:
            # moto annotates ownership_rule as a dict; it holds the ObjectOwnership string (moto/s3/responses.py).
            return cast(str | None, bucket.ownership_rule) or DEFAULT_OWNERSHIP
    return None


def check_acl(environ: WSGIEnvironment) -> None:
    """AWS's rule for BucketOwnerEnforced: ACLs are disabled; only `bucket-owner-full-control` (or no
    ACL) may come with a write. Path-style requests (what boto3 sends to a loopback endpoint)."""
    method = environ["REQUEST_METHOD"]
    if method not in ("PUT", "POST"):
        return
    parts = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)
    query = environ.get("QUERY_STRING", "")
    acl = _header(environ, "x-amz-acl")
    grants = [k for k in environ if k.startswith("HTTP_X_AMZ_GRANT_")]
    sets_acl = "acl" in query.split("&") or acl is not None or grants
    if not parts[0] or not sets_acl or bucket_ownership(parts[0]) != "BucketOwnerEnforced":
        return
    creates_bucket = len(parts) == 1 and method == "PUT" and not query
    if creates_bucket:
        return
    if acl == "bucket-owner-full-control" and not grants:
        return
    raise Refused("AccessControlListNotSupported", "The bucket does not allow ACLs")


# --- durability ---------------------------------------------------------------------------------


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


class StateFolder:
    """The emulator's tables and objects on disk: dynamodb.json, s3.json and blobs/<sha256>.

    Objects are stored by the hash of their content and written before the manifest that names
    them, so a crash at any point leaves the previous state or the new one, never a mix.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.blobs = folder / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self._written: dict[tuple[str, str], tuple[str, str]] = {}  # (bucket, key) -> (etag, blob)

    def snapshot(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, bytes]]:
        """What moto holds now (call with requests held off): tables, objects and new blobs."""
        from moto.dynamodb.models import dynamodb_backends

        tables = []
        for regions in dynamodb_backends.values():
            for backend in regions.values():
                for table in backend.tables.values():
                    described = table.describe()["TableDescription"]
                    create = {
                        "TableName": table.name,
                        "KeySchema": described["KeySchema"],
                        "AttributeDefinitions": described["AttributeDefinitions"],
                        "BillingMode": "PAY_PER_REQUEST",
                    }
                    if described.get("GlobalSecondaryIndexes"):
                        create["GlobalSecondaryIndexes"] = [
                            {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
                            for i in described["GlobalSecondaryIndexes"]
                        ]
                    ttl = table.ttl.get("AttributeName") if table.ttl.get("TimeToLiveStatus") == "ENABLED" else None
                    tables.append(
                        {
                            "create": create,
                            "ttl": ttl,
                            "items": [item.to_json()["Attributes"] for item in table.all_items()],
                        }
                    )
        buckets, blobs = [], {}
        for s3_backend in _s3_backends():
            for bucket in s3_backend.buckets.values():
                objects = {}
                for key in bucket.keys.values():
                    if key is None or getattr(key, "is_delete_marker", False):
                        continue
                    known = self._written.get((bucket.name, key.name))
                    if known and known[0] == key.etag:
                        blob = known[1]
                    else:
                        value = key.value
                        blob = hashlib.sha256(value).hexdigest()
                        blobs[blob] = value
                        self._written[(bucket.name, key.name)] = (key.etag, blob)
                    headers = {k.lower(): v for k, v in dict(key.metadata).items()}
                    objects[key.name] = {
                        "blob": blob,
                        "headers": {
                            k: v for k, v in headers.items() if k in KEPT_HEADERS or k.startswith("x-amz-meta-")
                        },
                    }
                buckets.append({"name": bucket.name, "ownership": bucket.ownership_rule, "objects": objects})
        return {"tables": tables}, {"buckets": buckets}, blobs

    def write(self, dynamodb: dict[str, Any], s3: dict[str, Any], blobs: dict[str, bytes]) -> None:
        for blob, value in blobs.items():
            target = self.blobs / blob
            if not target.exists():
                _atomic_write(target, value)
        _atomic_write(self.folder / "dynamodb.json", json.dumps(dynamodb).encode())
        _atomic_write(self.folder / "s3.json", json.dumps(s3).encode())
        used = {o["blob"] for b in s3["buckets"] for o in b["objects"].values()}
        for path in self.blobs.iterdir():
            if path.name not in used and not path.name.startswith("."):
                path.unlink(missing_ok=True)

    def restore(self, endpoint: str, access_key: str, secret_key: str) -> int:
        """Put the saved tables and objects back, through the emulator's own API. Returns how many
        items and objects came back."""
        dynamodb_path, s3_path = self.folder / "dynamodb.json", self.folder / "s3.json"
        if not dynamodb_path.is_file() and not s3_path.is_file():
            return 0
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=REGION
        )
        dynamodb = session.client("dynamodb", endpoint_url=endpoint)
        s3 = session.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
        restored = 0
        for table in json.loads(dynamodb_path.read_text())["tables"] if dynamodb_path.is_file() else []:
            dynamodb.create_table(**table["create"])
            if table["ttl"]:
                dynamodb.update_time_to_live(
                    TableName=table["create"]["TableName"],
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": table["ttl"]},
                )
            for item in table["items"]:
                dynamodb.put_item(TableName=table["create"]["TableName"], Item=item)
                restored += 1
        for bucket in json.loads(s3_path.read_text())["buckets"] if s3_path.is_file() else []:
            s3.create_bucket(
                Bucket=bucket["name"], **({"ObjectOwnership": bucket["ownership"]} if bucket["ownership"] else {})
            )
            for key, saved in bucket["objects"].items():
                headers = saved["headers"]
                extra = {
                    param: headers[name]
                    for name, param in (
                        ("content-type", "ContentType"),
                        ("content-disposition", "ContentDisposition"),
                        ("content-encoding", "ContentEncoding"),
                        ("content-language", "ContentLanguage"),
                        ("cache-control", "CacheControl"),
                    )
                    if name in headers
                }
                metadata = {k[len("x-amz-meta-") :]: v for k, v in headers.items() if k.startswith("x-amz-meta-")}
                s3.put_object(
                    Bucket=bucket["name"],
                    Key=key,
                    Body=(self.blobs / saved["blob"]).read_bytes(),
                    Metadata=metadata,
                    **extra,
                )
                restored += 1
        return restored


# --- the server ---------------------------------------------------------------------------------


class Gate:
    """WSGI middleware in front of moto: signatures, the ACL rule, and marking changes for the flush."""

    def __init__(self, app: WSGIApplication, access_key: str, secret_key: str) -> None:
        self.app, self.access_key, self.secret_key = app, access_key, secret_key
        self.lock = threading.Lock()  # requests and snapshots never interleave
        self.dirty = threading.Event()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        body = stream.read(int(length)) if length else (stream.read() if environ.get("wsgi.input_terminated") else b"")
        environ["wsgi.input"] = io.BytesIO(body)
        target = _header(environ, "x-amz-target") or ""
        try:
            verify_sigv4(environ, body, self.access_key, self.secret_key)
            if not target:
                check_acl(environ)
        except Refused as refused:
            return self._refuse(refused, dynamodb=bool(target), start_response=start_response)
        with self.lock:
            result = list(self.app(environ, start_response))
        if target.startswith("DynamoDB_") and target.split(".")[-1] not in DYNAMODB_READS:
            self.dirty.set()
        elif not target and environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            self.dirty.set()
        return result

    @staticmethod
    def _refuse(refused: Refused, dynamodb: bool, start_response: StartResponse) -> list[bytes]:
        if dynamodb:  # DynamoDB's JSON errors, with the status AWS uses for signature problems
            body = json.dumps(
                {"__type": f"com.amazon.coral.service#{refused.code}Exception", "message": refused.message}
            ).encode()
            start_response(
                "400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body)))]
            )
            return [body]
        status = (
            "400 Bad Request"
            if refused.code in ("AccessControlListNotSupported", "XAmzContentSHA256Mismatch")
            else "403 Forbidden"
        )
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{refused.code}</Code>'
            f"<Message>{refused.message}</Message></Error>"
        ).encode()
        start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]


class Emulator:
    def __init__(self, host: str, port: int, state: Path | None, access_key: str, secret_key: str):
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.host, self.port = host, port
        self.gate = Gate(DomainDispatcherApplication(create_backend_app), access_key, secret_key)
        self.state = StateFolder(state) if state else None
        self.credentials = (access_key, secret_key)
        self.server: BaseWSGIServer | None = None
        self._ended = threading.Event()
        self._flushing = threading.Lock()  # the flush thread's and the final one never overlap

    def _serve(self, port: int) -> "BaseWSGIServer":
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from werkzeug.serving import make_server

        server = make_server(self.host, port, self.gate, threaded=False, request_handler=MotoRequestHandler)
        threading.Thread(target=server.serve_forever, daemon=True, name=f"serve-{port}").start()
        return server

    def flush(self) -> None:
        if not self.state:
            return
        with self._flushing:
            with self.gate.lock:
                self.gate.dirty.clear()
                dynamodb, s3, blobs = self.state.snapshot()
            self.state.write(dynamodb, s3, blobs)

    def _flush_every(self, seconds: float) -> None:
        while not self._ended.is_set():
            if self.gate.dirty.wait(seconds) and not self._ended.is_set():
                try:
                    self.flush()
                except Exception:  # the next change tries again; the log says why this one failed
                    logger.exception("could not save the emulator's state")
                time.sleep(seconds)  # at most one flush per interval, however busy

    def run(self, watch_stdin: bool) -> None:
        restored = 0
        if self.state:
            # Restored through a port of its own: the stack's port answers only once all is back
            # (until then its calls are refused, which the adapter answers with a 503).
            staging = self._serve(0)
            try:
                restored = self.state.restore(f"http://{self.host}:{staging.server_port}", *self.credentials)
            finally:
                staging.shutdown()
                staging.server_close()
        self.gate.dirty.clear()
        self.server = self._serve(self.port)
        endpoint = f"http://{self.host}:{self.server.server_port}"
        threading.Thread(target=self._flush_every, args=(FLUSH_SECONDS,), daemon=True, name="flush").start()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: self._ended.set())
        if watch_stdin:
            threading.Thread(target=self._until_stdin_closes, daemon=True, name="stdin").start()
        print(f"{READY} on {endpoint}; {restored} items and objects restored", flush=True)
        while not self._ended.wait(1):
            pass
        self.server.shutdown()  # waits for the request being served, if any
        self.flush()
        os._exit(0)  # the stdin reader may still be blocked in read(); nothing is left to do

    def _until_stdin_closes(self) -> None:
        while sys.stdin.buffer.read(4096):
            pass
        self._ended.set()


# --- used by the local stack --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(
    port: int, log_path: Path, state: Path | None, access_key: str, secret_key: str
) -> tuple[subprocess.Popen[bytes], int]:
    """Start the emulator process; returns it once it serves, with how many items and objects it restored.

    Its standard input stays a pipe held by this process: when this process ends, however it
    ends, the pipe closes and the emulator saves and exits.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "local.emulator", "--port", str(port), "--watch-stdin"]
    if state:
        command += ["--state", str(state)]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, ACCESS_KEY_ENV: access_key, SECRET_KEY_ENV: secret_key},
        )
    assert process.stdout is not None  # a pipe (above)
    line = process.stdout.readline().decode()
    if not line.startswith(READY):
        process.kill()
        process.wait()
        raise RuntimeError(f"the emulator did not start; see {log_path}")
    process.stdout.close()
    match = re.search(r"(\d+) items and objects restored", line)
    return process, int(match.group(1)) if match else 0


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Ask the emulator to save and exit (its standard input closes); kill it if it does not."""
    if process.poll() is None:
        assert process.stdin is not None  # start() made it a pipe
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def create_resources(aws: AwsAccess, tables: dict[str, TableDefinition], bucket: str, object_ownership: str) -> None:
    """Tables and bucket from the same definitions the CDK uses; nothing happens to what exists."""
    dynamodb, s3 = aws.client("dynamodb"), aws.client("s3")
    existing = set(dynamodb.list_tables()["TableNames"])
    for name, definition in tables.items():
        if name not in existing:
            dynamodb.create_table(**create_table_kwargs(definition, name))
            if definition.ttl_attribute:
                dynamodb.update_time_to_live(
                    TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": definition.ttl_attribute}
                )
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        s3.create_bucket(Bucket=bucket, ObjectOwnership=object_ownership)
        return
    # A bucket kept from an earlier start follows the definition if it has changed since.
    try:
        current = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]
    except ClientError:
        current = None
    if current != object_ownership:
        s3.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": object_ownership}]}
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description="moto server for DynamoDB and S3: signed requests only, AWS's ACL rule, state kept in a folder"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--state", type=Path, help="folder the tables and objects are kept in")
    parser.add_argument("--watch-stdin", action="store_true", help="save and exit when standard input closes")
    options = parser.parse_args()
    access_key, secret_key = os.environ.get(ACCESS_KEY_ENV), os.environ.get(SECRET_KEY_ENV)
    if not access_key or not secret_key:
        parser.error(f"{ACCESS_KEY_ENV} and {SECRET_KEY_ENV} must name the credentials requests are signed with")
    logging.basicConfig(level=logging.WARNING)
    Emulator(options.host, options.port, options.state, access_key, secret_key).run(options.watch_stdin)


if __name__ == "__main__":
    main()
