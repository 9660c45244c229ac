"""The local stack with RENDER_MODE=lambda, in its own process (python -m local.lambda_emulator.serve):
the real Remotion Lambda function, emulated, behind the same API."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

from local import auth
from tests.conftest import REPO_ROOT
from tests.service.conftest import Client


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


@pytest.fixture(scope="session")
def lambda_stack(tmp_path_factory):
    """Renders here end only by the function's own webhook: GET /renders never asks the backend."""
    stack = LambdaStack(
        tmp_path_factory.mktemp("lambda-stack"),
        env={"PROGRESS_REFRESH_SECONDS": "3600", **BOUNDED_FAN_OUT},
        args=BOUNDED_RESERVATION,
    )
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def short_timeout_stack(tmp_path_factory):
    """The function's timeout cut to 20 s; as above, only the function's webhook ends a render."""
    stack = LambdaStack(
        tmp_path_factory.mktemp("lambda-timeout"),
        function_timeout=20,
        # Four renderers, not sixteen: `launch` sends its timeout webhook a second before the kill,
        # and with sixteen Chromiums on two cores its event loop missed that second (the sweeper
        # then ended the render as failed).
        env={"PROGRESS_REFRESH_SECONDS": "3600", "RENDER_CONCURRENCY_LIMIT": "4"},
        args=BOUNDED_RESERVATION,
    )
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def reserved_two_stack(tmp_path_factory):
    """The render function with a reserved concurrency of 2: less than one render of a few chunks needs."""
    stack = LambdaStack(tmp_path_factory.mktemp("lambda-reserved-2"), args=["--reserved-concurrency", "2"])
    yield stack
    stack.stop()
