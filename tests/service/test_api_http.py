"""The API over HTTP against the local stack: contracts of design sections 5 and 6."""

import json
import time
import urllib.error
import urllib.request

import pytest

from local.render_backend import post_webhook
from tests.helpers.api import SMALL_SCENE, Client, other_client


def test_health_needs_no_token(stack):
    status, body, _ = Client(stack.url, None).call("GET", "/health")
    assert (status, body) == (200, {"status": "ok"})


def test_no_token_or_a_bad_one_is_401(stack):
    anonymous = Client(stack.url, None)
    assert anonymous.call("GET", "/projects")[0] == 401
    forged = Client(stack.url, None)
    forged.token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad"
    status, body, _ = forged.call("GET", "/projects")
    assert status == 401 and body["error"]["code"] == "unauthorized"


def test_projects_crud_and_another_users_project_is_404(stack, client):
    project = client.project()
    assert client.call("GET", f"/projects/{project['projectId']}")[1]["scenes"][0]["id"] == "one"
    assert [p["projectId"] for p in client.call("GET", "/projects")[1]["items"]] == [project["projectId"]]
    stranger = other_client(stack)
    for method, path in [
        ("GET", f"/projects/{project['projectId']}"),
        ("DELETE", f"/projects/{project['projectId']}"),
        ("PUT", f"/projects/{project['projectId']}/scenes"),
    ]:
        status, body, _ = stranger.call(method, path, {"scenes": []} if method == "PUT" else None)
        assert status == 404 and body["error"]["code"] == "not_found"
    assert client.call("DELETE", f"/projects/{project['projectId']}")[0] == 204
    assert client.call("GET", f"/projects/{project['projectId']}")[0] == 404


def test_put_scenes_answers_per_scene_diagnostics_and_keeps_the_work(client):
    project = client.project()
    broken = {"id": "bad", "name": "Bad", "tsxCode": "export default () => <div>{1 +}</div>;"}
    status, body, _ = client.call("PUT", f"/projects/{project['projectId']}/scenes", {"scenes": [broken]})
    assert status == 200
    assert body["diagnostics"] == [
        {"sceneId": "bad", "sceneName": "Bad", "line": 1, "column": 31, "message": 'Unexpected "}"'}
    ]
    assert client.call("GET", f"/projects/{project['projectId']}")[1]["scenes"][0]["id"] == "bad"


def test_a_broken_project_previews_the_scenes_that_work_and_names_the_one_that_does_not(client):
    good = {"id": "good", "name": "Opening", "durationInFrames": 45, "tsxCode": SMALL_SCENE}
    bad = {"id": "bad", "name": "Closing", "tsxCode": "export default () => <div>{1 +}</div>;"}
    project = client.project([good, bad])
    status, preview, _ = client.call("GET", f"/projects/{project['projectId']}/preview")
    assert status == 200
    assert [scene["id"] for scene in preview["props"]["scenes"]] == ["good"] and preview["videoSeconds"] == 1.5
    assert preview["diagnostics"] == [
        {"sceneId": "bad", "sceneName": "Closing", "line": 1, "column": 31, "message": 'Unexpected "}"'}
    ]
    only_bad = client.project([bad])
    status, preview, _ = client.call("GET", f"/projects/{only_bad['projectId']}/preview")
    assert (status, preview["props"], len(preview["diagnostics"])) == (200, None, 1)


def test_malformed_json_is_400_and_bad_values_are_422_naming_the_field(client):
    status, body, _ = client.call("POST", "/renders", raw=b"{not json")
    assert status == 400 and body["error"]["code"] == "malformed_json"
    project = client.project()
    status, body, _ = client.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": "avi", "quality": "high"}
    )
    assert status == 422 and body["error"]["details"][0]["field"] == "format"
    status, body, _ = client.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": "mp4", "quality": "ultra"}
    )
    assert status == 422 and body["error"]["details"][0]["field"] == "quality"
    status, body, _ = client.call("POST", "/projects", {"title": "x", "format": "round"})
    assert status == 422 and body["error"]["details"][0]["field"] == "format"


