"""A user of the local stack's HTTP API for the service and reliability suites: a bearer token of their
own, JSON in and out, errors answered with their status."""

import json
import urllib.request
import uuid

from local.auth import issue_token

SMALL_SCENE = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default () => <AbsoluteFill style={{backgroundColor: '#123456', color: 'white', fontSize: 100}}>
  {useCurrentFrame()}</AbsoluteFill>;"""


class Client:
    def __init__(self, base_url: str, user: str | None):
        self.base_url = base_url
        self.user = user
        self.token = issue_token(user) if user else None

    def call(self, method: str, path: str, body=None, headers: dict | None = None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base_url + path, method=method, data=data, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                payload = response.read()
                return response.status, json.loads(payload) if payload else None, dict(response.headers)
        except urllib.error.HTTPError as error:
            payload = error.read()
            return error.code, json.loads(payload) if payload else None, dict(error.headers)

    def project(self, scenes=None, **extra) -> dict:
        body = {
            "title": "Test export",
            "format": "square",
            "scenes": scenes
            if scenes is not None
            else [{"id": "one", "name": "One", "durationInFrames": 30, "tsxCode": SMALL_SCENE}],
            **extra,
        }
        status, project, _ = self.call("POST", "/projects", body)
        assert status == 201, project
        return project


def other_client(stack) -> Client:
    return Client(stack.url, f"user-{uuid.uuid4().hex[:8]}")
