"""The render lifecycle against the emulated DynamoDB, with Remotion Lambda's real client.

Only the Lambda Invoke call itself is stubbed (botocore's Stubber: AWS is the one edge this machine
cannot reach); the client, the payloads it parses and every store transaction are real.
"""

import dataclasses
import io
import json
import uuid

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from remotion_lambda import RemotionClient

from functions.backends import BackendRefused
from functions.backends.remotion_lambda_backend import RemotionLambdaBackend
from functions.domain import clock, lifecycle, projects
from functions.errors import BackendUnavailable, InvalidWebhook
from functions.handlers import thumbnailer
from functions.models.records import RenderStatus
from functions.models.thumbnail import ThumbnailRequest
from functions.models.webhook import remotion_webhook
from functions.render_settings import OutputFormat, Quality
from functions.wiring import compose
from tests.helpers.projects import project, scene
from tests.helpers.stores import fresh_store

SCENE = "import {AbsoluteFill} from 'remotion';\nexport default () => <AbsoluteFill/>;"


class _StubbedSession:
    """A boto3 session whose Lambda clients answer from a queue of stubbed Invoke responses."""

    def __init__(self):
        self.responses: list[tuple[str, object]] = []
        self.invocations: list[dict] = []
        self.thumbnail_requests: list[ThumbnailRequest] = []  # what the thumbnailer is asked to make

    def client(self, service_name: str, **kwargs):
        client = boto3.session.Session().client(
            service_name, region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        stubber = Stubber(client)
        if service_name != "lambda":  # cancel's S3 calls: refused like an unreachable AWS
            stubber.activate()
            return client
        kind, value = self.responses.pop(0)
        if kind == "error":
            stubber.add_client_error("invoke", service_error_code=value, http_status_code=429)
        else:
            body = json.dumps(value).encode()
            stubber.add_response("invoke", {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))})
        stubber.activate()
        original = client.invoke

        def invoke(**params):
            self.invocations.append(json.loads(params["Payload"]))
            return original(**params)

        client.invoke = invoke
        return client


@pytest.fixture
def lambda_services(stack):
    store = fresh_store(stack)
    settings = stack.services.settings.model_copy(
        update={"progress_refresh_seconds": 3, "table_name": store.table_name}
    )
    client = RemotionClient(
        region="eu-central-1",
        serve_url="https://cdn.example/sites/abc/index.html",
        function_name="remotion-render-4-0-527-mem2048mb-disk2048mb-900sec",
    )
    session = _StubbedSession()
    client.session = session
    services = compose(
        settings,
        store=store,
        backend=RemotionLambdaBackend(settings, client=client),
        sign_download=lambda *_: "https://signed.example/file",
        request_thumbnail=session.thumbnail_requests.append,
    )
    return services, session


def _project(services) -> tuple[str, str]:
    user = f"life-{uuid.uuid4().hex[:8]}"
    record = projects.create_project(services.store, user, project(scene(SCENE, duration=30)), services.limits)
    return user, record.project_id


def _used(services, user) -> int:
    """What the user's one export counts on the day it was accepted (a test's clock may since have
    been moved past midnight)."""
    [record] = services.store.all_renders(user)
    return services.store.used_today(user, record.quota_day)


@pytest.mark.parametrize(
    "answer",
    [
        ("error", "ServiceException"),
        ("payload", {"type": "error", "message": "Version mismatch", "stack": ""}),
        ("payload", {"errorMessage": "Task timed out after 3.00 seconds"}),
    ],
)
def test_a_render_function_that_refuses_is_a_503_refunded_with_the_lock_released(lambda_services, answer):
    services, session = lambda_services
    user, project_id = _project(services)
    session.responses.append(answer)
    with pytest.raises(BackendUnavailable) as refused:
        lifecycle.start_render(services, user, project_id, OutputFormat.MP4, Quality.LOW)
    assert refused.value.status == 503 and "not counted" in refused.value.message
    [failed] = services.store.all_renders(user)
    assert (failed.status, failed.refunded) == (RenderStatus.FAILED, True)
    assert _used(services, user) == 0
    assert services.store.free_lock_slot(user, 1, int(clock.now())) == 0