@pytest.mark.parametrize(
    ("method", "path", "raw", "status", "code"),
    [
        ("POST", "/projects", b"[" * 100_000 + b"]" * 100_000, 400, "malformed_json"),
        ("POST", "/projects", b'{"title": "a", "width": ' + b"9" * 5000 + b', "height": 100}', 400, "malformed_json"),
        ("POST", "/renders", b"[]", 422, "invalid_request"),
        ("POST", "/projects", b"null", 422, "invalid_request"),
        ("GET", "/renders?cursor=Ingi", None, 400, "invalid_cursor"),
        ("GET", "/renders?cursor=eyJwayI6IDF9", None, 400, "invalid_cursor"),
        ("GET", "/renders?limit=0", None, 422, "invalid_request"),
        ("DELETE", "/renders", None, 405, "method_not_allowed"),
    ],
)
def test_hostile_bodies_and_queries_are_4xx_in_the_envelope(client, method, path, raw, status, code):
    answer, body, _ = client.call(method, path, raw=raw)
    assert (answer, body["error"]["code"]) == (status, code)
    assert body["error"]["message"]


def test_another_users_cursor_is_refused(stack, client):
    import base64
    import json

    foreign = base64.urlsafe_b64encode(
        json.dumps({"pk": {"S": "USER#someone-else"}, "sk": {"S": "RENDER#rnd_1"}}).encode()
    ).decode()
    status, body, _ = client.call("GET", f"/renders?cursor={foreign}")
    assert (status, body["error"]["code"]) == (400, "invalid_cursor")


def _used_today(client) -> int:
    return client.call("GET", "/exports/stats")[1]["usedToday"]


def test_scene_that_does_not_compile_is_422_with_its_place_and_costs_no_quota(client):
    project = client.project([{"id": "oops", "name": "Oops", "tsxCode": "const a = ;\nexport default () => null;"}])
    status, body, _ = client.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": "mp4", "quality": "low"}
    )
    assert status == 422
    assert body["error"]["code"] == "compile_error"
    assert body["error"]["details"] == [
        {"sceneId": "oops", "sceneName": "Oops", "line": 1, "column": 11, "message": 'Unexpected ";"'}
    ]
    assert _used_today(client) == 0


def test_limits_are_enforced_on_the_server(client):
    long_gif = client.project([{"id": "long", "name": "Long", "durationInFrames": 61 * 30, "tsxCode": SMALL_SCENE}])
    status, body, _ = client.call(
        "POST", "/renders", {"projectId": long_gif["projectId"], "format": "gif", "quality": "low"}
    )
    assert status == 422 and "a gif may be at most 60 s" in body["error"]["message"]
    too_long = client.project([{"id": "l", "name": "L", "durationInFrames": 30 * 60 * 30 + 1, "tsxCode": SMALL_SCENE}])
    status, body, _ = client.call(
        "POST", "/renders", {"projectId": too_long["projectId"], "format": "mp4", "quality": "low"}
    )
    assert status == 422 and "at most 30 minutes" in body["error"]["message"]
    many = [{"id": f"s{i}", "name": "S", "tsxCode": SMALL_SCENE} for i in range(101)]
    status, body, _ = client.call("POST", "/projects", {"title": "many", "format": "square", "scenes": many})
    assert status == 413 and body["error"]["code"] == "too_large"
    assert _used_today(client) == 0


def _start(client, project, fmt="mp4", quality="low", headers=None):
    return client.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": fmt, "quality": quality}, headers=headers
    )


@pytest.mark.render
def test_one_render_at_a_time_and_the_refusal_costs_nothing(client):
    project = client.project([{"id": "long", "name": "Long", "durationInFrames": 900, "tsxCode": SMALL_SCENE}])
    status, first, _ = _start(client, project)
    assert status == 202 and first["quota"] == {"usedToday": 1, "dailyLimit": 10}
    status, body, headers = _start(client, project)
    assert status == 429 and body["error"]["code"] == "render_in_progress"
    assert body["error"]["details"] == [{"renderId": first["renderId"], "status": "rendering"}]
    assert int(headers["Retry-After"]) > 0
    assert _used_today(client) == 1
    status, cancelled, _ = client.call("POST", f"/renders/{first['renderId']}/cancel")
    assert status == 200 and cancelled["status"] == "cancelled"
    assert client.call("POST", f"/renders/{first['renderId']}/cancel")[0] == 409  # ended states never change
    status, second, _ = _start(client, project)  # the lock was released
    assert status == 202
    client.call("POST", f"/renders/{second['renderId']}/cancel")


@pytest.mark.render
def test_the_eleventh_export_of_a_day_is_429_daily_limit(client):
    project = client.project()
    for n in range(1, 11):
        status, started, _ = _start(client, project)
        assert status == 202 and started["quota"]["usedToday"] == n
        client.call("POST", f"/renders/{started['renderId']}/cancel")  # cancelled exports still count
    status, body, headers = _start(client, project)
    assert status == 429 and body["error"]["code"] == "daily_limit"
    assert 0 < int(headers["Retry-After"]) <= 86400
    assert _used_today(client) == 10


