"""The emulated Lambda's concurrency is AWS's: invocations under the limits start at once, a
synchronous one over them is throttled (429 TooManyRequestsException), an Event over them is
accepted and retried until the function has room. The invoke tests use a small handler that holds
its invocation open until the test lets it go; the last one throttles a real render."""

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from remotion_lambda import RenderMediaParams, Webhook
from remotion_lambda.models import Privacy

from functions import REPO_ROOT
from functions.contract import COMPOSITION_ID
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.models.project import Project
from functions.render_settings import OutputFormat, Quality
from local.lambda_emulator.function import ACCOUNT_CONCURRENCY_ENV, RESERVED_CONCURRENCY_ENV, concurrency_limits
from local.lambda_emulator.function_dir import INVOCATION_HOME
from local.lambda_emulator.invoker import FunctionConfig
from local.lambda_emulator.lambda_api import (
    ACCOUNT_LIMIT_EXCEEDED,
    RESERVED_LIMIT_EXCEEDED,
    ConcurrencyLimits,
    LambdaApi,
)

pytestmark = pytest.mark.remotion_lambda

# Writes `<marks>/<name>.started` at once, waits until `<marks>/release` exists, then answers.
HOLDING_HANDLER = """exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  const fs = require('node:fs');
  fs.writeFileSync(`${event.marks}/${event.name}.started`, String(Date.now()));
  while (!fs.existsSync(`${event.marks}/release`)) await new Promise((go) => setTimeout(go, 50));
  stream.write(JSON.stringify({name: event.name})); stream.end();
});
"""


class Holding:
    """An emulated Lambda API in this process running HOLDING_HANDLER, and boto3 clients of it."""

    def __init__(self, home: Path, limits: ConcurrencyLimits):
        function_dir = home / "function"
        function_dir.mkdir()
        (function_dir / "index.js").write_text(HOLDING_HANDLER)
        self.marks = home / "marks"  # outside /tmp: the invocation's /tmp is its own
        self.marks.mkdir()
        config = FunctionConfig(
            function_dir=function_dir,
            function_name="holding",
            region="us-east-1",
            environment={},
            log_dir=home / "logs",
            timeout_seconds=60,
        )
        self.api = LambdaApi(config, limits, record_path=home / "invocations.jsonl")
        threading.Thread(target=self.api.serve_forever, daemon=True).start()
        self.threads: list[threading.Thread] = []
        self.answers: dict[str, Any] = {}

    def client(self, attempts: int = 1) -> Any:
        """A Lambda client; botocore retries a throttle by itself unless told to try once."""
        return boto3.client(
            "lambda",
            endpoint_url=self.api.url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"total_max_attempts": attempts, "mode": "standard"}, read_timeout=120),
        )

    def payload(self, name: str) -> bytes:
        return json.dumps({"marks": str(self.marks), "name": name}).encode()

    def hold(self, name: str, call: Callable[[Any, str], Any] | None = None) -> None:
        """Invoke in the background (RequestResponse unless `call` says otherwise); the answer is kept."""

        def run() -> None:
            client = self.client()
            if call:
                self.answers[name] = call(client, name)
            else:
                answer = client.invoke(FunctionName="holding", Payload=self.payload(name))
                self.answers[name] = json.loads(answer["Payload"].read())

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def started(self, name: str) -> bool:
        return (self.marks / f"{name}.started").is_file()

    def wait_until(self, condition: Callable[[], bool], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)

    def release(self) -> None:
        (self.marks / "release").touch()
        for thread in self.threads:
            thread.join(timeout=60)

    def close(self) -> None:
        (self.marks / "release").touch()
        self.api.close()


