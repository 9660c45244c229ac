"""A deployed stack for `tools.smoke` to check, on moto (in-process `mock_aws`) plus a loopback HTTP
server that stands in for what moto has no equivalent of: the HTTP API (it checks each token with
Cognito, keeps records in the DynamoDB table and objects in S3 as the real service does, and turns
a render `succeeded` from a thread as the webhook would) and CloudFront (the serve URL, and signed
downloads whose signature it verifies against the key group's public key)."""

import base64
import io
import json
import re
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from functions.tables import SERVICE_TABLE, create_table_kwargs

STACK = "Framecast"
FUNCTION = "remotion-render-4-0-527-mem2048mb-disk2048mb-900sec"
SITE = "sites/framecast-0123456789abcdef"


def _key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Behaviour:
    """What the fake deployment does wrong, for the tests of each failing step."""

    webhook_arrives: bool = True
    render_status: str = "succeeded"
    deployed_version: str = "4.0.527"
    serve_page: bytes | None = None
    webhook_secret: str = "w" * 48
    private_key_matches: bool = True
    video: Path | None = None
    count_quota: bool = True


@dataclass
class FakeDeployment:
    behaviour: Behaviour
    region: str = "eu-central-1"
    progress_polls: int = 0  # GET /renders/{id} calls before the render ended
    records_written: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # AWS side, on moto --------------------------------------------------------------------------

    def create(self) -> "FakeDeployment":
        self.thread.start()
        b = self.behaviour
        self.bucket = "remotionlambda-eucentral1-abcdef12"
        boto3.client("s3").create_bucket(
            Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": self.region}
        )
        self.table = boto3.client("dynamodb").create_table(**create_table_kwargs(SERVICE_TABLE, "framecast-service"))[
            "TableDescription"
        ]["TableName"]
        role = boto3.client("iam").create_role(RoleName="render", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("index.js", "exports.handler = async () => ({})")
        boto3.client("lambda").create_function(
            FunctionName=FUNCTION,
            Runtime="nodejs22.x",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": code.getvalue()},
            Tags={"remotion-lambda": "true", "remotion-version": b.deployed_version},
        )
        # moto runs no Node: the function's answer to Remotion's `info` call is queued, in the shape the
        # pinned zip's infoHandler gives (tests/smoke/test_smoke.py reads it from the zip).
        from moto.awslambda_simple.models import lambda_simple_backends
        from moto.core import DEFAULT_ACCOUNT_ID

        lambda_simple_backends[DEFAULT_ACCOUNT_ID][self.region].lambda_simple_results_queue.append(
            json.dumps({"version": b.deployed_version, "type": "success"})
        )
        private, public = _key_pair()
        self.private_pem = private if b.private_key_matches else _key_pair()[0]
        cloudfront = boto3.client("cloudfront")
        self.key_id = cloudfront.create_public_key(
            PublicKeyConfig={"CallerReference": "framecast", "Name": "download", "EncodedKey": public}
        )["PublicKey"]["Id"]
        secrets = boto3.client("secretsmanager")
        webhook = secrets.create_secret(Name="framecast-webhook", SecretString=b.webhook_secret)["ARN"]
        download = secrets.create_secret(Name="framecast-download-key", SecretString=self.private_pem)["ARN"]
        idp = boto3.client("cognito-idp")
        self.pool = idp.create_user_pool(PoolName="framecast", UsernameAttributes=["email"])["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=self.pool,
            ClientName="smoke",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        self.outputs = {
            "ApiUrl": f"{self.base}/api",
            "UserPoolId": self.pool,
            "SmokeClientId": client,
            "TableName": self.table,
            "BucketName": self.bucket,
            "RenderFunctionName": FUNCTION,
            "RemotionVersion": "4.0.527",
            "ServeUrl": f"{self.base}/{SITE}/index.html",
            "WebhookSecretArn": webhook,
            "DownloadPrivateKeySecretArn": download,
            "DownloadKeyPairId": self.key_id,
        }
        boto3.client("cloudformation").create_stack(
            StackName=STACK,
            TemplateBody=json.dumps(
                {
                    "Resources": {"Alarms": {"Type": "AWS::SNS::Topic"}},
                    "Outputs": {name: {"Value": value} for name, value in self.outputs.items()},
                }
            ),
        )
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # The API's behaviour ---------------------------------------------------------------------------

    def _user(self, headers) -> str | None:
        token = (headers.get("Authorization") or "").removeprefix("Bearer ")
        try:
            attributes = boto3.client("cognito-idp").get_user(AccessToken=token)["UserAttributes"]
        except Exception:
            return None
        return next(a["Value"] for a in attributes if a["Name"] == "sub")

    def _put(self, user: str, sk: str, **values) -> None:
        item = {"pk": {"S": f"USER#{user}"}, "sk": {"S": sk}}
        item |= {k: ({"N": str(v)} if isinstance(v, int) else {"S": v}) for k, v in values.items()}
        boto3.client("dynamodb").put_item(TableName=self.table, Item=item)
        self.records_written.append(sk)

    def _get(self, user: str, sk: str) -> dict | None:
        item = (
            boto3.client("dynamodb")
            .get_item(TableName=self.table, Key={"pk": {"S": f"USER#{user}"}, "sk": {"S": sk}})
            .get("Item")
        )
        return {k: next(iter(v.values())) for k, v in item.items()} if item else None

    def _used_today(self, user: str) -> int:
        quota = self._get(user, f"QUOTA#{datetime.now(UTC):%Y-%m-%d}")
        return int(quota["count"]) if quota else 0

    def _finish(self, user: str, render_id: str, backend_id: str) -> None:
        """What the webhook does when Remotion reports the render done."""
        time.sleep(0.3)
        key = f"renders/{backend_id}/out.mp4"
        boto3.client("s3").put_object(Bucket=self.bucket, Key=key, Body=self.behaviour.video.read_bytes())
        boto3.client("s3").put_object(Bucket=self.bucket, Key=f"renders/{backend_id}/progress.json", Body=b"{}")
        self._put(
            user,
            f"RENDER#{render_id}",
            status=self.behaviour.render_status,
            backendRenderId=backend_id,
            bucketName=self.bucket,
            outputKey=key,
            renderSeconds="4.2",
            error="" if self.behaviour.render_status == "succeeded" else "the scene threw",
        )

    def _signed_url(self, key: str) -> str:
        private = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        signer = CloudFrontSigner(self.key_id, lambda m: private.sign(m, padding.PKCS1v15(), hashes.SHA1()))
        return signer.generate_presigned_url(
            f"{self.base}/{key}", date_less_than=datetime.now(UTC) + timedelta(hours=1)
        )

    def _signature_valid(self, url: str, query: dict) -> bool:
        """CloudFront's canned-policy check: RSA-SHA1 over the policy, with the key group's public key."""
        try:
            expires, signature, key_id = query["Expires"][0], query["Signature"][0], query["Key-Pair-Id"][0]
        except KeyError:
            return False
        policy = json.dumps(
            {"Statement": [{"Resource": url, "Condition": {"DateLessThan": {"AWS:EpochTime": int(expires)}}}]},
            separators=(",", ":"),
        ).encode()
        raw = base64.b64decode(signature.replace("-", "+").replace("_", "=").replace("~", "/"))
        encoded = boto3.client("cloudfront").get_public_key(Id=key_id)["PublicKey"]["PublicKeyConfig"]["EncodedKey"]
        try:
            serialization.load_pem_public_key(encoded.encode()).verify(raw, policy, padding.PKCS1v15(), hashes.SHA1())
        except Exception:
            return False
        return int(expires) > time.time()

    def _handler(self):
        deployment = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: dict | bytes | None = None, content_type: str = "application/json"):
                data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict:
                return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == f"/{SITE}/index.html":
                    page = deployment.behaviour.serve_page
                    return self._send(200 if page else 404, page or b"", "text/html; charset=utf-8")
                if parts.path.startswith("/renders/"):  # CloudFront's default behaviour: signed only
                    if not deployment._signature_valid(f"{deployment.base}{parts.path}", parse_qs(parts.query)):
                        return self._send(403, {"message": "Missing Key-Pair-Id query parameter or cookie value"})
                    body = boto3.client("s3").get_object(Bucket=deployment.bucket, Key=parts.path[1:])["Body"].read()
                    return self._send(200, body, "video/mp4")
                self._api("GET", parts.path)

            def do_POST(self):
                self._api("POST", urlsplit(self.path).path)

            def do_DELETE(self):
                self._api("DELETE", urlsplit(self.path).path)

            def _api(self, method: str, path: str):
                if not path.startswith("/api/"):
                    return self._send(404, {"error": {"code": "not_found", "message": path}})
                route = path.removeprefix("/api")
                user = deployment._user(self.headers)
                if user is None:
                    return self._send(401, {"message": "Unauthorized"})
                if (method, route) == ("GET", "/projects"):
                    return self._send(200, {"projects": []})
                if (method, route) == ("POST", "/projects"):
                    body = self._body()
                    assert body["scenes"][0]["tsxCode"]
                    project_id = f"prj_{uuid.uuid4().hex[:12]}"
                    deployment._put(user, f"PROJECT#{project_id}", title=body["title"])
                    return self._send(201, {"projectId": project_id})
                if method == "DELETE" and (match := re.fullmatch(r"/projects/([\w-]+)", route)):
                    boto3.client("dynamodb").delete_item(
                        TableName=deployment.table,
                        Key={"pk": {"S": f"USER#{user}"}, "sk": {"S": f"PROJECT#{match[1]}"}},
                    )
                    return self._send(204)
                if (method, route) == ("POST", "/renders"):
                    body = self._body()
                    assert (body["format"], body["quality"]) == ("mp4", "low") and self.headers["Idempotency-Key"]
                    render_id, backend_id = f"rnd_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex[:10]
                    deployment._put(
                        user,
                        f"RENDER#{render_id}",
                        status="rendering",
                        backendRenderId=backend_id,
                        bucketName=deployment.bucket,
                    )
                    if deployment.behaviour.count_quota:
                        deployment._put(
                            user, f"QUOTA#{datetime.now(UTC):%Y-%m-%d}", count=deployment._used_today(user) + 1
                        )
                    if deployment.behaviour.webhook_arrives:
                        threading.Thread(
                            target=deployment._finish, args=(user, render_id, backend_id), daemon=True
                        ).start()
                    return self._send(202, {"renderId": render_id, "status": "queued"})
                if method == "GET" and (match := re.fullmatch(r"/renders/([\w-]+)", route)):
                    record = deployment._get(user, f"RENDER#{match[1]}")
                    if record is None:
                        return self._send(404, {"error": {"code": "not_found", "message": "no such render"}})
                    if record["status"] == "rendering":
                        deployment.progress_polls += 1
                    return self._send(200, {"renderId": match[1], "status": record["status"]})
                if method == "POST" and (match := re.fullmatch(r"/renders/([\w-]+)/downloads", route)):
                    record = deployment._get(user, f"RENDER#{match[1]}")
                    return self._send(200, {"url": deployment._signed_url(record["outputKey"]), "expiresAt": "later"})
                if (method, route) == ("GET", "/exports/stats"):
                    return self._send(200, {"usedToday": deployment._used_today(user)})
                return self._send(404, {"error": {"code": "not_found", "message": route}})

        return Handler
