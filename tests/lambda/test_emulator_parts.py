"""The emulator's parts on their own (no render): binaries, event-stream framing, the Invoke API's
answers, S3's ACL rule, the private site origin, the private /tmp."""

import json
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import boto3
import pytest
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError

from local import emulator
from local.lambda_emulator import eventstream
from local.lambda_emulator.function import RemotionLambdaEmulator
from local.lambda_emulator.function_dir import INVOCATION_HOME, ZIP_PATH, prepare
from local.lambda_emulator.invoker import (
    LAMBDA_BROWSER,
    FunctionConfig,
    Invocation,
    IsolationUnavailable,
    namespace_command,
)
from local.lambda_emulator.lambda_api import EVENT_PAYLOAD_LIMIT, LambdaApi
from local.lambda_emulator.s3_front import S3Front, read_log
from local.lambda_emulator.site_origin import SiteOrigin

pytestmark = pytest.mark.remotion_lambda


def test_binaries_are_for_this_machine_and_index_js_is_as_shipped():
    folder = prepare()
    machine = subprocess.run(["uname", "-m"], capture_output=True, text=True, check=True).stdout.strip()
    elf_machine = {"x86_64": 0x3E, "aarch64": 0xB7}[machine]
    for name in ["ffmpeg", "ffprobe", "remotion", *(p.name for p in folder.glob("lib*.so"))]:
        header = (folder / name).read_bytes()[:20]
        assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == elf_machine, name
    with zipfile.ZipFile(ZIP_PATH) as archive:
        assert (folder / "index.js").read_bytes() == archive.read("index.js")
    done = subprocess.run(
        [str(folder / "ffprobe"), "-version"], capture_output=True, text=True, env={"LD_LIBRARY_PATH": str(folder)}
    )
    assert done.returncode == 0 and "ffprobe version" in done.stdout


def test_event_stream_messages_decode_with_botocore():
    buffer = EventStreamBuffer()
    buffer.add_data(eventstream.payload_chunk(b'{"type":"success"}') + eventstream.invoke_complete())
    buffer.add_data(eventstream.invoke_complete("Sandbox.Timedout", '{"errorMessage":"late"}'))
    chunk, complete, failed = list(buffer)
    assert chunk.headers[":event-type"] == "PayloadChunk" and chunk.payload == b'{"type":"success"}'
    assert complete.headers[":event-type"] == "InvokeComplete" and json.loads(complete.payload) == {}
    assert json.loads(failed.payload)["ErrorCode"] == "Sandbox.Timedout"


def _config(tmp_path: Path, function_dir: Path, timeout: float = 30) -> FunctionConfig:
    return FunctionConfig(
        function_dir=function_dir,
        function_name="probe-function",
        region="us-east-1",
        environment={},
        log_dir=tmp_path / "logs",
        timeout_seconds=timeout,
    )


@pytest.fixture
def function_home(tmp_path):
    """Where a test's handler lives: not under /tmp, which the invocation does not see."""
    folder = INVOCATION_HOME / "lambda-tests" / tmp_path.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _fake_function(home: Path, body: str) -> Path:
    """A handler written for the test, run by the same runtime as the render function."""
    folder = home / "function"
    folder.mkdir()
    (folder / "index.js").write_text(f"exports.handler = awslambda.streamifyResponse({body});\n")
    return folder


