"""The emulator: only requests signed with the local stack's credentials, AWS's S3 ACL rule, and its
state written through to disk (nothing lost on a stop, at most FLUSH_SECONDS on SIGKILL)."""

import signal
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from functions.tables import SERVICE_TABLE, create_table_kwargs
from local import emulator

ACCESS, SECRET = "FRAMECASTLOCALTEST", "test-secret-of-the-stack"


class Running:
    def __init__(self, state, log):
        self.port = emulator.free_port()
        self.state, self.log = state, log
        self.process, self.restored = emulator.start(self.port, log, state, ACCESS, SECRET)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str, secret: str = SECRET, access: str = ACCESS, **config):
        session = boto3.session.Session(aws_access_key_id=access, aws_secret_access_key=secret, region_name="us-east-1")
        return session.client(service, endpoint_url=self.endpoint, config=Config(retries={"max_attempts": 1}, **config))

    def restart(self) -> "Running":
        emulator.stop(self.process)
        return Running(self.state, self.log)


@pytest.fixture
def running(tmp_path):
    instance = Running(tmp_path / "state", tmp_path / "emulator.log")
    yield instance
    emulator.stop(instance.process)


def _seed(running: Running) -> None:
    dynamodb, s3 = running.client("dynamodb"), running.client("s3")
    dynamodb.create_table(**create_table_kwargs(SERVICE_TABLE, "service"))
    dynamodb.put_item(TableName="service", Item={"pk": {"S": "USER#a"}, "sk": {"S": "PROJECT#1"}, "secret": {"S": "x"}})
    s3.create_bucket(Bucket="bucket-preferred", ObjectOwnership="BucketOwnerPreferred")
    s3.put_object(Bucket="bucket-preferred", Key="projects/a/1.json", Body=b"[]", ContentType="application/json")


def _urlopen(request) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_unsigned_requests_are_refused(running):
    _seed(running)
    status, body = _urlopen(f"{running.endpoint}/bucket-preferred?list-type=2")
    assert status == 403 and b"MissingAuthenticationToken" in body and b"projects/" not in body
    scan = urllib.request.Request(
        running.endpoint + "/",
        data=b'{"TableName": "service"}',
        headers={"X-Amz-Target": "DynamoDB_20120810.Scan", "Content-Type": "application/x-amz-json-1.0"},
    )
    status, body = _urlopen(scan)
    assert status == 400 and b"MissingAuthenticationToken" in body and b"USER#a" not in body
    status, _ = _urlopen(f"{running.endpoint}/moto-api/reset")  # moto's own API: no way around the check
    assert status == 403


def test_a_made_up_signature_is_refused(running):
    _seed(running)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    forged = urllib.request.Request(
        running.endpoint + "/",
        data=b'{"TableName": "service"}',
        headers={
            "X-Amz-Target": "DynamoDB_20120810.Scan",
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Date": stamp,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCESS}/{stamp[:8]}/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
        },
    )
    status, body = _urlopen(forged)
    assert status == 400 and b"SignatureDoesNotMatch" in body and b"USER#a" not in body


@pytest.mark.parametrize(
    ("access", "secret", "code"),
    [("SOMEONEELSE", SECRET, "InvalidAccessKeyId"), (ACCESS, "a-guessed-secret", "SignatureDoesNotMatch")],
)
def test_other_credentials_are_refused_for_both_services(running, access, secret, code):
    _seed(running)
    with pytest.raises(ClientError) as dynamodb_error:
        running.client("dynamodb", secret=secret, access=access).scan(TableName="service")
    assert code in dynamodb_error.value.response["Error"]["Code"]
    with pytest.raises(ClientError) as s3_error:
        running.client("s3", secret=secret, access=access).list_objects_v2(Bucket="bucket-preferred")
    assert s3_error.value.response["Error"]["Code"] == code


