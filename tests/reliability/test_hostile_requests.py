"""Hostile requests on every route: each answered with a 4xx in the one JSON envelope, never a 5xx,
never HTML, never a dropped connection. Sent as raw bytes, so that nothing is cleaned up on the way.
"""

import base64
import json
import time

import jwt
import pytest

from functions.webhook_signature import sign
from local import auth
from tests.helpers.http import assert_error_envelope, raw_http

USER = "hostile-user"
OTHER_KEY = "0" * 64


def token(sub: str = USER, key: str | None = None, **claims) -> str:
    now = int(time.time())
    payload = {"sub": sub, "iss": auth.ISSUER, "aud": auth.AUDIENCE, "iat": now, "exp": now + 600} | claims
    return jwt.encode(payload, key or auth.signing_key(), algorithm="HS256")


def alg_none_token() -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'sub': USER, 'iss': auth.ISSUER, 'aud': auth.AUDIENCE})}."


def http_request(
    method: str, path: str, body: bytes = b"", headers: dict | None = None, bearer: str | None = "valid"
) -> bytes:
    all_headers = {"Host": "127.0.0.1", "Content-Type": "application/json", "Connection": "close"}
    if bearer == "valid":
        all_headers["Authorization"] = f"Bearer {token()}"
    elif bearer is not None:
        all_headers["Authorization"] = bearer
    all_headers |= headers or {}
    if body or method in ("POST", "PUT"):
        all_headers["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items()) + "\r\n"
    return head.encode("latin-1") + body


# Every route of the API, with ids filled in by the `ids` fixture.
AUTHENTICATED_ROUTES = [
    ("GET", "/projects"),
    ("POST", "/projects"),
    ("GET", "/projects/{project}"),
    ("DELETE", "/projects/{missing}"),
    ("PUT", "/projects/{project}/scenes"),
    ("GET", "/projects/{project}/preview"),
    ("POST", "/renders"),
    ("GET", "/renders"),
    ("GET", "/renders/{render}"),
    ("POST", "/renders/{render}/cancel"),
    ("POST", "/renders/{render}/downloads"),
    ("GET", "/exports/stats"),
]
BAD_TOKENS = {
    "no-token": None,
    "not-bearer": "Basic dXNlcjpwYXNz",
    "garbage": "Bearer not.a.token",
    "other-key": f"Bearer {token(key=OTHER_KEY)}",
    "expired": f"Bearer {token(exp=int(time.time()) - 60)}",
    "alg-none": f"Bearer {alg_none_token()}",
    "wrong-audience": f"Bearer {token(aud='someone-else')}",
}
WRONG_METHODS = [
    ("PATCH", "/projects"),
    ("OPTIONS", "/projects"),
    ("TRACE", "/projects"),
    ("DELETE", "/projects"),
    ("PATCH", "/projects/{project}"),
    ("POST", "/projects/{project}"),
    ("GET", "/projects/{project}/scenes"),
    ("PUT", "/renders"),
    ("DELETE", "/renders/{render}"),
    ("GET", "/renders/{render}/cancel"),
    ("GET", "/renders/{render}/downloads"),
    ("POST", "/exports/stats"),
    ("GET", "/webhooks/remotion"),
    ("POST", "/health"),
    ("OPTIONS", "/health"),
    ("POST", "/downloads/b/k"),
    ("PUT", "/index.html"),
    ("DELETE", "/"),
]
UNKNOWN_ROUTES = [
    "/projects/{project}/nope",
    "/projects/a/b/c",
    "/renders/{render}/nope",
    "/exports",
    "/exports/stats/x",
    "/webhooks",
    "/webhooks/other",
    "/health/x",
    "/projects/",
    "/renders/",
]

DEEP = b"[" * 100_000 + b"]" * 100_000
BIG_NUMBER = b"9" * 5000


def _webhook(body: bytes, signature: str | None = "valid") -> tuple:
    headers = {}
    if signature == "valid":
        headers["X-Remotion-Signature"] = sign(auth.local_secret("webhook-secret"), body)
    elif signature is not None:
        headers["X-Remotion-Signature"] = signature
    return ("POST", "/webhooks/remotion", body, headers, None)


HANDLER_CASES = {
    # POST /projects
    "post-projects-not-json": ("POST", "/projects", b"{not json", {}, "valid"),
    "post-projects-empty-body": ("POST", "/projects", b"", {}, "valid"),
    "post-projects-list": ("POST", "/projects", b"[]", {}, "valid"),
    "post-projects-null": ("POST", "/projects", b"null", {}, "valid"),
    "post-projects-string": ("POST", "/projects", b'"x"', {}, "valid"),
    "post-projects-no-title": ("POST", "/projects", b"{}", {}, "valid"),
    "post-projects-title-too-long": ("POST", "/projects", json.dumps({"title": "x" * 201}).encode(), {}, "valid"),
    "post-projects-title-number": ("POST", "/projects", b'{"title": 5}', {}, "valid"),
    "post-projects-bad-format": ("POST", "/projects", b'{"title": "t", "format": "round"}', {}, "valid"),
    "post-projects-negative-width": ("POST", "/projects", b'{"title": "t", "width": -1, "height": 100}', {}, "valid"),
    "post-projects-huge-width": ("POST", "/projects", b'{"title": "t", "width": 1e308, "height": 100}', {}, "valid"),
    "post-projects-width-alone": ("POST", "/projects", b'{"title": "t", "width": 100}', {}, "valid"),
    "post-projects-5000-digit-width": (
        "POST",
        "/projects",
        b'{"title": "t", "width": ' + BIG_NUMBER + b', "height": 100}',
        {},
        "valid",
    ),
    "post-projects-deep-nesting": ("POST", "/projects", b'{"title": "t", "scenes": ' + DEEP + b"}", {}, "valid"),
    "post-projects-scenes-not-list": ("POST", "/projects", b'{"title": "t", "scenes": "x"}', {}, "valid"),
    "post-projects-bad-scene-id": (
        "POST",
        "/projects",
        json.dumps({"title": "t", "scenes": [{"id": "../etc", "name": "n", "tsxCode": ""}]}).encode(),
        {},
        "valid",
    ),
    "post-projects-duplicate-scenes": (
        "POST",
        "/projects",
        json.dumps(
            {"title": "t", "scenes": [{"id": "a", "name": "n", "tsxCode": ""}, {"id": "a", "name": "n", "tsxCode": ""}]}
        ).encode(),
        {},
        "valid",
    ),
    "post-projects-nan": ("POST", "/projects", b'{"title": "t", "width": NaN, "height": 100}', {}, "valid"),
    "post-projects-trailing-garbage": ("POST", "/projects", b'{"title": "t"} x', {}, "valid"),
    "post-projects-lone-surrogate": ("POST", "/projects", b'{"title": "\\ud800"}', {}, "valid"),
    # PUT /projects/{id}/scenes
    "put-scenes-empty-object": ("PUT", "/projects/{project}/scenes", b"{}", {}, "valid"),
    "put-scenes-not-list": ("PUT", "/projects/{project}/scenes", b'{"scenes": 5}', {}, "valid"),
    "put-scenes-missing-project": ("PUT", "/projects/{missing}/scenes", b'{"scenes": []}', {}, "valid"),
    "put-scenes-deep-nesting": ("PUT", "/projects/{project}/scenes", b'{"scenes": ' + DEEP + b"}", {}, "valid"),
    "put-scenes-bad-duration": (
        "PUT",
        "/projects/{project}/scenes",
        json.dumps({"scenes": [{"id": "a", "name": "n", "tsxCode": "", "durationInFrames": -5}]}).encode(),
        {},
        "valid",
    ),
    # POST /renders
    "post-renders-empty": ("POST", "/renders", b"{}", {}, "valid"),
    "post-renders-bad-format": (
        "POST",
        "/renders",
        b'{"projectId": "{project}", "format": "avi", "quality": "low"}',
        {},
        "valid",
    ),
    "post-renders-bad-quality": (
        "POST",
        "/renders",
        b'{"projectId": "{project}", "format": "mp4", "quality": "8k"}',
        {},
        "valid",
    ),
    "post-renders-missing-project": (
        "POST",
        "/renders",
        b'{"projectId": "{missing}", "format": "mp4", "quality": "low"}',
        {},
        "valid",
    ),
    "post-renders-project-id-number": (
        "POST",
        "/renders",
        b'{"projectId": 5, "format": "mp4", "quality": "low"}',
        {},
        "valid",
    ),
    "post-renders-project-id-huge": (
        "POST",
        "/renders",
        json.dumps({"projectId": "p" * 10000, "format": "mp4", "quality": "low"}).encode(),
        {},
        "valid",
    ),
    "post-renders-idempotency-key-too-long": (
        "POST",
        "/renders",
        b'{"projectId": "{missing}", "format": "mp4", "quality": "low"}',
        {"Idempotency-Key": "k" * 500},
        "valid",
    ),
    "post-renders-5000-digit-number": (
        "POST",
        "/renders",
        b'{"projectId": ' + BIG_NUMBER + b', "format": "mp4", "quality": "low"}',
        {},
        "valid",
    ),
    "post-renders-deep-nesting": ("POST", "/renders", DEEP, {}, "valid"),
    "post-renders-list": ("POST", "/renders", b"[1, 2]", {}, "valid"),
    # GET /renders
    "list-renders-limit-zero": ("GET", "/renders?limit=0", b"", {}, "valid"),
    "list-renders-limit-negative": ("GET", "/renders?limit=-5", b"", {}, "valid"),
    "list-renders-limit-huge": ("GET", "/renders?limit=100000", b"", {}, "valid"),
    "list-renders-limit-text": ("GET", "/renders?limit=abc", b"", {}, "valid"),
    "list-renders-limit-5000-digits": ("GET", "/renders?limit=" + "9" * 5000, b"", {}, "valid"),
    "list-renders-cursor-not-base64": ("GET", "/renders?cursor=Ingi", b"", {}, "valid"),
    "list-renders-cursor-not-a-key": ("GET", "/renders?cursor=eyJwayI6IDF9", b"", {}, "valid"),
    "list-renders-cursor-a-list": (
        "GET",
        "/renders?cursor=" + base64.urlsafe_b64encode(b"[1]").decode(),
        b"",
        {},
        "valid",
    ),
    "list-renders-cursor-too-long": ("GET", "/renders?cursor=" + "A" * 3000, b"", {}, "valid"),
    # one render, one project: ids that are not theirs, not ids at all
    "get-render-missing": ("GET", "/renders/rnd_000000000000deadbeef", b"", {}, "valid"),
    "get-render-traversal": ("GET", "/renders/..%2F..%2Fetc%2Fpasswd", b"", {}, "valid"),
    "get-render-unicode": ("GET", "/renders/%E2%98%83", b"", {}, "valid"),
    "get-render-invalid-utf8-escape": ("GET", "/renders/%FF%FE", b"", {}, "valid"),
    "get-render-very-long-id": ("GET", "/renders/" + "r" * 2000, b"", {}, "valid"),
    "cancel-missing-render": ("POST", "/renders/rnd_000000000000deadbeef/cancel", b"", {}, "valid"),
    "download-missing-render": ("POST", "/renders/rnd_000000000000deadbeef/downloads", b"", {}, "valid"),
    "download-unfinished-render": ("POST", "/renders/{render}/downloads", b"", {}, "valid"),
    "cancel-another-users-render": ("POST", "/renders/{render}/cancel", b"", {}, "stranger"),
    "get-project-missing": ("GET", "/projects/{missing}", b"", {}, "valid"),
    "get-project-of-another-user": ("GET", "/projects/{project}", b"", {}, "stranger"),
    "get-project-traversal": ("GET", "/projects/..%2F..%2Fetc", b"", {}, "valid"),
    "preview-missing-project": ("GET", "/projects/{missing}/preview", b"", {}, "valid"),
    "delete-project-of-another-user": ("DELETE", "/projects/{project}", b"", {}, "stranger"),
    # POST /webhooks/remotion
    "webhook-no-signature": _webhook(b'{"type": "success"}', signature=None),
    "webhook-bad-signature": _webhook(b'{"type": "success"}', signature="sha512=" + "0" * 128),
    "webhook-empty-signature": _webhook(b'{"type": "success"}', signature="sha512="),
    "webhook-no-secret-provided": _webhook(b'{"type": "success"}', signature="NO_SECRET_PROVIDED"),
    "webhook-not-json": _webhook(b"{not json"),
    "webhook-body-list": _webhook(b"[]"),
    "webhook-body-null": _webhook(b"null"),
    "webhook-body-string": _webhook(b'"x"'),
    "webhook-body-number": _webhook(b"5"),
    "webhook-custom-data-string": _webhook(b'{"type": "success", "renderId": "r", "customData": "x"}'),
    "webhook-custom-data-list": _webhook(b'{"type": "success", "renderId": "r", "customData": [1]}'),
    "webhook-unknown-render": _webhook(
        json.dumps(
            {"type": "success", "renderId": "r", "customData": {"renderId": "rnd_000000000000deadbeef", "userId": USER}}
        ).encode()
    ),
}


@pytest.fixture(scope="module")
def ids(stack):
    """A project and a render (left queued: placed through the store, nothing renders) of USER."""
    from tests.helpers.api import Client
    from tests.helpers.records import place_in_flight

    client = Client(stack.url, USER)
    project = client.project()
    render = place_in_flight(stack.services.store, USER, project["projectId"])
    return {"project": project["projectId"], "render": render.render_id, "missing": "prj_0000000000000000"}


def _fill(text: str, ids: dict) -> str:
    for name, value in ids.items():
        text = text.replace("{" + name + "}", value)
    return text


def _bearer(kind) -> str | None:
    return {"valid": "valid", "stranger": f"Bearer {token('someone-else')}"}.get(kind, kind)


@pytest.mark.parametrize(("method", "path"), AUTHENTICATED_ROUTES)
@pytest.mark.parametrize("bad_token", list(BAD_TOKENS), ids=list(BAD_TOKENS))
def test_a_missing_or_bad_token_is_401(stack, ids, method, path, bad_token):
    body = b"{}" if method in ("POST", "PUT") else b""
    status, headers, payload = raw_http(
        stack.url, http_request(method, _fill(path, ids), body, bearer=BAD_TOKENS[bad_token])
    )
    assert assert_error_envelope(status, headers, payload, 401)["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path"), WRONG_METHODS)
