"""`tools.smoke` against a deployment on moto (every AWS call it makes) and a loopback stand-in for
the HTTP API and CloudFront (tests/smoke/fake_deployment.py): it passes on a healthy stack, stops at
the first broken step with a clear message, and always cleans up what it made."""

import os
import subprocess

import boto3
import pytest
from moto import mock_aws

from tests.smoke.fake_deployment import STACK, Behaviour, FakeDeployment
from tools.smoke import COMPOSITOR, Smoke, main

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def two_second_mp4(tmp_path_factory):
    """A real 2-second h264 mp4, encoded by the ffmpeg Remotion ships."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("video")
    for frame in range(60):
        Image.new("RGB", (320, 180), (frame * 4, 80, 160)).save(folder / f"f{frame:03d}.png")
    out = folder / "smoke.mp4"
    subprocess.run(
        [
            str(COMPOSITOR / "ffmpeg"),
            "-v",
            "error",
            "-framerate",
            "30",
            "-i",
            str(folder / "f%03d.png"),
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-y",
            str(out),
        ],
        check=True,
        env={**os.environ, "LD_LIBRARY_PATH": str(COMPOSITOR)},
    )
    return out


@pytest.fixture(scope="module")
def bundle_page():
    """The real Remotion bundle's index.html, as the serve URL returns it."""
    from render.bundle import bundle_dir

    return (bundle_dir() / "index.html").read_bytes()


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield


def run(behaviour: Behaviour, timeout: float = 10) -> tuple[int, list[str], FakeDeployment, Smoke]:
    deployment = FakeDeployment(behaviour).create()
    lines: list[str] = []
    smoke = Smoke(
        session=boto3.Session(region_name=REGION),
        stack_name=STACK,
        say=lines.append,
        render_timeout=timeout,
        poll_seconds=0.1,
    )
    try:
        code = smoke.run()
    finally:
        deployment.close()
    return code, lines, deployment, smoke


def assert_cleaned(deployment: FakeDeployment) -> None:
    assert boto3.client("cognito-idp").list_users(UserPoolId=deployment.pool)["Users"] == []
    assert boto3.client("dynamodb").scan(TableName=deployment.table)["Items"] == []
    assert boto3.client("s3").list_objects_v2(Bucket=deployment.bucket).get("KeyCount", 0) == 0


def test_a_healthy_stack_passes_every_step_and_is_left_clean(two_second_mp4, bundle_page):
    code, lines, deployment, _ = run(Behaviour(video=two_second_mp4, serve_page=bundle_page))
    assert code == 0, "\n".join(lines)
    steps = [line.split(":")[0].removeprefix("ok    ") for line in lines if line.startswith("ok")]
    assert steps == [
        "stack outputs",
        "one Remotion bucket",
        "render function version",
        "serve URL loads",
        "webhook secret",
        "download key",
        "sign-in",
        "project saved",
        "2-second export",
        "status flips by the webhook",
        "signed download",
        "quota counted",
        "cleanup",
    ]
    assert any("h264, 2.00 s" in line for line in lines)
    assert deployment.progress_polls == 0  # the status changed with nobody polling: the webhook did it
    assert lines[-1] == "smoke passed"
    assert_cleaned(deployment)


def failing_step(lines: list[str]) -> str:
    [failed] = [line for line in lines if line.startswith("FAIL")]
    return failed


def test_a_render_function_of_another_version_stops_the_run(two_second_mp4, bundle_page):
    code, lines, deployment, _ = run(
        Behaviour(video=two_second_mp4, serve_page=bundle_page, deployed_version="4.0.400")
    )
    assert code == 1
    assert failing_step(lines).startswith("FAIL  render function version: ")
    assert "runs Remotion 4.0.400, the client here is 4.0.527" in failing_step(lines)
    assert not any("sign-in" in line for line in lines)  # nothing after the first broken step
    assert lines[-2].startswith("ok    cleanup") and lines[-1] == "smoke FAILED"