def test_presigned_urls_are_checked_and_expire(running):
    _seed(running)
    s3 = running.client("s3", signature_version="s3v4")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "bucket-preferred", "Key": "projects/a/1.json"}, ExpiresIn=60
    )
    assert _urlopen(url) == (200, b"[]")
    assert _urlopen(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"))[0] == 403
    expired = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "bucket-preferred", "Key": "projects/a/1.json"}, ExpiresIn=1
    )
    time.sleep(2)
    assert _urlopen(expired)[0] == 403


def test_a_tampered_body_is_refused(running):
    """The signature covers the body's hash: another body under the same signature is refused."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    _seed(running)
    signed = AWSRequest(
        method="POST",
        url=running.endpoint + "/",
        data=b'{"TableName": "other"}',
        headers={"X-Amz-Target": "DynamoDB_20120810.Scan", "Content-Type": "application/x-amz-json-1.0"},
    )
    SigV4Auth(Credentials(ACCESS, SECRET), "dynamodb", "us-east-1").add_auth(signed)
    request = urllib.request.Request(
        running.endpoint + "/", data=b'{"TableName": "service"}', headers=dict(signed.headers)
    )
    status, body = _urlopen(request)
    assert status == 400 and b"USER#a" not in body


def test_acls_on_a_bucket_owner_enforced_bucket_fail_as_on_aws(running):
    s3 = running.client("s3")
    s3.create_bucket(Bucket="bucket-enforced", ObjectOwnership="BucketOwnerEnforced")
    s3.create_bucket(Bucket="bucket-default")  # AWS's default for a new bucket: BucketOwnerEnforced
    for bucket in ("bucket-enforced", "bucket-default"):
        for acl in ("private", "public-read", "authenticated-read"):
            with pytest.raises(ClientError) as refused:
                s3.put_object(Bucket=bucket, Key="renders/progress.json", Body=b"{}", ACL=acl)
            assert refused.value.response["Error"]["Code"] == "AccessControlListNotSupported"
        with pytest.raises(ClientError) as refused:
            s3.create_multipart_upload(Bucket=bucket, Key="renders/out.mp4", ACL="private")
        assert refused.value.response["Error"]["Code"] == "AccessControlListNotSupported"
        with pytest.raises(ClientError) as refused:
            s3.put_object(
                Bucket=bucket, Key="k", Body=b"{}", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"'
            )
        assert refused.value.response["Error"]["Code"] == "AccessControlListNotSupported"
        s3.put_object(Bucket=bucket, Key="no-acl", Body=b"{}")
        s3.put_object(Bucket=bucket, Key="owner-full-control", Body=b"{}", ACL="bucket-owner-full-control")
    assert s3.list_objects_v2(Bucket="bucket-enforced")["KeyCount"] == 2


@pytest.mark.parametrize("ownership", ["BucketOwnerPreferred", "ObjectWriter"])
def test_acls_are_accepted_where_the_buckets_ownership_allows_them(running, ownership):
    s3 = running.client("s3")
    bucket = f"bucket-{ownership.lower()}"
    s3.create_bucket(Bucket=bucket, ObjectOwnership=ownership)
    s3.put_object(Bucket=bucket, Key="renders/progress.json", Body=b"{}", ACL="private")  # what Remotion sends
    assert s3.get_object(Bucket=bucket, Key="renders/progress.json")["Body"].read() == b"{}"


def test_the_local_stacks_bucket_takes_the_acl_remotion_sends(stack):
    """The stack creates its bucket with the ownership of the shared definition, which accepts
    `x-amz-acl: private` (Remotion's render function writes progress.json so)."""
    from local.stack import BUCKET_NAME, BUCKET_OBJECT_OWNERSHIP

    s3 = stack.aws.client("s3")
    assert s3.get_bucket_ownership_controls(Bucket=BUCKET_NAME)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": BUCKET_OBJECT_OWNERSHIP}
    ]
    s3.put_object(Bucket=BUCKET_NAME, Key="renders/acl-check/progress.json", Body=b"{}", ACL="private")
    s3.delete_object(Bucket=BUCKET_NAME, Key="renders/acl-check/progress.json")


