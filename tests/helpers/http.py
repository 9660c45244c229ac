"""Raw HTTP for what urllib will not send (odd framing, slow bodies, too many headers), and the check
of the one error envelope."""

import http.client
import json
import socket
from urllib.parse import urlsplit


def raw_http(base_url: str, request: bytes, timeout: float = 30, send_after: bytes = b"") -> tuple[int, dict, bytes]:
    """Send bytes as they are, then read one response: (status, lower-cased headers, body)."""
    url = urlsplit(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        sock.sendall(request)
        if send_after:
            sock.sendall(send_after)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def assert_error_envelope(status: int, headers: dict, body: bytes, expected_status: int | None = None) -> dict:
    """A 4xx, as JSON, in the one envelope {error: {code, message, details?}}."""
    assert 400 <= status < 500, (status, body[:300])
    if expected_status is not None:
        assert status == expected_status, (status, body[:300])
    assert headers.get("content-type", "").startswith("application/json"), (headers, body[:300])
    error = json.loads(body)["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error.get("details", []), list)
    return error