def test_progress_is_read_at_most_every_few_seconds_then_the_end_is_applied(lambda_services, monkeypatch):
    services, session = lambda_services
    user, project_id = _project(services)
    session.responses.append(("payload", {"type": "success", "renderId": "abc123", "bucketName": "remotionlambda-x"}))
    started = lifecycle.start_render(services, user, project_id, OutputFormat.MP4, Quality.LOW)
    assert session.invocations[-1]["type"] == "start"
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)

    session.responses.append(
        (
            "payload",
            {"type": "success", "overallProgress": 0.4, "done": False, "fatalErrorEncountered": False, "errors": []},
        )
    )
    assert lifecycle.get_render(services, user, started.render_id).progress == 40
    assert lifecycle.get_render(services, user, started.render_id).progress == 40  # within 3 s: no invoke
    assert [i["type"] for i in session.invocations] == ["start", "status"]

    monkeypatch.setattr(clock, "now", lambda: now + 3.5)
    session.responses.append(
        (
            "payload",
            {
                "type": "success",
                "overallProgress": 1,
                "done": True,
                "fatalErrorEncountered": False,
                "errors": [],
                "outKey": "renders/abc123/out.mp4",
                "outputSizeInBytes": 1234,
                "timeToFinish": 9000,
                "costs": {"accruedSoFar": 0.0021, "currency": "USD"},
            },
        )
    )
    done = lifecycle.get_render(services, user, started.render_id)
    assert (done.status, done.progress, done.size_bytes, done.costs["accruedSoFar"]) == (
        RenderStatus.SUCCEEDED,
        100,
        1234,
        0.0021,
    )
    assert done.output_url == "s3://remotionlambda-x/renders/abc123/out.mp4"
    assert services.store.free_lock_slot(user, 1, int(now)) == 0
    # The user's poll that found it done asked for no still: the webhook, coming after, does.
    assert session.thumbnail_requests == []
    session.responses.append(("error", "ServiceException"))  # the webhook's progress read
    webhook = _webhook("success", started.render_id, user, outputFile="s3://remotionlambda-x/renders/abc123/out.mp4")
    assert lifecycle.apply_webhook(services, webhook) is False  # already ended: nothing else changes
    assert session.thumbnail_requests == [ThumbnailRequest(user_id=user, render_id=started.render_id)]
    session.responses.append(("payload", _STILL_ANSWER))
    assert thumbnailer.make_once(services, session.thumbnail_requests.pop()) == "renders/still-1/out.jpg"
    assert services.store.get_render(user, started.render_id).thumbnail_key == "renders/still-1/out.jpg"


_STILL_ANSWER = {
    "type": "success",
    "output": "https://s3.eu-central-1.amazonaws.com/remotionlambda-x/renders/still-1/out.jpg",
    "outKey": "renders/still-1/out.jpg",
    "sizeInBytes": 9000,
    "bucketName": "remotionlambda-x",
    "renderId": "still-1",
    "estimatedPrice": {"accruedSoFar": 0.00001, "displayCost": "$0.00", "currency": "USD"},
}


def _webhook(kind: str, record_id: str, user: str, **extra) -> object:
    return remotion_webhook.validate_python(
        {
            "type": kind,
            "renderId": "abc123",
            "bucketName": "remotionlambda-x",
            "expectedBucketOwner": "1234",
            "customData": {"renderId": record_id, "userId": user},
            **extra,
        }
    )


def _succeed(services, session, user: str, render_id: str) -> None:
    """Remotion's success webhook for a started render, its file in the function's bucket; the
    progress read it makes is refused, so the webhook's word stands."""
    session.responses.append(("error", "ServiceException"))
    good = "https://s3.eu-central-1.amazonaws.com/remotionlambda-x/renders/abc123/out.mp4"
    assert lifecycle.apply_webhook(services, _webhook("success", render_id, user, outputFile=good)) is True


