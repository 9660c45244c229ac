"""What the `remotion_lambda` client would send to the render function, for every format and quality."""

import json

import pytest
from remotion_lambda import RemotionClient

from functions.backends import RenderRequest
from functions.backends.remotion_lambda_backend import render_params
from functions.domain.naming import download_name
from functions.models.composition import CompiledScene, CompositionProps
from functions.models.records import RenderRecord
from functions.render_settings import OutputFormat, Quality, render_settings
from tests.helpers.projects import project, scene

CLIENT = RemotionClient(
    region="eu-central-1",
    serve_url="https://cdn.example/sites/framecast/index.html",
    function_name="remotion-render-4-0-527-mem2048mb-disk2048mb-900sec",
)


def payload_for(fmt: OutputFormat, quality: Quality) -> dict:
    proj = project(scene("export default () => null", duration=60))
    settings = render_settings(proj, fmt, quality)
    props = CompositionProps(
        title="Launch video",
        width=settings.width,
        height=settings.height,
        design_width=1920,
        design_height=1080,
        scenes=[CompiledScene(id="s1", name="S", duration_in_frames=60, js_code="module.exports={}")],
    )
    record = RenderRecord(
        render_id="rnd_1",
        user_id="user-1",
        project_id="prj_1",
        title="Launch video",
        format=fmt,
        quality=quality,
        width=settings.width,
        height=settings.height,
        video_seconds=2,
        estimated_render_seconds=20,
        created_at="2026-11-24T00:00:00.000Z",
        last_news_at=0,
        lock_slot=0,
        quota_day="2026-11-24",
    )
    request = RenderRequest(
        record=record,
        props=props,
        settings=settings,
        download_name=download_name(record.title, settings.extension),
        webhook_url="https://api.example/webhooks/remotion",
        webhook_secret="s3cret",
    )
    params = render_params(request, bucket_name="remotionlambda-eucentral1-abc", max_concurrency=200)
    return json.loads(CLIENT.construct_render_request(params, render_type="video-or-audio"))


EXPECTED = {
    ("mp4", "low"): ("h264", 28, 70, 854, 480, 1),
    ("mp4", "medium"): ("h264", 23, 80, 1280, 720, 1),
    ("mp4", "high"): ("h264", 18, 90, 1920, 1080, 1),
    ("webm", "low"): ("vp8", 30, 70, 854, 480, 1),
    ("webm", "medium"): ("vp8", 20, 80, 1280, 720, 1),
    ("webm", "high"): ("vp8", 10, 90, 1920, 1080, 1),
    ("gif", "low"): ("gif", None, 70, 426, 240, 3),
    ("gif", "medium"): ("gif", None, 80, 640, 360, 2),
    ("gif", "high"): ("gif", None, 90, 854, 480, 2),
}


@pytest.mark.parametrize(("fmt", "quality"), list(EXPECTED))
def test_render_request_payload(fmt, quality):
    payload = payload_for(OutputFormat(fmt), Quality(quality))
    codec, crf, jpeg, width, height, nth = EXPECTED[(fmt, quality)]
    assert payload["type"] == "start"
    assert payload["composition"] == "Main"
    assert payload["serveUrl"] == "https://cdn.example/sites/framecast/index.html"
    assert (payload["codec"], payload["crf"], payload["jpegQuality"], payload["imageFormat"]) == (
        codec,
        crf,
        jpeg,
        "jpeg",
    )
    assert (payload["forceWidth"], payload["forceHeight"], payload["everyNthFrame"]) == (width, height, nth)
    assert payload["numberOfGifLoops"] == (0 if fmt == "gif" else None)
    assert payload["webhook"] == {
        "secret": "s3cret",
        "url": "https://api.example/webhooks/remotion",
        "customData": {"renderId": "rnd_1", "userId": "user-1"},
    }
    assert payload["downloadBehavior"] == {"type": "download", "fileName": f"Launch-video.{fmt}"}
    assert payload["enableCancellation"] is True
    assert payload["privacy"] == "private"
    assert payload["bucketName"] == "remotionlambda-eucentral1-abc"
    assert payload["version"] == "4.0.527"
    props = json.loads(payload["inputProps"]["payload"])
    assert payload["inputProps"]["type"] == "payload"
    assert (props["width"], props["height"]) == (width, height)