@pytest.mark.render
def test_the_same_idempotency_key_twice_is_one_export(client):
    project = client.project([{"id": "long", "name": "Long", "durationInFrames": 600, "tsxCode": SMALL_SCENE}])
    key = {"Idempotency-Key": "export-123"}
    status_a, first, _ = _start(client, project, headers=key)
    status_b, second, _ = _start(client, project, headers=key)
    assert (status_a, status_b) == (202, 202)
    assert first["renderId"] == second["renderId"]
    assert len(client.call("GET", "/renders")[1]["items"]) == 1
    assert _used_today(client) == 1
    status, body, _ = _start(client, project, "webm", headers=key)  # same key, another request
    assert status == 422 and body["error"]["code"] == "idempotency_key_reused"
    client.call("POST", f"/renders/{first['renderId']}/cancel")


@pytest.mark.render
def test_another_users_render_is_404(stack, client):
    project = client.project([{"id": "long", "name": "Long", "durationInFrames": 600, "tsxCode": SMALL_SCENE}])
    _, started, _ = _start(client, project)
    stranger = other_client(stack)
    for method, path in [
        ("GET", f"/renders/{started['renderId']}"),
        ("POST", f"/renders/{started['renderId']}/cancel"),
        ("POST", f"/renders/{started['renderId']}/downloads"),
    ]:
        assert stranger.call(method, path)[0] == 404
    assert stranger.call("GET", "/renders")[1]["items"] == []
    client.call("POST", f"/renders/{started['renderId']}/cancel")


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"null",
        b'"x"',
        b"{not json",
        b'{"type": "success", "renderId": "r", "bucketName": "b", "expectedBucketOwner": "o", "customData": "x"}',
        b'{"type": "surprise", "renderId": "r", "bucketName": "b", '
        b'"expectedBucketOwner": "o", "customData": {"renderId": "r", "userId": "u"}}',
    ],
)
def test_a_signed_webhook_that_is_not_remotions_shape_is_400(stack, body):
    from functions.webhook_signature import sign

    request = urllib.request.Request(
        f"{stack.url}/webhooks/remotion",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Remotion-Signature": sign(stack.services.webhook_secret, body)},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"]["code"] in ("invalid_webhook", "malformed_json")


def _webhook(stack, payload: dict, secret: str | None = None) -> int:
    return post_webhook(f"{stack.url}/webhooks/remotion", secret or stack.services.webhook_secret, payload)


@pytest.mark.render
def test_webhooks_are_verified_applied_once_and_unknown_ones_are_404(stack, client):
    project = client.project([{"id": "long", "name": "Long", "durationInFrames": 900, "tsxCode": SMALL_SCENE}])
    _, started, _ = _start(client, project)
    render_id = started["renderId"]
    failure = {
        "type": "error",
        "renderId": render_id,
        "bucketName": "b",
        "expectedBucketOwner": "x",
        "customData": {"renderId": render_id, "userId": client.user},
        "errors": [{"message": "chunk 3 crashed", "name": "Error", "stack": ""}],
    }
    assert _webhook(stack, failure, secret="not-the-secret") == 401
    assert client.call("GET", f"/renders/{render_id}")[1]["status"] == "rendering"  # nothing changed

    assert _webhook(stack, failure) == 200
    after_first = client.call("GET", f"/renders/{render_id}")[1]
    assert (after_first["status"], after_first["error"]) == ("failed", "chunk 3 crashed")
    assert _webhook(stack, failure | {"errors": [{"message": "other"}]}) == 200  # a duplicate: answered, ignored
    assert client.call("GET", f"/renders/{render_id}")[1] == after_first
    assert _start(client, project)[0] == 202  # the failed render released the lock
    unknown = failure | {"customData": {"renderId": "rnd_nope", "userId": client.user}}
    assert _webhook(stack, unknown) == 404
    client.call("POST", f"/renders/{client.call('GET', '/renders')[1]['items'][0]['renderId']}/cancel")