def _started(services, session) -> tuple[str, str]:
    user, project_id = _project(services)
    session.responses.append(("payload", {"type": "success", "renderId": "abc123", "bucketName": "remotionlambda-x"}))
    return user, lifecycle.start_render(services, user, project_id, OutputFormat.MP4, Quality.LOW).render_id


def test_a_timeout_webhook_ends_the_render_as_ours_refunded(lambda_services):
    services, session = lambda_services
    user, render_id = _started(services, session)
    assert lifecycle.apply_webhook(services, _webhook("timeout", render_id, user)) is True
    ended = services.store.get_render(user, render_id)
    assert (ended.status, ended.refunded, _used(services, user)) == (RenderStatus.TIMED_OUT, True, 0)
    assert lifecycle.apply_webhook(services, _webhook("timeout", render_id, user)) is False  # duplicate


def test_on_lambda_a_render_past_its_time_budget_ends_as_the_scenes_counted(lambda_services, monkeypatch):
    """Remotion's function knows only its 900 s; the service holds a render to its own budget (two
    minutes for this one-second export), stops it, and counts it: no free renders by slowness."""
    services, session = lambda_services
    user, render_id = _started(services, session)
    record = services.store.get_render(user, render_id)
    assert record.time_budget_seconds == 120
    began = clock.epoch(record.started_at)
    monkeypatch.setattr(clock, "now", lambda: began + 119)
    assert lifecycle.sweep(services)["over_budget"] == 0  # within its budget: left alone
    monkeypatch.setattr(clock, "now", lambda: began + 121)
    still_rendering = {"type": "success", "overallProgress": 0.1, "done": False, "fatalErrorEncountered": False}
    session.responses.append(("payload", {**still_rendering, "errors": []}))
    assert lifecycle.sweep(services)["over_budget"] == 1
    ended = services.store.get_render(user, render_id)
    assert (ended.status, ended.refunded, _used(services, user)) == (RenderStatus.FAILED, False, 1)
    assert "ran past its time budget of 120 s" in ended.error
    assert lifecycle.sweep(services)["over_budget"] == 0  # ended once


def test_a_timeout_webhook_past_the_renders_budget_is_the_scenes(lambda_services, monkeypatch):
    services, session = lambda_services
    user, render_id = _started(services, session)
    began = clock.epoch(services.store.get_render(user, render_id).started_at)
    monkeypatch.setattr(clock, "now", lambda: began + 900)  # the function's own timeout, past 120 s
    assert lifecycle.apply_webhook(services, _webhook("timeout", render_id, user)) is True
    ended = services.store.get_render(user, render_id)
    assert (ended.status, ended.refunded, _used(services, user)) == (RenderStatus.FAILED, False, 1)


# What a scene can write into a failure, from inside the page: its error's class name (Remotion
# copies the page's `className` into `name`) and any text. Every marker the old rule matched.
_FORGED_NAME = "TooManyRequestsException"
_FORGED_TEXT = (
    "Rate Exceeded. FramecastInfrastructureError: TooManyRequestsException ConcurrentInvocationLimitExceeded "
    "Runtime exited with error: signal: killed Runtime.ExitError Task timed out; the render was cancelled"
)


def _error_entry(kind: str, name: str, message: str, chunk: int | None = 0) -> dict:
    """One of Remotion's EnhancedErrorInfo entries (@remotion/serverless-client 4.0.527)."""
    return {
        "type": kind,
        "name": name,
        "message": message,
        "stack": f"{name}: {message}\n    at renderer (/var/task/index.js:1:1)",
        "frame": None,
        "chunk": chunk,
        "isFatal": True,
        "attempt": 2,
        "willRetry": False,
        "totalAttempts": 2,
        "tmpDir": None,
        "s3Location": "",
        "explanation": None,
    }


def _failed_progress(errors: list[dict], **extra) -> tuple[str, dict]:
    """getRenderProgress of a render Remotion has given up on, as the function answers it."""
    return (
        "payload",
        {
            "type": "success",
            "renderId": "abc123",
            "overallProgress": 0.3,
            "chunks": 1,
            "done": False,
            "errors": errors,
            "fatalErrorEncountered": True,
            "outKey": None,
            "artifacts": [],
            **extra,
        },
    )