def test_everything_comes_back_after_a_stop(running):
    _seed(running)
    s3 = running.client("s3")
    s3.put_object(
        Bucket="bucket-preferred",
        Key="renders/r/out.mp4",
        Body=b"\x00" * 3_000_000,
        ContentType="video/mp4",
        ContentDisposition='attachment; filename="a.mp4"',
        Metadata={"k": "v"},
    )
    running.client("dynamodb").update_time_to_live(
        TableName="service", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"}
    )
    again = running.restart()
    try:
        assert again.restored == 3
        dynamodb, s3 = again.client("dynamodb"), again.client("s3")
        item = dynamodb.get_item(TableName="service", Key={"pk": {"S": "USER#a"}, "sk": {"S": "PROJECT#1"}})["Item"]
        assert item["secret"] == {"S": "x"}
        assert (
            dynamodb.describe_table(TableName="service")["Table"]["GlobalSecondaryIndexes"][0]["IndexName"] == "active"
        )
        assert (
            dynamodb.describe_time_to_live(TableName="service")["TimeToLiveDescription"]["AttributeName"] == "expiresAt"
        )
        video = s3.get_object(Bucket="bucket-preferred", Key="renders/r/out.mp4")
        assert video["Body"].read() == b"\x00" * 3_000_000 and video["ContentType"] == "video/mp4"
        assert video["ContentDisposition"] == 'attachment; filename="a.mp4"' and video["Metadata"] == {"k": "v"}
        assert s3.get_bucket_ownership_controls(Bucket="bucket-preferred")["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerPreferred"}
        ]
    finally:
        emulator.stop(again.process)


def test_sigint_is_ignored_and_sigterm_saves(running):
    """Ctrl-C reaches the whole process group; the stack stops the emulator after everything else."""
    _seed(running)
    running.process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert running.process.poll() is None
    running.client("dynamodb").put_item(TableName="service", Item={"pk": {"S": "USER#b"}, "sk": {"S": "P#2"}})
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(timeout=30) == 0
    again = Running(running.state, running.log)
    try:
        assert again.restored == 3
    finally:
        emulator.stop(again.process)


def test_sigkill_loses_at_most_the_last_flush_interval(running):
    _seed(running)
    dynamodb = running.client("dynamodb")
    for n in range(50):
        dynamodb.put_item(TableName="service", Item={"pk": {"S": "USER#k"}, "sk": {"S": f"P#{n}"}})
    time.sleep(emulator.FLUSH_SECONDS * 3)  # a write is on disk within the flush interval
    running.process.kill()
    running.process.wait()
    again = Running(running.state, running.log)
    try:
        assert again.restored == 52  # 51 items, 1 object
    finally:
        emulator.stop(again.process)


def test_the_emulator_ends_and_saves_when_the_stack_that_started_it_is_gone(running):
    """Its standard input is a pipe from the stack: closed however the stack ends, even by SIGKILL."""
    _seed(running)
    running.process.stdin.close()
    assert running.process.wait(timeout=30) == 0
    again = Running(running.state, running.log)
    try:
        assert again.restored == 2
    finally:
        emulator.stop(again.process)


def test_a_kept_bucket_follows_a_changed_ownership_definition(running):
    from functions.store import AwsAccess

    aws = AwsAccess(
        endpoints=(("dynamodb", running.endpoint), ("s3", running.endpoint)),
        credentials=(ACCESS, SECRET),
        region="us-east-1",
    )
    emulator.create_resources(aws, {}, "bucket-kept", "BucketOwnerEnforced")
    s3 = running.client("s3")
    with pytest.raises(ClientError):
        s3.put_object(Bucket="bucket-kept", Key="k", Body=b"{}", ACL="private")
    emulator.create_resources(aws, {}, "bucket-kept", "BucketOwnerPreferred")
    s3.put_object(Bucket="bucket-kept", Key="k", Body=b"{}", ACL="private")
