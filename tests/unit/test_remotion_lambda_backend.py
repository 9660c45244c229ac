"""RemotionLambdaBackend with the real `remotion_lambda` client, AWS itself emulated by moto."""

import json
import math
import subprocess

import boto3
import pytest
from moto import mock_aws

from functions import REPO_ROOT
from functions.backends import BackendRefused, RenderRequest
from functions.backends.remotion_lambda_backend import (
    RemotionLambdaBackend,
    delete_after,
    frames_per_lambda,
    lambdas_of,
    remotion_frames_per_lambda,
    render_budget,
    share_of,
)
from functions.models.composition import CompiledScene, CompositionProps
from functions.models.records import RenderRecord
from functions.render_settings import OutputFormat, Quality, render_settings
from functions.settings import RenderMode, ServiceSettings
from tests.helpers.projects import project, scene


def _large_request() -> RenderRequest:
    """Scenes of about 300 KB: over the ~194 KB Remotion sends inline, so the props go through S3."""
    proj = project(scene("export default () => null", duration=60))
    settings = render_settings(proj, OutputFormat.MP4, Quality.LOW)
    scenes = [CompiledScene(id=f"s{i}", name="S", duration_in_frames=30, js_code="x" * 100_000) for i in range(3)]
    props = CompositionProps(
        title="Big", width=settings.width, height=settings.height, design_width=1920, design_height=1080, scenes=scenes
    )
    record = RenderRecord(
        render_id="rnd_1",
        user_id="u",
        project_id="p",
        title="Big",
        format="mp4",
        quality="low",
        width=settings.width,
        height=settings.height,
        video_seconds=3,
        estimated_render_seconds=9,
        created_at="2026-11-25T00:00:00.000Z",
        last_news_at=0,
        lock_slot=0,
        quota_day="2026-11-25",
    )
    return RenderRequest(
        record=record,
        props=props,
        settings=settings,
        download_name="Big.mp4",
        webhook_url="https://api.example/webhooks/remotion",
        webhook_secret="s",
    )


def _backend() -> RemotionLambdaBackend:
    settings = ServiceSettings(
        TABLE_NAME="t",
        BUCKET_NAME="remotionlambda-eucentral1-abcdefgh",
        RENDER_MODE=RenderMode.LAMBDA,
        AWS_REGION="eu-central-1",
        REMOTION_FUNCTION_NAME="remotion-render-4-0-527-mem2048mb-disk2048mb-900sec",
        REMOTION_SERVE_URL="https://cdn.example/sites/abc/index.html",
    )
    return RemotionLambdaBackend(settings)


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_LAMBDA"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("s3", region_name="eu-central-1")


def test_two_remotion_buckets_in_the_region_refuse_large_props_clearly(aws):
    for name in ("remotionlambda-eucentral1-abcdefgh", "remotionlambda-eucentral1-zzzzzzzz"):
        aws.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    with pytest.raises(BackendRefused, match="multiple buckets"):
        _backend().start(_large_request())


def test_large_props_go_to_the_one_remotion_bucket(aws):
    aws.create_bucket(
        Bucket="remotionlambda-eucentral1-abcdefgh", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    # The function itself is out of reach (no such Lambda in the emulated account): our failure.
    with pytest.raises(BackendRefused, match="Function not found|ResourceNotFound"):
        _backend().start(_large_request())
    [uploaded] = aws.list_objects_v2(Bucket="remotionlambda-eucentral1-abcdefgh", Prefix="input-props/")["Contents"]
    props = json.loads(aws.get_object(Bucket="remotionlambda-eucentral1-abcdefgh", Key=uploaded["Key"])["Body"].read())
    assert len(props["scenes"]) == 3


FRAME_COUNTS = [1, 19, 20, 60, 150, 451, 1800, 9000, 17999, 18000, 54000]


def test_our_split_is_remotions_own(tmp_path):
    """Remotion's bestFramesPerFunctionParam (the pinned @remotion/serverless-client) is the oracle."""
    script = (
        "const {bestFramesPerFunctionParam: best} = require('./node_modules/@remotion/serverless-client/dist/"
        f"best-frames-per-function-param.js'); console.log(JSON.stringify({FRAME_COUNTS}.map(best)))"
    )
    remotion = json.loads(
        subprocess.run(["node", "-e", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    )
    assert [remotion_frames_per_lambda(frames) for frames in FRAME_COUNTS] == remotion


def test_an_account_cap_widens_the_chunks_so_no_render_asks_for_more_lambdas():
    assert frames_per_lambda(54000, 200) == remotion_frames_per_lambda(54000)  # 150 Lambdas fit under 200
    assert frames_per_lambda(54000, 100) == 546  # 99 renderers and the main function at most
    assert lambdas_of(54000, 100) == 100
    assert frames_per_lambda(3, 200) == 5  # never under Remotion's minimum


@pytest.mark.parametrize("frames", [1, 30, 150, 1800, 9000, 54000])
@pytest.mark.parametrize("cap", [2, 3, 12, 100, 600])
def test_a_renders_budget_share_is_what_remotion_will_run_and_never_more_than_the_cap(frames, cap):
    per_lambda = frames_per_lambda(frames, cap)
    renderers = math.ceil(frames / per_lambda)
    assert lambdas_of(frames, cap) == renderers + 1
    assert lambdas_of(frames, cap) <= max(cap, 2)
    # What admission counts (its Lambdas, one more for its start and still) fits the render budget,
    # the function's concurrency less the headroom kept for the short calls that are not renders.
    if render_budget(cap) >= 3:
        assert share_of(frames, cap) <= render_budget(cap) < cap


@pytest.mark.parametrize(
    ("days", "choice"), [(1, "1-day"), (2, "1-day"), (3, "3-days"), (14, "7-days"), (30, "30-days"), (365, "30-days")]
)
def test_remotions_delete_after_never_keeps_a_render_longer_than_the_retention(days, choice):
    assert delete_after(days) == choice