@pytest.fixture
def holding(tmp_path: Path) -> Iterator[Callable[[ConcurrencyLimits], Holding]]:
    home = INVOCATION_HOME / "lambda-tests" / tmp_path.name
    shutil.rmtree(home, ignore_errors=True)
    made: list[Holding] = []

    def make(limits: ConcurrencyLimits) -> Holding:
        home.mkdir(parents=True)
        made.append(Holding(home, limits))
        return made[-1]

    yield make
    for api in made:
        api.close()
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (ConcurrencyLimits(account=1000, reserved=2), RESERVED_LIMIT_EXCEEDED),
        (ConcurrencyLimits(account=2, reserved=None), ACCOUNT_LIMIT_EXCEEDED),
    ],
    ids=["reserved", "account"],
)
def test_a_synchronous_invoke_over_the_limit_is_throttled_as_aws_does(holding, limits, reason):
    function = holding(limits)
    function.hold("first")
    function.hold(
        "second",
        lambda client, name: list(
            client.invoke_with_response_stream(FunctionName="holding", Payload=function.payload(name))["EventStream"]
        ),
    )
    function.wait_until(lambda: function.started("first") and function.started("second"))
    client = function.client()
    for call in (client.invoke, client.invoke_with_response_stream):
        with pytest.raises(ClientError) as throttled:
            call(FunctionName="holding", Payload=function.payload("third"))
        error = throttled.value.response
        assert error["Error"]["Code"] == "TooManyRequestsException"
        assert error["Error"]["Message"] == "Rate Exceeded."
        assert (error["Reason"], error["Type"]) == (reason, "User")
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "TooManyRequestsException"
    assert not function.started("third")  # a throttled invocation never runs
    assert function.api.throttled == {"RequestResponse": 1, "Stream": 1}
    function.release()
    assert function.answers["first"] == {"name": "first"}
    assert function.api.concurrency == 0  # both ended: their concurrency is given back
    (function.marks / "release").unlink()
    function.hold("fourth")
    function.wait_until(lambda: function.started("fourth"))


def test_botocore_retries_a_throttle_and_gets_through_once_there_is_room(holding):
    function = holding(ConcurrencyLimits(account=1000, reserved=1))
    function.hold("first")
    function.wait_until(lambda: function.started("first"))
    threading.Timer(0.5, lambda: (function.marks / "release").touch()).start()
    # botocore's standard mode: a throttle is retried with backoff. Its delays are random from 0
    # (up to 1 s, then 2 s, ...): with 3 attempts all of them fell before the release about one run
    # in six, so 6 attempts, which all fall before it less than once in 100,000 runs.
    answer = function.client(attempts=6).invoke(FunctionName="holding", Payload=function.payload("second"))
    assert json.loads(answer["Payload"].read()) == {"name": "second"}
    assert function.api.throttled.get("RequestResponse", 0) >= 1


def test_an_event_over_the_limit_is_accepted_and_runs_once_there_is_room(holding):
    function = holding(ConcurrencyLimits(account=1000, reserved=1))
    function.hold("sync")
    function.wait_until(lambda: function.started("sync"))
    accepted = function.client().invoke(FunctionName="holding", InvocationType="Event", Payload=function.payload("e"))
    assert accepted["StatusCode"] == 202
    function.wait_until(lambda: function.api.throttled.get("Event", 0) >= 2, seconds=10)  # at 0 s, then 1 s later
    assert not function.started("e")
    released = time.monotonic()
    (function.marks / "release").touch()
    function.wait_until(lambda: function.started("e"), seconds=20)
    assert time.monotonic() - released < 6  # the next retry, 2 s after the last (then 4 s)
    function.release()
    function.wait_until(lambda: function.api.concurrency == 0)
    [event] = [r for r in function.api.records if r.invocation_type == "Event"]
    assert event.throttles >= 2 and event.outcome is not None and event.outcome.error is None
    lines = [json.loads(line) for line in function.api.record_path.read_text().splitlines()]
    assert {line["requestId"] for line in lines if line["invocationType"] == "Event"} == {event.request_id}


