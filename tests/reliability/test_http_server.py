"""The local API's HTTP server under load and against slow or oversized clients."""

import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from local import adapter
from tests.helpers.api import SMALL_SCENE, Client
from tests.helpers.http import assert_error_envelope, raw_http


def _connect(stack) -> socket.socket:
    url = urlsplit(stack.url)
    return socket.create_connection((url.hostname, url.port), timeout=30)


def _read_response(sock: socket.socket) -> tuple[int, dict, bytes]:
    import http.client

    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def test_a_declared_body_over_10_mb_is_refused_before_it_is_sent(stack):
    """413 from Content-Length alone: the server answers without waiting for (or reading) the body."""
    token = Client(stack.url, "big-body").token
    with _connect(stack) as sock:
        sock.sendall(
            f"POST /projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {12 * 1024 * 1024}\r\n\r\n".encode()
        )
        status, headers, body = _read_response(sock)
    assert assert_error_envelope(status, headers, body, 413)["code"] == "too_large"


def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_10_mb(stack):
    chunk = b"x" * 65536
    with _connect(stack) as sock:
        sock.sendall(
            b"POST /projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sent = 0
        try:
            while sent <= 11 * 1024 * 1024:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server has answered and closed
        status, headers, body = _read_response(sock)
    assert assert_error_envelope(status, headers, body, 413)["code"] == "too_large"
    assert sent <= 11 * 1024 * 1024 + len(chunk)


def test_a_body_of_exactly_10_mb_is_read_and_handed_to_the_api(stack):
    """The limit is API Gateway's: 10 MB passes the adapter (the API then judges the content)."""
    body = b'{"title": "' + b"x" * (adapter.MAX_BODY_BYTES - 30) + b'"}'
    client = Client(stack.url, "ten-mb")
    status, headers, payload = raw_http(
        stack.url,
        (
            f"POST /projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {client.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body,
    )
    error = assert_error_envelope(status, headers, payload, 422)  # title over 200 characters
    assert error["code"] == "invalid_request"


def test_headers_that_arrive_in_pieces_past_the_limit_are_431(stack):
    with _connect(stack) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8000)
        time.sleep(0.2)
        sock.sendall(b"a" * (adapter.MAX_HEADER_BYTES + 1000))
        status, headers, body = _read_response(sock)
    assert assert_error_envelope(status, headers, body, 431)["code"] == "headers_too_large"


def test_a_client_too_slow_with_its_headers_gets_408_and_is_closed(stack, monkeypatch):
    monkeypatch.setattr(adapter, "HEADER_TIMEOUT_SECONDS", 1.0)
    with _connect(stack) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        started = time.monotonic()
        status, headers, body = _read_response(sock)
        assert sock.recv(1) == b""  # closed
    assert assert_error_envelope(status, headers, body, 408)["code"] == "request_timeout"
    assert time.monotonic() - started < 10


def test_a_client_too_slow_with_its_body_gets_408(stack, monkeypatch):
    monkeypatch.setattr(adapter, "BODY_TIMEOUT_SECONDS", 1.0)
    token = Client(stack.url, "slow-body").token
    with _connect(stack) as sock:
        sock.sendall(
            f"POST /projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{".encode()
        )
        status, headers, body = _read_response(sock)
    assert assert_error_envelope(status, headers, body, 408)["code"] == "request_timeout"


def test_a_refused_body_still_being_sent_gets_its_413_not_a_reset(stack):
    """A 12 MB body sent whole, as a client does that does not wait for an answer first: the server
    refuses it from its Content-Length while it is still coming, and the client must still read the
    413 (a lingering close) rather than a connection reset in the middle of its send."""
    token = Client(stack.url, "big-body-sent").token
    with _connect(stack) as sock:
        sock.sendall(
            f"POST /projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {12 * 1024 * 1024}\r\n\r\n".encode()
        )
        time.sleep(0.3)  # the 413 is on its way before most of the body is
        sock.sendall(b"x" * (12 * 1024 * 1024))  # a reset here is what the client used to get
        status, headers, body = _read_response(sock)
        assert sock.recv(1) == b""  # and then the server closes, cleanly
    assert assert_error_envelope(status, headers, body, 413)["code"] == "too_large"


def test_a_body_shorter_than_its_content_length_gets_408_within_the_body_timeout(stack):
    """The stated body timeout (docs/reliability.md), not patched: 5 s without a byte of the body."""
    assert adapter.BODY_TIMEOUT_SECONDS <= 5
    token = Client(stack.url, "short-body").token
    with _connect(stack) as sock:
        sock.settimeout(adapter.BODY_TIMEOUT_SECONDS + 5)
        sock.sendall(
            f"POST /projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"title": "short'.encode()
        )
        started = time.monotonic()
        status, headers, body = _read_response(sock)
        waited = time.monotonic() - started
    assert assert_error_envelope(status, headers, body, 408)["code"] == "request_timeout"
    assert adapter.BODY_TIMEOUT_SECONDS - 0.5 <= waited <= adapter.BODY_TIMEOUT_SECONDS + 1.5, waited


def test_more_than_100_headers_get_431_and_100_pass(stack):
    def request(count: int) -> bytes:
        """A request of exactly `count` headers: Host, Connection and count - 2 of its own."""
        lines = "".join(f"X-H{i}: v\r\n" for i in range(count - 2))
        return f"GET /health HTTP/1.1\r\nHost: x\r\n{lines}Connection: close\r\n\r\n".encode()

    status, headers, body = raw_http(stack.url, request(150))
    error = assert_error_envelope(status, headers, body, 431)
    assert error["code"] == "headers_too_large" and "100" in error["message"]
    assert raw_http(stack.url, request(101))[0] == 431
    assert raw_http(stack.url, request(100))[0] == 200


def test_too_many_headers_with_a_body_coming_still_get_their_431(stack):
    """The 431 is sent before the body is read; the client sending it reads the answer all the same."""
    lines = "".join(f"X-H{i}: v\r\n" for i in range(150))
    with _connect(stack) as sock:
        sock.sendall(
            f"POST /projects HTTP/1.1\r\nHost: x\r\n{lines}Content-Type: application/json\r\n"
            f"Content-Length: {4 * 1024 * 1024}\r\n\r\n".encode()
        )
        time.sleep(0.3)
        sock.sendall(b"x" * (4 * 1024 * 1024))
        status, headers, body = _read_response(sock)
    assert assert_error_envelope(status, headers, body, 431)["code"] == "headers_too_large"


def test_400_half_sent_requests_hold_nothing_and_others_are_served(stack, monkeypatch):
    """Slow clients cost a socket each, not a thread: the API keeps answering meanwhile, and each of
    them gets its 408 when the header deadline passes."""
    monkeypatch.setattr(adapter, "HEADER_TIMEOUT_SECONDS", 3.0)
    idle = []
    try:
        for _ in range(400):
            sock = _connect(stack)
            sock.sendall(b"POST /projects HTTP/1.1\r\nHost: x\r\n")
            idle.append(sock)
        client = Client(stack.url, "served-meanwhile")
        assert client.call("GET", "/health")[0] == 200
        assert client.call("GET", "/projects")[0] == 200
        answered = sum(_read_response(sock)[0] == 408 for sock in idle)
    finally:
        for sock in idle:
            sock.close()
    assert answered == 400


def test_200_concurrent_requests_all_get_an_answer_and_each_user_sees_only_their_own(stack):
    """No connection refused or reset, every answer is the right one: 40 users, each creating a
    project and listing theirs at once, with health checks and bad requests mixed in."""
    users = [Client(stack.url, f"crowd-{uuid.uuid4().hex[:6]}") for _ in range(40)]
    calls = []
    for client in users:
        calls += [
            (client, "POST", "/projects", {"title": f"mine-{client.user}", "format": "square"}),
            (client, "GET", "/projects", None),
            (client, "GET", "/exports/stats", None),
            (client, "GET", "/health", None),
            (client, "POST", "/renders", {"projectId": "prj_missing", "format": "mp4", "quality": "low"}),
        ]
    assert len(calls) == 200
    barrier = threading.Barrier(len(calls))

    def call(args):
        client, method, path, body = args
        barrier.wait()
        try:
            return args, client.call(method, path, body)
        except OSError as error:  # a refused or reset connection: what this test must never see
            return args, (None, repr(error), None)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        results = list(pool.map(call, calls))
    dropped = [(a[1], a[2], r[1]) for a, r in results if r[0] is None]
    assert dropped == []
    statuses = [r[0] for _, r in results]
    assert all(s < 500 for s in statuses), [(a[1], a[2], r) for a, r in results if r[0] >= 500]
    for (client, method, path, _), (status, body, _) in results:
        if method == "POST" and path == "/projects":
            assert status == 201 and body["title"] == f"mine-{client.user}"
        if method == "POST" and path == "/renders":
            assert status == 404
    for client in users:  # written through: every project is there, and only the user's own
        titles = [p["title"] for p in client.call("GET", "/projects")[1]["items"]]
        assert titles == [f"mine-{client.user}"]


@pytest.mark.render
def test_50_concurrent_starts_by_one_user_accept_exactly_one(stack):
    client = Client(stack.url, f"racer-{uuid.uuid4().hex[:6]}")
    # Long enough to be still rendering when the last of the 50 is answered.
    project = client.project([{"id": "long", "name": "Long", "durationInFrames": 1500, "tsxCode": SMALL_SCENE}])
    barrier = threading.Barrier(50)

    def start(_):
        barrier.wait()
        return client.call("POST", "/renders", {"projectId": project["projectId"], "format": "gif", "quality": "low"})

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(start, range(50)))
    statuses = sorted(status for status, _, _ in results)
    accepted = [body for status, body, _ in results if status == 202]
    try:
        assert statuses.count(202) == 1, statuses
        assert statuses.count(429) == 49, statuses
        assert all(body["error"]["code"] == "render_in_progress" for status, body, _ in results if status == 429)
        stats = client.call("GET", "/exports/stats")[1]
        assert stats["usedToday"] == 1  # the 49 refusals cost nothing
    finally:
        for body in accepted:
            client.call("POST", f"/renders/{body['renderId']}/cancel")
