"""`make smoke`: check a deployed Framecast stack end to end, step by step, stopping at the first
broken step with what broke.

    python -m tools.smoke [--stack Framecast] [--region eu-central-1] [--timeout 600]

It reads the stack's outputs (CloudFormation DescribeStacks), then: the region holds one
remotionlambda-* bucket (the remotion_lambda client's rule); the render function's Remotion
version is the pinned one; the serve URL loads; the webhook secret is set; the download key in
Secrets Manager matches CloudFront's public key; a throw-away user signs in; a 2-second export goes
through the deployed API and its record turns `succeeded` in DynamoDB while nobody asks the API
for progress (so the real webhook did it); the signed download is an mp4 of 2 s (ffprobe); the
quota counted it. Then it removes what it made (project, records, output, user), also after a
failure. Credentials: the operator's AWS profile (docs/deploy.md lists what it calls).
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from functions import REPO_ROOT
from functions.contract import ENDED_STATUSES, FPS

COMPOSITOR = REPO_ROOT / "node_modules/@remotion/compositor-linux-x64-gnu"
OUTPUTS = (
    "ApiUrl",
    "UserPoolId",
    "SmokeClientId",
    "TableName",
    "BucketName",
    "RenderFunctionName",
    "RemotionVersion",
    "ServeUrl",
    "WebhookSecretArn",
    "DownloadPrivateKeySecretArn",
    "DownloadKeyPairId",
)
EXPORT_SECONDS = 2
# The scene of the 2-second smoke export (its length is the project's durationInFrames).
SCENE = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default function Smoke() {
  const frame = useCurrentFrame();
  return <AbsoluteFill style={{background: '#123', color: 'white', fontSize: 120, justifyContent: 'center',
    alignItems: 'center'}}>smoke {frame}</AbsoluteFill>;
}
"""


def pinned_remotion_version() -> str:
    from remotion_lambda.version import VERSION

    version: str = VERSION  # the client is untyped
    return version


class StepFailed(Exception):
    pass