@pytest.mark.render
def test_renders_are_listed_newest_first_with_pages(client):
    project = client.project()
    ids = []
    for _ in range(3):
        _, started, _ = _start(client, project)
        ids.append(started["renderId"])
        client.call("POST", f"/renders/{started['renderId']}/cancel")
    status, page, _ = client.call("GET", "/renders?limit=2")
    assert [r["renderId"] for r in page["items"]] == ids[::-1][:2]
    _, rest, _ = client.call("GET", f"/renders?limit=2&cursor={page['nextCursor']}")
    assert [r["renderId"] for r in rest["items"]] == ids[:1]


@pytest.mark.render
def test_an_export_end_to_end_progress_download_and_stats(client):
    project = client.project([{"id": "one", "name": "One", "durationInFrames": 45, "tsxCode": SMALL_SCENE}])
    status, started, _ = _start(client, project, "gif", "low")
    assert status == 202
    assert started["estimate"]["videoSeconds"] == 1.5
    seen = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        render = client.call("GET", f"/renders/{started['renderId']}")[1]
        seen.append(render["progress"])
        if render["status"] not in ("queued", "rendering"):
            break
        time.sleep(0.5)
    assert render["status"] == "succeeded", render["error"]
    assert seen == sorted(seen) and seen[-1] == 100  # progress never goes down
    assert render["sizeBytes"] > 0 and (render["width"], render["height"]) == (240, 240)
    status, link, _ = client.call(
        "POST", f"/renders/{started['renderId']}/downloads", headers={"User-Agent": "pytest-browser"}
    )
    assert status == 200 and link["expiresAt"] > render["completedAt"]
    with urllib.request.urlopen(link["url"]) as response:
        data = response.read()
        assert response.headers["Content-Disposition"] == 'attachment; filename="Test-export.gif"'
    assert data[:6] == b"GIF89a" and len(data) == render["sizeBytes"]
    stats = client.call("GET", "/exports/stats")[1]
    assert stats["byStatus"] == {"succeeded": 1} and stats["downloads"] == 1
    assert stats["byFormat"] == {"gif": 1} and stats["byQuality"] == {"low": 1}
    assert stats["meanRenderSeconds"] > 0
    assert (stats["usedToday"], stats["dailyLimit"], stats["concurrentLimit"]) == (1, 10, 1)
    assert stats["quotaResetsAt"] > render["completedAt"] and stats["reused"] == 0

    # A thumbnail follows: a still of the same composition (renderStill), in the bucket, signed.
    deadline = time.monotonic() + 60
    while not render.get("thumbnailUrl") and time.monotonic() < deadline:
        time.sleep(0.5)
        render = client.call("GET", f"/renders/{started['renderId']}")[1]
    with urllib.request.urlopen(render["thumbnailUrl"]) as response:
        still = response.read()
        assert response.headers["Content-Type"] == "image/jpeg"
    assert still[:3] == b"\xff\xd8\xff" and client.call("GET", "/exports/stats")[1]["downloads"] == 1

    # The page learns beforehand which exports would be ready at once, and how big each file will be:
    # from this user's own gif of the same quality, exactly this one's size.
    preview = client.call("GET", f"/projects/{project['projectId']}/preview")[1]
    ready = preview["readyAtOnce"]
    assert ready["gif"] == {"low": True, "medium": False, "high": False} and not any(ready["mp4"].values())
    assert preview["sizeBytes"]["gif"]["low"] == render["sizeBytes"]
    assert 0 < preview["sizeBytes"]["mp4"]["low"] < preview["sizeBytes"]["mp4"]["high"]

    # The identical export again: the same file at once, as a new export, and no quota spent.
    status, again, _ = _start(client, project, "gif", "low")
    assert status == 202 and again["status"] == "succeeded" and again["renderId"] != started["renderId"]
    assert again["quota"]["usedToday"] == 1 and again["estimate"]["renderSeconds"] == 0
    reused = client.call("GET", f"/renders/{again['renderId']}")[1]
    assert (reused["reused"], reused["quotaCounted"], reused["sizeBytes"]) == (True, False, render["sizeBytes"])
    assert reused["thumbnailUrl"].split("?")[0] == render["thumbnailUrl"].split("?")[0]
    with urllib.request.urlopen(client.call("POST", f"/renders/{again['renderId']}/downloads")[1]["url"]) as response:
        assert response.read() == data
    stats = client.call("GET", "/exports/stats")[1]
    assert (stats["total"], stats["reused"], stats["usedToday"], stats["downloads"]) == (2, 1, 1, 2)
    other = _start(client, project, "gif", "medium")[1]  # other settings: a new render
    assert other["status"] == "rendering"
    client.call("POST", f"/renders/{other['renderId']}/cancel")
