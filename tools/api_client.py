"""A client of Framecast's HTTP API as a user's program would call it: JSON in and out, the token
as a bearer, errors answered (not raised) with their status. The demos and the load test use it."""

import json
import urllib.error
import urllib.request
from typing import Any


class Api:
    def __init__(self, base_url: str, token: str, timeout: float = 60):
        self.base_url, self.token, self.timeout = base_url, token, timeout

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