@dataclass
class Http:
    """JSON over HTTPS with the standard library; every answer is (status, body)."""

    timeout: float = 30
    # An emulator's addresses, like curl's --connect-to: (host suffix, "http://127.0.0.1:PORT") pairs.
    # A URL whose host ends so goes there, with its own Host header (make deploy-local). Empty on AWS.
    connect_to: tuple[tuple[str, str], ...] = ()

    def request(
        self, method: str, url: str, body: Any = None, token: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        parts = urllib.parse.urlsplit(url)
        for suffix, origin in self.connect_to:
            if (parts.hostname or "").endswith(suffix):
                sent["Host"] = parts.netloc
                if parts.scheme == "https":  # as a TLS terminator in front of the emulator says
                    sent["X-Forwarded-Proto"] = "https"
                url = origin.rstrip("/") + urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
                break
        request = urllib.request.Request(url, data=data, method=method, headers={**sent, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise StepFailed(f"{method} {url}: {error}") from error

    def json(self, method: str, url: str, expect: int, **kwargs: Any) -> dict[str, Any]:
        status, body, _ = self.request(method, url, **kwargs)
        if status != expect:
            raise StepFailed(
                f"{method} {url} answered {status}, expected {expect}: {body[:500].decode(errors='replace')}"
            )
        answer: dict[str, Any] = json.loads(body) if body else {}
        return answer


def ffprobe(path: Path) -> dict[str, Any]:
    env = {**os.environ, "LD_LIBRARY_PATH": str(COMPOSITOR)}
    done = subprocess.run(
        [str(COMPOSITOR / "ffprobe"), "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise StepFailed(f"ffprobe could not read the download: {done.stderr.strip()[:500]}")
    probe: dict[str, Any] = json.loads(done.stdout)
    return probe


@dataclass
class Smoke:
    session: boto3.Session
    stack_name: str
    http: Http = field(default_factory=Http)
    say: Callable[[str], None] = print
    render_timeout: float = 600
    poll_seconds: float = 5
    outputs: dict[str, str] = field(default_factory=dict)
    # What the run made, for the cleanup.
    username: str | None = None
    user_id: str | None = None
    token: str | None = None
    project_id: str | None = None
    render_id: str | None = None
    used_before: int | None = None
    record: dict[str, Any] = field(default_factory=dict)
    # Steps not run, each with why (make deploy-local: what the emulator cannot do). Empty on AWS.
    skip: dict[str, str] = field(default_factory=dict)

    def client(self, service: str) -> Any:  # boto3's clients are untyped here (no boto3-stubs)
        return self.session.client(service)

    def api(self, path: str) -> str:
        return self.outputs["ApiUrl"].rstrip("/") + path

    # The steps, in order -------------------------------------------------------------------------

    def stack_outputs(self) -> str:
        try:
            [stack] = self.client("cloudformation").describe_stacks(StackName=self.stack_name)["Stacks"]
        except ClientError as error:
            raise StepFailed(f"no stack {self.stack_name!r}: {error}") from error
        if not stack["StackStatus"].endswith("_COMPLETE") or "ROLLBACK" in stack["StackStatus"]:
            raise StepFailed(f"stack {self.stack_name} is {stack['StackStatus']}")
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        missing = [name for name in OUTPUTS if not self.outputs.get(name)]
        if missing:
            raise StepFailed(
                f"stack {self.stack_name} lacks the outputs {', '.join(missing)} (deployed from an older "
                "version of stacks/?)"
            )
        return f"{self.stack_name} {stack['StackStatus']}"

    def one_remotion_bucket(self) -> str:
        """What the remotion_lambda client does before it uploads large input props: every
        remotionlambda-* bucket of the account, located; more than one in the region fails renders."""
        s3 = self.client("s3")
        region = self.session.region_name
        here = []
        for bucket in s3.list_buckets().get("Buckets", []):
            if bucket["Name"].startswith("remotionlambda-"):
                location = s3.get_bucket_location(Bucket=bucket["Name"]).get("LocationConstraint") or "us-east-1"
                if location == region:
                    here.append(bucket["Name"])
        if here != [self.outputs["BucketName"]]:
            raise StepFailed(
                f"the region {region} must hold exactly one remotionlambda-* bucket, this stack's "
                f"{self.outputs['BucketName']}; it holds {here or 'none'}. Exports with large props "
                "would fail (docs/deploy.md, step 1)"
            )
        return self.outputs["BucketName"]

    def render_function_version(self) -> str:
        """Remotion's own check (getFunctionVersion): invoke the function with the `info` routine,
        which answers {version, type: "success"} from the code actually deployed."""
        pinned = pinned_remotion_version()
        name = self.outputs["RenderFunctionName"]
        functions = self.client("lambda")
        try:
            state = functions.get_function(FunctionName=name)["Configuration"].get("State", "Active")
            if state != "Active":
                raise StepFailed(f"render function {name} is {state}")
            answer = functions.invoke(FunctionName=name, Payload=json.dumps({"type": "info", "logLevel": "info"}))
        except ClientError as error:
            raise StepFailed(f"render function {name}: {error}") from error
        body = answer["Payload"].read().decode(errors="replace")
        try:
            info = json.loads(body)
        except json.JSONDecodeError:
            info = {}
        if answer.get("FunctionError") or info.get("type") != "success":
            raise StepFailed(f"render function {name} did not answer Remotion's info call: {body[:300]}")
        if info.get("version") != pinned or self.outputs["RemotionVersion"] != pinned:
            raise StepFailed(
                f"render function {name} runs Remotion {info.get('version')}, the client here is {pinned}: "
                "the client refuses a mismatch"
            )
        return f"{name} runs Remotion {pinned}"

    def serve_url_loads(self) -> str:
        url = self.outputs["ServeUrl"]
        status, body, headers = self.http.request("GET", url)
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        if status != 200 or "text/html" not in content_type or b"<script" not in body:
            raise StepFailed(f"serve URL {url} answered {status} {content_type!r}, not the Remotion bundle's page")
        return url

    def webhook_secret_is_set(self) -> str:
        value = self._secret(self.outputs["WebhookSecretArn"])
        if len(value) < 32:
            raise StepFailed("the webhook secret is shorter than 32 characters")
        return "set"

    def download_key_is_usable(self) -> str:
        pem = self._secret(self.outputs["DownloadPrivateKeySecretArn"])
        try:
            private = serialization.load_pem_private_key(pem.encode(), password=None)
        except ValueError as error:
            raise StepFailed(
                'the download key secret holds no PEM private key (docs/deploy.md, "Download signing key")'
            ) from error
        key_id = self.outputs["DownloadKeyPairId"]
        encoded = self.client("cloudfront").get_public_key(Id=key_id)["PublicKey"]["PublicKeyConfig"]["EncodedKey"]
        public = serialization.load_pem_public_key(encoded.encode())
        message = b"framecast smoke"
        # CloudFront's key groups hold RSA keys (functions/wiring.py signs with the same one).
        signature = cast(rsa.RSAPrivateKey, private).sign(
            message, padding.PKCS1v15(), hashes.SHA1()
        )  # CloudFront's signed-URL scheme
        try:
            cast(rsa.RSAPublicKey, public).verify(signature, message, padding.PKCS1v15(), hashes.SHA1())
        except Exception as error:
            raise StepFailed(
                f"the private key in Secrets Manager does not match CloudFront's public key {key_id}: "
                "downloads would be refused"
            ) from error
        return f"matches CloudFront key {key_id}"

    def sign_in(self) -> str:
        cognito = self.client("cognito-idp")
        pool, client_id = self.outputs["UserPoolId"], self.outputs["SmokeClientId"]
        self.username = f"smoke-{secrets.token_hex(6)}@framecast.invalid"
        password = f"Sm0ke!{secrets.token_urlsafe(18)}"
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=self.username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": self.username}, {"Name": "email_verified", "Value": "true"}],
        )
        cognito.admin_set_user_password(UserPoolId=pool, Username=self.username, Password=password, Permanent=True)
        attributes = cognito.admin_get_user(UserPoolId=pool, Username=self.username)["UserAttributes"]
        self.user_id = next(a["Value"] for a in attributes if a["Name"] == "sub")
        auth = cognito.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.username, "PASSWORD": password},
        )
        if "AuthenticationResult" not in auth:
            raise StepFailed(f"sign-in asked for {auth.get('ChallengeName')}, not a token")
        self.token = auth["AuthenticationResult"]["AccessToken"]
        self.http.json("GET", self.api("/projects"), 200, token=self.token)  # the JWT authorizer accepts it
        return f"{self.username} ({self.user_id})"

    def project_saved(self) -> str:
        self.used_before = self._used_today()
        project = self.http.json(
            "POST",
            self.api("/projects"),
            201,
            token=self.token,
            body={
                "title": "framecast smoke",
                "format": "landscape",
                "scenes": [
                    {"id": "smoke", "name": "Smoke", "durationInFrames": EXPORT_SECONDS * FPS, "tsxCode": SCENE}
                ],
            },
        )
        self.project_id = project["projectId"]
        return f"project {self.project_id}"

    def export(self) -> str:
        started = self.http.json(
            "POST",
            self.api("/renders"),
            202,
            token=self.token,
            body={"projectId": self.project_id, "format": "mp4", "quality": "low"},
            headers={"Idempotency-Key": secrets.token_hex(16)},
        )
        self.render_id = started["renderId"]
        return f"render {self.render_id} {started['status']}"

    def status_flips_by_webhook(self) -> str:
        """Reads the record in DynamoDB and never calls GET /renders/{id} (which refreshes progress from
        the render function itself): if the status changes, the webhook changed it."""
        table = self.client("dynamodb")
        key = {"pk": {"S": f"USER#{self.user_id}"}, "sk": {"S": f"RENDER#{self.render_id}"}}
        deadline = time.monotonic() + self.render_timeout
        while True:
            item = table.get_item(TableName=self.outputs["TableName"], Key=key, ConsistentRead=True).get("Item")
            if item is None:
                raise StepFailed(f"render {self.render_id} has no record in {self.outputs['TableName']}")
            self.record = {k: next(iter(v.values())) for k, v in item.items()}
            status = self.record.get("status")
            if status in ENDED_STATUSES:
                break
            if time.monotonic() > deadline:
                raise StepFailed(
                    f"render {self.render_id} still {status} after {self.render_timeout:.0f} s: no webhook "
                    "arrived (check the render function's logs and WEBHOOK_URL)"
                )
            time.sleep(self.poll_seconds)
        if status != "succeeded":
            raise StepFailed(f"render {self.render_id} ended {status}: {self.record.get('error') or 'no error given'}")
        api_view = self.http.json("GET", self.api(f"/renders/{self.render_id}"), 200, token=self.token)
        if api_view["status"] != "succeeded":
            raise StepFailed(f"the API says {api_view['status']} where the table says succeeded")
        return f"succeeded ({self.record.get('renderSeconds', '?')} s of rendering)"

    def signed_download(self) -> str:
        link = self.http.json("POST", self.api(f"/renders/{self.render_id}/downloads"), 200, token=self.token)
        url = link["url"]
        if "Signature=" not in url or "Key-Pair-Id=" not in url:
            raise StepFailed(f"the download URL is not a CloudFront signed URL: {url[:200]}")
        status, body, _ = self.http.request("GET", url)
        if status != 200:
            raise StepFailed(f"the signed download answered {status}")
        unsigned = url.split("?")[0]
        status_unsigned, _, _ = self.http.request("GET", unsigned)
        if status_unsigned == 200:
            raise StepFailed(f"the render is downloadable without a signature: {unsigned}")
        with tempfile.TemporaryDirectory(prefix="framecast-smoke-") as folder:
            path = Path(folder) / "smoke.mp4"
            path.write_bytes(body)
            probe = ffprobe(path)
        video = [s for s in probe.get("streams", []) if s.get("codec_type") == "video"]
        duration = float(probe.get("format", {}).get("duration", 0))
        if not video or video[0].get("codec_name") != "h264" or abs(duration - EXPORT_SECONDS) > 0.5:
            raise StepFailed(
                f"the download is not a {EXPORT_SECONDS} s h264 mp4: "
                f"{[s.get('codec_name') for s in video]}, {duration:.2f} s"
            )
        return f"{len(body)} bytes, h264, {duration:.2f} s"

    def quota_counted(self) -> str:
        used = self._used_today()
        if used != (self.used_before or 0) + 1:
            raise StepFailed(f"usedToday went from {self.used_before} to {used}, not up by one")
        return f"usedToday {used}"

    # Cleanup, after success or failure -------------------------------------------------------------

    def cleanup(self) -> str:
        done, problems = [], []

        def attempt(what: str, action: Callable[[], object]) -> None:
            try:
                action()
                done.append(what)
            except (ClientError, BotoCoreError, StepFailed) as error:
                problems.append(f"{what}: {error}")

        if self.project_id and self.token:
            attempt(
                "project",
                lambda: self.http.json("DELETE", self.api(f"/projects/{self.project_id}"), 204, token=self.token),
            )
        if self.record.get("outputKey") or self.record.get("backendRenderId"):
            attempt("render files", self._delete_render_files)
        if self.user_id:
            attempt("records", self._delete_records)
        if self.username:
            attempt(
                "user",
                lambda: self.client("cognito-idp").admin_delete_user(
                    UserPoolId=self.outputs["UserPoolId"], Username=self.username
                ),
            )
        if problems:
            raise StepFailed("; ".join(problems))
        return "removed " + (", ".join(done) or "nothing (nothing was made)")

    def run(self) -> int:
        steps = [
            ("stack outputs", self.stack_outputs),
            ("one Remotion bucket", self.one_remotion_bucket),
            ("render function version", self.render_function_version),
            ("serve URL loads", self.serve_url_loads),
            ("webhook secret", self.webhook_secret_is_set),
            ("download key", self.download_key_is_usable),
            ("sign-in", self.sign_in),
            ("project saved", self.project_saved),
            ("2-second export", self.export),
            ("status flips by the webhook", self.status_flips_by_webhook),
            ("signed download", self.signed_download),
            ("quota counted", self.quota_counted),
        ]
        failed = False
        try:
            for name, step in steps:
                if name in self.skip:
                    self.say(f"skip  {name}: {self.skip[name]}")
                    continue
                try:
                    self.say(f"ok    {name}: {step()}")
                except (StepFailed, ClientError, BotoCoreError) as error:
                    self.say(f"FAIL  {name}: {error}")
                    failed = True
                    break
        finally:
            if self.outputs:
                try:
                    self.say(f"ok    cleanup: {self.cleanup()}")
                except StepFailed as error:
                    self.say(f"FAIL  cleanup: {error}")
                    failed = True
        self.say("smoke FAILED" if failed else "smoke passed")
        return 1 if failed else 0

    # Helpers ---------------------------------------------------------------------------------------

    def _secret(self, arn: str) -> str:
        try:
            value: str = self.client("secretsmanager").get_secret_value(SecretId=arn).get("SecretString", "")
        except ClientError as error:
            raise StepFailed(f"secret {arn}: {error.response['Error']['Code']} (was a value ever put?)") from error
        if not value.strip():
            raise StepFailed(f"secret {arn} is empty")
        return value

    def _used_today(self) -> int:
        return int(self.http.json("GET", self.api("/exports/stats"), 200, token=self.token)["usedToday"])

    def _delete_render_files(self) -> None:
        s3 = self.client("s3")
        bucket = self.record.get("bucketName") or self.outputs["BucketName"]
        prefixes = {f"renders/{self.record['backendRenderId']}/"} if self.record.get("backendRenderId") else set()
        keys = {self.record["outputKey"]} if self.record.get("outputKey") else set()
        for prefix in prefixes:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                keys |= {o["Key"] for o in page.get("Contents", [])}
        for key in sorted(keys):
            s3.delete_object(Bucket=bucket, Key=key)

    def _delete_records(self) -> None:
        dynamodb = self.client("dynamodb")
        table, pk = self.outputs["TableName"], f"USER#{self.user_id}"
        for page in dynamodb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ProjectionExpression="pk, sk",
        ):
            for item in page.get("Items", []):
                dynamodb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="framecast smoke", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="Framecast", help="the deployed stack's name (context stackName)")
    parser.add_argument("--region", default=None, help="its region (default: your AWS profile's)")
    parser.add_argument("--profile", default=None, help="the AWS profile to use")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the render's webhook")
    args = parser.parse_args(argv)
    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    return Smoke(session=session, stack_name=args.stack, render_timeout=args.timeout).run()


if __name__ == "__main__":
    sys.exit(main())