# A scene that calls cancelRender() with an error of its own making: Remotion's renderer reports
# it ("renderer"), the main function fails with its text ("stitcher").
_SCENE_FORGED = [
    _error_entry("renderer", _FORGED_NAME, _FORGED_TEXT),
    _error_entry("stitcher", "Error", f"{_FORGED_NAME}: {_FORGED_TEXT}", chunk=None),
]
# Two artifacts of one name from a scene fail the main function alone, with no renderer entry.
_ARTIFACT_CONFLICT = [
    _error_entry("stitcher", "Error", f"Chunk 0 emitted an asset filename a.txt ... {_FORGED_TEXT}", chunk=None)
]
_ARTIFACTS = [{"filename": "a.txt", "sizeInBytes": 1, "s3Url": "s3://x", "s3Key": "renders/abc123/a.txt"}]
# Remotion's own failures outside any renderer: the renderer's invoke throttled by AWS (the main
# function's catch, no renderer ever ran), and the render past its time (makeTimeoutError).
_INVOKE_THROTTLED = [
    _error_entry("stitcher", "Error", "TooManyRequestsException: Rate Exceeded.\n at invoke", chunk=None)
]
_TIMED_OUT = [_error_entry("stitcher", "TimeoutError", "The main function timed out after 900000ms", chunk=None)]


@pytest.mark.parametrize(
    ("webhook_error", "progress", "refunded"),
    [
        # The scene's words in the webhook and in every progress entry: counted.
        ({"name": _FORGED_NAME, "message": _FORGED_TEXT}, _failed_progress(_SCENE_FORGED), False),
        ({"name": "FramecastInfrastructureError", "message": _FORGED_TEXT}, _failed_progress(_SCENE_FORGED), False),
        # No renderer entry, but the scene emitted artifacts: counted.
        ({"name": "Error", "message": _FORGED_TEXT}, _failed_progress(_ARTIFACT_CONFLICT, artifacts=_ARTIFACTS), False),
        # Nothing structured to go on (progress unreadable): counted, whatever the text.
        ({"name": _FORGED_NAME, "message": _FORGED_TEXT}, ("error", "ServiceException"), False),
        # Remotion's structured record says no renderer failed: ours, even with a plain message.
        ({"name": "Error", "message": "kaboom"}, _failed_progress(_INVOKE_THROTTLED), True),
        ({"name": "Error", "message": "kaboom"}, _failed_progress(_TIMED_OUT), True),
    ],
)
def test_who_pays_for_an_error_webhook_is_decided_by_remotions_structured_fields_never_by_text(
    lambda_services, webhook_error, progress, refunded
):
    """Refund forgery on Lambda: a scene's words (name, message) never refund its render."""
    services, session = lambda_services
    user, render_id = _started(services, session)
    session.responses.append(progress)
    webhook = _webhook("error", render_id, user, errors=[webhook_error | {"stack": webhook_error["message"]}])
    assert lifecycle.apply_webhook(services, webhook) is True
    ended = services.store.get_render(user, render_id)
    assert (ended.status, ended.refunded) == (RenderStatus.FAILED, refunded)
    assert _used(services, user) == (0 if refunded else 1)
    assert lifecycle.describe(services, ended).quota_counted is not refunded


@pytest.mark.parametrize(
    ("errors", "extra", "ours"),
    [
        (_SCENE_FORGED, {}, False),
        (_ARTIFACT_CONFLICT, {"artifacts": _ARTIFACTS}, False),
        ([_error_entry("renderer", "FramecastInfrastructureError", _FORGED_TEXT)], {}, False),
        (_INVOKE_THROTTLED, {}, True),
    ],
)
def test_a_polled_fatal_progress_is_ours_only_by_remotions_structured_fields(lambda_services, errors, extra, ours):
    """The same rule on the poll path (get_render, the sweeper): the backend's report."""
    services, session = lambda_services
    user, render_id = _started(services, session)
    session.responses.append(_failed_progress(errors, **extra))
    report = services.backend.progress(services.store.get_render(user, render_id))
    assert report is not None and type(report).__name__ == "Failed"
    assert report.ours is ours