def test_a_method_the_route_does_not_have_is_405_with_allow(stack, ids, method, path):
    status, headers, payload = raw_http(stack.url, http_request(method, _fill(path, ids)))
    assert assert_error_envelope(status, headers, payload, 405)["code"] == "method_not_allowed"
    assert headers["allow"] and method not in headers["allow"].split(", ")


@pytest.mark.parametrize("path", UNKNOWN_ROUTES)
def test_an_unknown_route_is_404(stack, ids, path):
    status, headers, payload = raw_http(stack.url, http_request("GET", _fill(path, ids)))
    assert assert_error_envelope(status, headers, payload, 404)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/projects"),
        ("PUT", "/projects/{project}/scenes"),
        ("POST", "/renders"),
        ("POST", "/webhooks/remotion"),
    ],
)
def test_a_body_that_is_not_utf8_is_400(stack, ids, method, path):
    status, headers, payload = raw_http(stack.url, http_request(method, _fill(path, ids), b'{"title": "\xff\xfe"}'))
    assert assert_error_envelope(status, headers, payload, 400)["code"] == "malformed_body"


FRAMING = {
    "content-length-not-a-number": (b"POST /projects HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 400),
    "content-length-negative": (b"POST /projects HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
    "two-content-lengths": (
        b"POST /projects HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        400,
    ),
    "content-length-and-chunked": (
        b"POST /projects HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    "bad-chunk-size": (b"POST /projects HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n", 400),
    "no-host": (b"GET /health HTTP/1.1\r\n\r\n", 400),
    "garbage-request-line": (b"HELLO\r\n\r\n", 400),
    "space-in-header-name": (b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400),
    "nul-in-header-value": (b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400),
    "non-ascii-target": ("GET /projects/\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 400),
    "headers-too-large": (b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n", 431),
    "too-many-headers": (b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 3000 + b"\r\n", 431),
    "body-over-10-mb-declared": (b"POST /projects HTTP/1.1\r\nHost: x\r\nContent-Length: 12000000\r\n\r\n", 413),
}


@pytest.mark.parametrize("case", list(FRAMING), ids=list(FRAMING))
def test_framing_problems_are_answered_in_json(stack, case):
    request, expected = FRAMING[case]
    status, headers, payload = raw_http(stack.url, request)
    assert_error_envelope(status, headers, payload, expected)


@pytest.mark.parametrize("case", list(HANDLER_CASES))
def test_hostile_input_to_the_handlers_is_a_clear_4xx(stack, ids, case):
    method, path, body, headers, bearer = HANDLER_CASES[case]
    request = http_request(
        method, _fill(path, ids), _fill(body.decode("latin-1"), ids).encode("latin-1"), headers, bearer=_bearer(bearer)
    )
    status, response_headers, payload = raw_http(stack.url, request, timeout=60)
    assert_error_envelope(status, response_headers, payload)


def test_the_hostile_suite_covers_every_route_with_over_100_requests(stack):
    """The count the design asks for, and no route of the API left out."""
    from functions.handlers.openapi import document

    count = (
        len(AUTHENTICATED_ROUTES) * len(BAD_TOKENS)
        + len(WRONG_METHODS)
        + len(UNKNOWN_ROUTES)
        + 4
        + len(FRAMING)
        + len(HANDLER_CASES)
    )
    assert count >= 100
    covered = {(m, p.split("?")[0]) for m, p in AUTHENTICATED_ROUTES} | {
        (m, p.split("?")[0]) for m, p, *_ in HANDLER_CASES.values()
    }
    for path, operations in document()["paths"].items():
        generic = path.replace("{project_id}", "{project}").replace("{render_id}", "{render}")
        for method in operations:
            if (method.upper(), path) == ("GET", "/health"):
                continue  # open by design; answered in test_api_http
            assert any(m == method.upper() and _same_route(p, generic) for m, p in covered), (method, path)


def _same_route(concrete: str, template: str) -> bool:
    a, b = concrete.split("/"), template.split("/")
    return len(a) == len(b) and all(x == y or y.startswith("{") for x, y in zip(a, b, strict=True))
