"""The local stack in RENDER_MODE=lambda as its own process (`local.lambda_emulator.serve`), for the
suites that render through the real Remotion Lambda function."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
from remotion_lambda import RemotionClient

from functions import REPO_ROOT
from local import auth
from tests.helpers.api import Client


class LambdaStack:
    """A running `serve` process and what it reports: its URLs, its function's and S3's logs."""

    def __init__(
        self,
        state_dir: Path,
        *,
        function_timeout: float | None = None,
        env: dict | None = None,
        args: list[str] | None = None,
    ):
        self.state_dir = state_dir
        ready = state_dir / "ready.json"
        command = [
            sys.executable,
            "-m",
            "local.lambda_emulator.serve",
            "--port",
            "0",
            "--fresh",
            "--state-dir",
            str(state_dir),
            "--ready-file",
            str(ready),
        ]
        if function_timeout:
            command += ["--function-timeout", str(function_timeout)]
        command += args or []
        self.log = open(state_dir / "stack.log", "wb")
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        deadline = time.monotonic() + 120
        while not ready.is_file():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the lambda-mode stack did not start:\n{(state_dir / 'stack.log').read_text()[-3000:]}"
                )
            time.sleep(0.2)
        self.where = json.loads(ready.read_text())
        self.url = self.where["url"]
        self.credentials = auth.emulator_credentials()  # the stack's, kept in the local folder
        self.s3 = boto3.client(
            "s3",
            endpoint_url=self.where["s3Endpoint"],
            region_name="us-east-1",
            aws_access_key_id=self.credentials[0],
            aws_secret_access_key=self.credentials[1],
        )

    def remotion_client(self, monkeypatch) -> RemotionClient:
        """The official client as the service's backend calls it, pointed at this stack's function and S3."""
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", self.where["lambdaEndpoint"])
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", self.where["s3Endpoint"])
        return RemotionClient(
            region="us-east-1",
            serve_url=self.where["serveUrl"],
            function_name=self.where["functionName"],
            session=boto3.Session(aws_access_key_id=self.credentials[0], aws_secret_access_key=self.credentials[1]),
        )

    def client(self) -> Client:
        return Client(self.url, f"user-{uuid.uuid4().hex[:8]}")

    def s3_requests(self) -> list[dict]:
        path = Path(self.where["s3Log"])
        return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []

    def _invocation_log(self) -> list[dict]:
        path = Path(self.where["invocationLog"])
        return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []

    def invocations(self) -> list[dict]:
        """Invocations that ran and ended."""
        return [line for line in self._invocation_log() if "throttled" not in line]

    def throttles(self) -> list[dict]:
        """Invocations Lambda throttled (an Event once per attempt), with the Reason it gave."""
        return [line for line in self._invocation_log() if "throttled" in line]

    def ended_invocations(self, routine: str, since: float, seconds: float = 60) -> list[dict]:
        """Invocations of `routine` that began after `since` and have ended (the webhook can come first)."""
        deadline = time.monotonic() + seconds
        while not (found := [i for i in self.invocations() if i["routine"] == routine and i["startedAt"] >= since]):
            assert time.monotonic() < deadline, f"no {routine} invocation ended in {seconds} s"
            time.sleep(0.5)
        return found

    @staticmethod
    def wait_for_end(client: Client, render_id: str, seconds: float = 240) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, render, _ = client.call("GET", f"/renders/{render_id}")
            assert status == 200, render
            if render["status"] not in ("queued", "rendering"):
                return render
            time.sleep(1)
        raise AssertionError(f"render {render_id} did not end in {seconds} s: {render}")

    @staticmethod
    def start_export(client: Client, scenes: list[dict], fmt: str = "mp4", quality: str = "low") -> dict:
        project = client.project(scenes=scenes)
        status, started, _ = client.call(
            "POST", "/renders", {"projectId": project["projectId"], "format": fmt, "quality": quality}
        )
        assert status == 202, started
        return started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# Every renderer runs at once, as on Lambda, each with its own Chromium (some 250 MB): a render here
# fans out to at most 16 renderers (the service's RENDER_CONCURRENCY_LIMIT), and the function's
# reservation leaves room beside them for launch, the client's status calls and a thumbnail.
BOUNDED_FAN_OUT = {"RENDER_CONCURRENCY_LIMIT": "16"}


BOUNDED_RESERVATION = ["--reserved-concurrency", "24"]