@pytest.mark.parametrize(
    "output_file",
    [
        "https://s3.eu-central-1.amazonaws.com/remotionlambda-x/projects/other-user/prj_1.json",
        "https://s3.eu-central-1.amazonaws.com/remotionlambda-x/renders/abc123/../../projects/x.json",
        "https://s3.eu-central-1.amazonaws.com/another-bucket/renders/abc123/out.mp4",
        "s3://remotionlambda-x/renders/someone-elses-render/out.mp4",
    ],
)
def test_a_signed_success_webhook_cannot_point_the_output_elsewhere(lambda_services, output_file):
    services, session = lambda_services
    user, render_id = _started(services, session)
    session.responses.append(("error", "ServiceException"))  # the backend cannot say where the file is
    with pytest.raises(InvalidWebhook):
        lifecycle.apply_webhook(services, _webhook("success", render_id, user, outputFile=output_file))
    assert services.store.get_render(user, render_id).status is RenderStatus.RENDERING

    _succeed(services, session, user, render_id)
    assert services.store.get_render(user, render_id).output_key == "renders/abc123/out.mp4"


def test_a_success_asks_the_thumbnailer_for_a_still_from_the_same_props(lambda_services):
    services, session = lambda_services
    user, render_id = _started(services, session)
    start = session.invocations[-1]
    _succeed(services, session, user, render_id)
    # The webhook answers without a still: it only asks for one.
    assert [i["type"] for i in session.invocations] == ["start", "status"]
    [request] = session.thumbnail_requests
    assert request.to_json_dict() == {"userId": user, "renderId": render_id}

    session.responses.append(("payload", _STILL_ANSWER))
    assert thumbnailer.make_once(services, request) == "renders/still-1/out.jpg"
    still = session.invocations[-1]
    assert still["type"] == "still"
    # The export's own composition and props, at the poster frame (halfway into the first scene),
    # into the export's bucket, no bigger than the history needs.
    assert (still["composition"], still["inputProps"], still["frame"]) == (
        start["composition"],
        start["inputProps"],
        15,
    )
    assert (still["imageFormat"], still["bucketName"], still["privacy"], still["deleteAfter"]) == (
        "jpeg",
        "remotionlambda-x",
        "private",
        "30-days",
    )
    assert still["scale"] == pytest.approx(320 / 854)
    assert services.store.get_render(user, render_id).thumbnail_key == "renders/still-1/out.jpg"
    assert lifecycle.get_render(services, user, render_id).thumbnail_url == "https://signed.example/file"
    # Asked again (a repeated webhook, Lambda's retry): the still is there, nothing more is made.
    assert thumbnailer.make_once(services, request) == "renders/still-1/out.jpg"
    assert [i["type"] for i in session.invocations] == ["start", "status", "still"]


