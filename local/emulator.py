"""Emulated DynamoDB and S3: a moto server on loopback that serves one request at a time.

Run as its own process (`python -m local.emulator --port N`), so the handlers reach it over HTTP
exactly as they reach AWS. One request at a time makes every request atomic, as DynamoDB's are
(moto's transactions are not atomic against concurrent requests on a threaded server).

moto keeps everything in memory. `save_state`/`load_state` copy the tables' items and the
bucket's objects to and from a folder, which is how the local stack survives a restart; what is
not copied (idempotency records in flight, S3 object versions, TTL) starts afresh.
"""

import argparse
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from functions.tables import TableDefinition, create_table_kwargs


def serve(host: str, port: int) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(host, port, app, threaded=False, request_handler=MotoRequestHandler)
    print(f"emulator on http://{host}:{port}", flush=True)
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "local.emulator", "--port", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the emulator exited; see {log_path}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the emulator did not start in 30 s; see {log_path}")


def create_resources(tables: dict[str, TableDefinition], bucket: str) -> None:
    """Tables and bucket from the same definitions the CDK uses; nothing happens to what exists."""
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    existing = set(dynamodb.list_tables()["TableNames"])
    for name, definition in tables.items():
        if name not in existing:
            dynamodb.create_table(**create_table_kwargs(definition, name))
            if definition.ttl_attribute:
                dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": definition.ttl_attribute})
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        s3.create_bucket(Bucket=bucket)


def save_state(folder: Path, tables: list[str], bucket: str) -> None:
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        items = [item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]]
        (folder / f"{table}.json").write_text(json.dumps(items))
    objects = folder / "objects"
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            target = objects / obj["Key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, obj["Key"], str(target))


def load_state(folder: Path, tables: list[str], bucket: str) -> int:
    """Put back what save_state kept; returns how many items and objects came back."""
    if not folder.is_dir():
        return 0
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    restored = 0
    for table in tables:
        path = folder / f"{table}.json"
        for item in json.loads(path.read_text()) if path.is_file() else []:
            dynamodb.put_item(TableName=table, Item=item)
            restored += 1
    objects = folder / "objects"
    for path in objects.rglob("*") if objects.is_dir() else []:
        if path.is_file():
            s3.upload_file(str(path), bucket, str(path.relative_to(objects)))
            restored += 1
    return restored


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="moto server for DynamoDB and S3, one request at a time")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    options = parser.parse_args()
    serve(options.host, options.port)