def test_invocation_has_a_private_tmp_and_opt(tmp_path, function_home):
    canary = Path("/tmp") / f"lambda-test-{tmp_path.name}"
    canary.write_text("the host's")
    try:
        folder = _fake_function(
            function_home,
            """async (event, stream, context) => {
            const fs = require('node:fs');
            const before = fs.readdirSync('/tmp');
            for (const name of before) fs.rmSync('/tmp/' + name, {recursive: true, force: true});
            fs.writeFileSync('/tmp/written-inside', 'x');
            stream.write(JSON.stringify({before, opt: fs.readdirSync('/opt/bin'), pid: process.pid,
              arn: context.invokedFunctionArn, remaining: context.getRemainingTimeInMillis(),
              name: process.env.AWS_LAMBDA_FUNCTION_NAME, memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE}));
            stream.end();
        }""",
        )
        invocation = Invocation(_config(tmp_path, folder), b"{}")
        answer = json.loads(b"".join(invocation.response_chunks()))
        outcome = invocation.wait()
        assert outcome.error is None
        assert answer["before"] == [] and answer["opt"] == ["chromium"]
        assert answer["pid"] == 1  # its own pid namespace: its end takes every child with it
        assert answer["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:probe-function"
        assert 0 < answer["remaining"] <= 30_000 and answer["name"] == "probe-function" and answer["memory"] == "2048"
        assert canary.read_text() == "the host's" and not Path("/tmp/written-inside").exists()
    finally:
        canary.unlink()


def test_opt_bin_chromium_is_the_headless_shell_under_its_own_name(tmp_path, function_home):
    """The function launches /opt/bin/chromium; what runs must be the headless shell (Lambda's kind
    of browser), with argv[0] its real path: in --single-process it looks for its SwiftShader
    libraries beside argv[0], and without them the page never loads the composition."""
    folder = _fake_function(
        function_home,
        """async (event, stream) => {
        const fs = require('node:fs');
        const child = require('node:child_process').spawn('/opt/bin/chromium',
          ['--headless=old', '--single-process', '--no-sandbox', '--no-zygote', '--remote-debugging-port=0',
           '--user-data-dir=/tmp/profile', 'about:blank'], {stdio: 'ignore'});
        let exe = '';
        for (let i = 0; i < 100 && !exe.includes('chromium'); i++) {
          await new Promise((r) => setTimeout(r, 50));
          try { exe = fs.readlinkSync(`/proc/${child.pid}/exe`); } catch {}
        }
        const argv0 = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'latin1').split('\\0')[0];
        child.kill('SIGKILL');
        stream.write(JSON.stringify({exe, argv0}));
        stream.end();
    }""",
    )
    invocation = Invocation(_config(tmp_path, folder), b"{}")
    answer = json.loads(b"".join(invocation.response_chunks()))
    assert invocation.wait().error is None
    assert answer == {"exe": str(LAMBDA_BROWSER), "argv0": str(LAMBDA_BROWSER)}


def test_invocation_is_killed_at_its_timeout(tmp_path, function_home):
    folder = _fake_function(
        function_home,
        """async (event, stream) => {
        require('node:child_process').spawn('sleep', ['299.4242'], {detached: true, stdio: 'ignore'});
        await new Promise(() => {});
    }""",
    )
    invocation = Invocation(_config(tmp_path, folder, timeout=2), b"{}")
    assert b"".join(invocation.response_chunks()) == b""
    outcome = invocation.wait()
    assert outcome.timed_out and outcome.error["errorType"] == "Sandbox.Timedout"
    assert 2 <= outcome.seconds < 10
    # An odd duration, so that nothing else on the machine matches.
    leftover = subprocess.run(["pgrep", "-f", "^sleep 299.4242$"], capture_output=True, text=True).stdout
    assert leftover == ""  # the detached child died with the invocation's pid namespace


def test_handler_errors_come_back_as_lambda_reports_them(tmp_path, function_home):
    folder = _fake_function(function_home, "async () => { throw new TypeError('no such thing'); }")
    invocation = Invocation(_config(tmp_path, folder), b"{}")
    list(invocation.response_chunks())
    outcome = invocation.wait()
    assert outcome.error["errorType"] == "TypeError" and outcome.error["errorMessage"] == "no such thing"


def test_invoke_api_answers_as_lambda_does(tmp_path, function_home):
    folder = _fake_function(
        function_home,
        """async (event, stream) => {
        if (event.fail) throw new Error('asked to fail');
        stream.write(JSON.stringify({echo: event.value})); stream.end();
    }""",
    )
    api = LambdaApi(_config(tmp_path, folder))
    threading.Thread(target=api.serve_forever, daemon=True).start()
    client = boto3.client(
        "lambda",
        endpoint_url=api.url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    try:
        answer = client.invoke(FunctionName="probe-function", Payload=json.dumps({"value": 7}))
        assert json.loads(answer["Payload"].read()) == {"echo": 7}
        failed = client.invoke(FunctionName="probe-function", Payload=json.dumps({"fail": True}))
        assert failed["FunctionError"] == "Unhandled"
        assert json.loads(failed["Payload"].read())["errorMessage"] == "asked to fail"
        streamed = client.invoke_with_response_stream(
            FunctionName="arn:aws:lambda:us-east-1:123456789012:function:probe-function", Payload=b'{"value": 3}'
        )
        events = list(streamed["EventStream"])
        assert b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e) == b'{"echo":3}'
        assert "ErrorCode" not in events[-1]["InvokeComplete"]
        assert client.invoke(FunctionName="probe-function", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
        with pytest.raises(ClientError) as missing:
            client.invoke(FunctionName="another-function", Payload=b"{}")
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
        with pytest.raises(ClientError) as too_large:
            client.invoke(
                FunctionName="probe-function",
                InvocationType="Event",
                Payload=json.dumps({"value": "x" * EVENT_PAYLOAD_LIMIT}),
            )
        assert too_large.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    finally:
        api.close()


CREDENTIALS = ("FRAMECASTTESTKEY", "test-secret")


@pytest.fixture
def moto_s3(tmp_path):
    """The local stack's emulator (moto behind signature checks and S3's ACL rule)."""
    port = emulator.free_port()
    process, _ = emulator.start(port, tmp_path / "emulator.log", None, *CREDENTIALS)
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )
    yield port, s3
    emulator.stop(process)


def _front(port: int, tmp_path: Path) -> tuple[S3Front, object]:
    front = S3Front(port, tmp_path / "s3.jsonl")
    threading.Thread(target=front.serve_forever, daemon=True).start()
    return front, boto3.client(
        "s3",
        endpoint_url=front.url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )


def test_s3_front_logs_what_the_emulator_answers_acls_included(moto_s3, tmp_path):
    port, direct = moto_s3
    front, s3 = _front(port, tmp_path)
    try:
        direct.create_bucket(Bucket="remotionlambda-enforced", ObjectOwnership="BucketOwnerEnforced")
        direct.create_bucket(Bucket="remotionlambda-preferred", ObjectOwnership="BucketOwnerPreferred")
        with pytest.raises(ClientError) as refused:  # through the front, signed, as the function sends it
            s3.put_object(Bucket="remotionlambda-enforced", Key="renders/x/progress.json", Body=b"{}", ACL="private")
        assert refused.value.response["Error"]["Code"] == "AccessControlListNotSupported"
        s3.put_object(Bucket="remotionlambda-preferred", Key="renders/x/progress.json", Body=b"{}", ACL="private")
        assert s3.get_object(Bucket="remotionlambda-preferred", Key="renders/x/progress.json")["Body"].read() == b"{}"
        s3.upload_file(__file__, "remotionlambda-preferred", "big/file.py")  # a streamed upload passes intact
        assert (
            s3.head_object(Bucket="remotionlambda-preferred", Key="big/file.py")["ContentLength"]
            == Path(__file__).stat().st_size
        )
        forged = boto3.client(
            "s3",
            endpoint_url=front.url,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS[0],
            aws_secret_access_key="not-the-secret",
        )
        with pytest.raises(ClientError):  # the front adds no authority of its own
            forged.get_object(Bucket="remotionlambda-preferred", Key="renders/x/progress.json")
        log = read_log(front.log_path)
        assert {
            "method": "PUT",
            "bucket": "remotionlambda-enforced",
            "key": "renders/x/progress.json",
            "acl": {"x-amz-acl": "private"},
            "status": 400,
            "error": "AccessControlListNotSupported",
        }.items() <= log[0].items()
        assert {
            "method": "PUT",
            "key": "renders/x/progress.json",
            "acl": {"x-amz-acl": "private"},
            "status": 200,
            "bytes": 2,
        }.items() <= log[1].items()
        assert log[-1]["status"] == 403
    finally:
        front.shutdown()
        front.server_close()


def test_s3_front_answers_503_while_the_emulator_is_down(tmp_path):
    front, s3 = _front(emulator.free_port(), tmp_path)  # nothing listens there
    try:
        with pytest.raises(ClientError) as down:
            s3.head_bucket(Bucket="remotionlambda-any")
        assert down.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert {e["status"] for e in read_log(front.log_path)} == {503}
    finally:
        front.shutdown()
        front.server_close()


def test_site_origin_serves_only_the_site_and_the_bucket_stays_private(moto_s3, tmp_path):
    port, direct = moto_s3
    direct.create_bucket(Bucket="remotionlambda-site", ObjectOwnership="BucketOwnerPreferred")
    direct.put_object(
        Bucket="remotionlambda-site", Key="sites/framecast/index.html", Body=b"<html>", ContentType="text/html"
    )
    direct.put_object(Bucket="remotionlambda-site", Key="renders/r1/out.mp4", Body=b"video")
    front, s3 = _front(port, tmp_path)
    origin = SiteOrigin(s3, "remotionlambda-site", ("sites",))
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"{origin.url}/sites/framecast/index.html") as page:
            assert page.read() == b"<html>" and page.headers["Content-Type"] == "text/html"
        for url in (
            f"{origin.url}/renders/r1/out.mp4",
            f"{origin.url}/sites/framecast/../../renders/r1/out.mp4",
            f"{front.url}/remotionlambda-site/sites/framecast/index.html",
        ):  # anonymous, straight to S3
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(url)
            assert refused.value.code == 403, url
    finally:
        for server in (origin, front):
            server.shutdown()
            server.server_close()


def test_without_namespaces_the_function_is_refused_not_run_on_the_hosts_tmp(monkeypatch, tmp_path):
    assert {"--mount", "--pid", "--fork"} <= set(namespace_command())
    namespace_command.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path))  # no `unshare` to be found
    try:
        with pytest.raises(IsolationUnavailable, match="private /tmp"):
            namespace_command()
        with pytest.raises(IsolationUnavailable):
            RemotionLambdaEmulator(emulator.free_port(), "remotionlambda-refused", CREDENTIALS)
    finally:
        namespace_command.cache_clear()