def test_an_identical_export_made_before_the_earlier_ones_still_asks_for_its_own(lambda_services):
    services, session = lambda_services
    user, render_id = _started(services, session)
    _succeed(services, session, user, render_id)
    session.thumbnail_requests.clear()  # the earlier export's still: asked for, not made yet
    s3 = services.store.s3
    s3.create_bucket(Bucket="remotionlambda-x", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    s3.put_object(Bucket="remotionlambda-x", Key="renders/abc123/out.mp4", Body=b"video")

    project_id = services.store.get_render(user, render_id).project_id
    again = lifecycle.start_render(services, user, project_id, OutputFormat.MP4, Quality.LOW)
    assert again.status is RenderStatus.SUCCEEDED and again.render_id != render_id
    assert session.thumbnail_requests == [ThumbnailRequest(user_id=user, render_id=again.render_id)]
    session.responses.append(("payload", _STILL_ANSWER))
    assert thumbnailer.make_once(services, session.thumbnail_requests.pop()) == "renders/still-1/out.jpg"
    assert lifecycle.get_render(services, user, again.render_id).thumbnail_url == "https://signed.example/file"


def test_a_thumbnail_that_cannot_be_asked_for_fails_no_webhook(lambda_services):
    services, session = lambda_services

    def unreachable(request: ThumbnailRequest) -> None:
        raise ConnectionError("the thumbnailer cannot be invoked")

    services = dataclasses.replace(services, request_thumbnail=unreachable)
    user, render_id = _started(services, session)
    _succeed(services, session, user, render_id)
    done = lifecycle.get_render(services, user, render_id)
    assert (done.status, done.thumbnail_url) == (RenderStatus.SUCCEEDED, None)


def test_a_throttled_still_fails_the_thumbnailer_for_another_try_and_a_failed_one_does_not(lambda_services):
    services, session = lambda_services
    user, render_id = _started(services, session)
    _succeed(services, session, user, render_id)
    [request] = session.thumbnail_requests
    # Throttled: the invocation fails, so Lambda tries it again later.
    session.responses.append(("error", "TooManyRequestsException"))
    with pytest.raises(BackendRefused) as refused:
        thumbnailer.make_once(services, request)
    assert refused.value.throttled
    # The still itself failed (the scene, at its poster frame): nothing to retry.
    session.responses.append(("payload", {"type": "error", "message": "the scene threw", "stack": ""}))
    assert thumbnailer.make_once(services, request) is None
    session.responses.append(("payload", _STILL_ANSWER))
    assert thumbnailer.make_once(services, request) == "renders/still-1/out.jpg"


def test_the_thumbnailer_makes_nothing_for_an_export_that_did_not_succeed(lambda_services):
    services, session = lambda_services
    user, render_id = _started(services, session)
    for asked in (ThumbnailRequest(user_id=user, render_id=render_id), ThumbnailRequest(user_id=user, render_id="x")):
        assert thumbnailer.make_once(services, asked) is None
    assert [i["type"] for i in session.invocations] == ["start"]


def test_no_thumbnail_is_no_failure_and_an_edited_project_gets_none(lambda_services):
    services, session = lambda_services
    user, render_id = _started(services, session)
    record = services.store.get_render(user, render_id)
    edited = project(scene(SCENE.replace("<AbsoluteFill/>", "<div/>"), duration=30))
    projects.replace_scenes(services.store, user, record.project_id, edited.scenes, services.limits)
    _succeed(services, session, user, render_id)
    # No still of scenes that are not in the file.
    assert thumbnailer.make_once(services, session.thumbnail_requests.pop()) is None
    assert [i["type"] for i in session.invocations] == ["start", "status"]
    done = lifecycle.get_render(services, user, render_id)
    assert (done.status, done.thumbnail_url) == (RenderStatus.SUCCEEDED, None)


_LEAKY = (
    "Error loading http://localhost:3001/proxy?src=http%3A%2F%2F127.0.0.1%3A8000%2Fa.mp3 (from http://[::1]:9001), "
    "in /tmp/remotion-webpack-bundle-x1/bundle.js at /var/task/index.js:3; arn:aws:lambda:eu-central-1:123456789012:"
    "function:remotion-render"
)


def test_the_error_and_warnings_a_user_reads_name_no_internal_host_port_or_path(lambda_services):
    """Scrubbed where every end is written (lifecycle.finish), so on both backends."""
    services, session = lambda_services
    user, render_id = _started(services, session)
    session.responses.append(_failed_progress([_error_entry("renderer", "Error", _LEAKY)]))
    webhook = _webhook("error", render_id, user, errors=[{"name": "Error", "message": _LEAKY, "stack": _LEAKY}])
    assert lifecycle.apply_webhook(services, webhook) is True
    shown = lifecycle.describe(services, services.store.get_render(user, render_id)).model_dump(by_alias=True)
    text = json.dumps(shown, ensure_ascii=False)
    for secret in ("localhost", ":3001", "127.0.0.1", "::1", "/tmp", "/var/task", "123456789012", "9001"):
        assert secret not in text, (secret, shown["error"])
    assert shown["error"].startswith("Error loading <internal address>")