def test_invocations_under_the_limits_start_at_once(holding):
    """No invocation is held for another: eight at a time all run together (on two cores too)."""
    function = holding(ConcurrencyLimits())  # AWS's default account, nothing reserved
    names = [f"n{i}" for i in range(8)]
    began = time.monotonic()
    for name in names:
        function.hold(
            name,
            lambda client, n: list(
                client.invoke_with_response_stream(FunctionName="holding", Payload=function.payload(n))["EventStream"]
            ),
        )
    function.wait_until(lambda: all(function.started(name) for name in names), seconds=60)
    assert function.api.concurrency == 8 and function.api.throttled == {}
    print(f"8 invocations running in {time.monotonic() - began:.1f} s")
    function.release()
    assert function.api.peak_concurrency == 8


def test_a_reserved_concurrency_must_leave_the_account_its_unreserved_minimum():
    with pytest.raises(ValueError, match="keeps 100 unreserved"):
        ConcurrencyLimits(account=1000, reserved=901)
    assert ConcurrencyLimits(account=1000, reserved=900).function_limit == 900
    assert ConcurrencyLimits(account=50).function_limit == 50


def test_the_limits_come_from_flags_else_the_environment_else_aws_and_the_stack():
    cdk = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]["renderConcurrencyCap"]
    assert concurrency_limits(environ={}) == ConcurrencyLimits(account=1000, reserved=cdk)
    environ = {ACCOUNT_CONCURRENCY_ENV: "300", RESERVED_CONCURRENCY_ENV: "none"}
    assert concurrency_limits(environ=environ) == ConcurrencyLimits(account=300, reserved=None)
    assert concurrency_limits(150, "2", environ=environ) == ConcurrencyLimits(account=150, reserved=2)
    with pytest.raises(ValueError, match="at most 0 can be reserved"):
        concurrency_limits(50, "2", environ=environ)


class _Hooks(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receive)
        self.payloads: list[dict[str, Any]] = []
        self.arrived = threading.Event()


class _Receive(BaseHTTPRequestHandler):
    server: _Hooks

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.payloads.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.arrived.set()


@pytest.mark.render
def test_a_render_over_the_reserved_concurrency_fails_with_remotions_rate_exceeded(reserved_two_stack, monkeypatch):
    """What happens today with nothing admitting renders: Remotion's launch asks for more renderers
    than the function may run, Lambda throttles them, and Remotion fails the render."""
    stack = reserved_two_stack
    project = Project.model_validate(
        {
            "title": "Throttled",
            "format": "square",
            "scenes": [
                {
                    "id": "one",
                    "name": "One",
                    "durationInFrames": 100,
                    "tsxCode": "import {AbsoluteFill} from 'remotion';\n"
                    "export default () => <AbsoluteFill style={{backgroundColor: 'teal'}} />;",
                }
            ],
        }
    )
    plan = plan_export(project, OutputFormat("mp4"), Quality("low"), Limits.from_env())
    hooks = _Hooks()
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    try:
        remotion = stack.remotion_client(monkeypatch)
        remotion.render_media_on_lambda(
            RenderMediaParams(
                composition=COMPOSITION_ID,
                input_props=plan.props.to_json_dict(),
                bucket_name="remotionlambda-local",
                codec="h264",
                force_width=plan.output.width,
                force_height=plan.output.height,
                frames_per_lambda=20,  # 5 renderers beside launch: 6 invocations for a limit of 2
                privacy=Privacy.PRIVATE,
                max_retries=1,
                webhook=Webhook(secret="test-secret", url=f"http://127.0.0.1:{hooks.server_address[1]}/hook"),
            )
        )
        assert hooks.arrived.wait(180), "no webhook arrived"
        [payload] = hooks.payloads
        assert payload["type"] == "error", payload
        messages = " ".join(e["message"] for e in payload["errors"])
        assert "Rate Exceeded" in messages and "Concurrency limit reached" in messages, messages
    finally:
        hooks.shutdown()
        hooks.server_close()
    throttled = [i for i in stack.throttles() if i["routine"] == "renderer"]
    assert throttled and {i["throttled"] for i in throttled} == {RESERVED_LIMIT_EXCEEDED}
    assert {i["invocationType"] for i in throttled} == {"Stream"}