def test_the_info_answer_the_fake_gives_is_the_pinned_functions():
    """The pinned zip's infoHandler answers {version: VERSION, type: "success"} to {type: "info"}."""
    import re
    import zipfile

    from stacks.remotion_facts import remotion_facts

    with zipfile.ZipFile(remotion_facts(REGION).zip) as archive:
        code = archive.read("index.js").decode()
    assert re.search(
        r'ServerlessRoutines\.info\)throw new TypeError\("Expected info type"\);'
        r'let \w+=\{version:\w+\.VERSION,type:"success"\}',
        code,
    )
    assert re.search(r'\.info="info"|info:"info"', code)


def test_a_function_that_does_not_answer_info_stops_the_run(two_second_mp4, bundle_page):
    from moto.awslambda_simple.models import lambda_simple_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    deployment = FakeDeployment(Behaviour(video=two_second_mp4, serve_page=bundle_page)).create()
    lambda_simple_backends[DEFAULT_ACCOUNT_ID][REGION].lambda_simple_results_queue.clear()  # moto echoes the call
    lines: list[str] = []
    try:
        code = Smoke(session=boto3.Session(region_name=REGION), stack_name=STACK, say=lines.append).run()
    finally:
        deployment.close()
    assert code == 1 and "did not answer Remotion's info call" in failing_step(lines)


def test_a_missing_serve_url_stops_the_run(two_second_mp4):
    code, lines, _, _ = run(Behaviour(video=two_second_mp4, serve_page=None))
    assert code == 1 and failing_step(lines).startswith("FAIL  serve URL loads: ")


def test_a_short_webhook_secret_stops_the_run(two_second_mp4, bundle_page):
    code, lines, _, _ = run(Behaviour(video=two_second_mp4, serve_page=bundle_page, webhook_secret="short"))
    assert code == 1 and failing_step(lines).startswith("FAIL  webhook secret: ")


def test_a_private_key_that_is_not_cloudfronts_stops_the_run(two_second_mp4, bundle_page):
    code, lines, _, _ = run(Behaviour(video=two_second_mp4, serve_page=bundle_page, private_key_matches=False))
    assert code == 1
    assert "does not match CloudFront's public key" in failing_step(lines)


def test_a_lost_webhook_fails_and_the_user_and_project_are_removed(two_second_mp4, bundle_page):
    code, lines, deployment, smoke = run(
        Behaviour(video=two_second_mp4, serve_page=bundle_page, webhook_arrives=False), timeout=1
    )
    assert code == 1
    assert failing_step(lines).startswith("FAIL  status flips by the webhook: ")
    assert "no webhook arrived" in failing_step(lines)
    assert smoke.username and smoke.project_id
    assert_cleaned(deployment)


def test_a_failed_render_reports_its_error(two_second_mp4, bundle_page):
    code, lines, deployment, _ = run(Behaviour(video=two_second_mp4, serve_page=bundle_page, render_status="failed"))
    assert code == 1 and "ended failed: the scene threw" in failing_step(lines)
    assert_cleaned(deployment)


def test_a_quota_that_did_not_count_stops_the_run(two_second_mp4, bundle_page):
    code, lines, _, _ = run(Behaviour(video=two_second_mp4, serve_page=bundle_page, count_quota=False))
    assert code == 1 and failing_step(lines).startswith("FAIL  quota counted: usedToday went from 0 to 0")


def test_a_stack_that_does_not_exist(capsys):
    assert main(["--stack", "NoSuchStack", "--region", REGION]) == 1
    out = capsys.readouterr().out
    assert "FAIL  stack outputs: no stack 'NoSuchStack'" in out and "smoke FAILED" in out


def test_a_second_remotion_bucket_in_the_region_stops_the_run(two_second_mp4, bundle_page):
    s3 = boto3.client("s3")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="remotionlambda-useast1-elsewhere")  # harmless
    s3.create_bucket(
        Bucket="remotionlambda-eucentral1-earlier", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    code, lines, _, _ = run(Behaviour(video=two_second_mp4, serve_page=bundle_page))
    assert code == 1
    assert failing_step(lines).startswith("FAIL  one Remotion bucket: the region eu-central-1 must hold exactly one")
    assert "remotionlambda-eucentral1-earlier" in failing_step(lines)
