"""`make deploy-local`: rehearse `cdk deploy` on this machine, against MiniStack, with nothing faked
on the deploy side.

    python -m cli.deploy_local [--assembly DIR] [--keep-running] [--no-destroy]

In order, each step with a timeout, stopping at the first that fails with what failed:

1. **synth** the same app as `make synth`, with one more context value, `hostLayer=true` (the
   functions' layer and its esbuild for this machine, not arm64/Python 3.13), to
   .cache/deploy-local/cdk.out; skipped with `--assembly` (an existing synth);
2. **emulator**: MiniStack, pinned, in its own environment and mount namespace (local/aws_emulator);
3. **bootstrap** and 4. **deploy**: the pinned CDK CLI's own `cdk bootstrap` and `cdk deploy`, which
   follow AWS_ENDPOINT_URL (assets published, change set executed, outputs read). A failed deploy
   names the resource from the stack's events;
5. **download key**: the private half of the development key into its secret (docs/deploy.md step 4);
6. **verify**: the live resources read back through the AWS APIs against the template
   (tools/verify_deploy.py), except the settings in EMULATOR_IGNORES;
7. **functions answer**: each of the stack's own functions is called as its trigger calls it, with
   nothing to do: GET /health, GET /projects without a token (the JWT authorizer's 401) and an
   unsigned webhook through the deployed HTTP API, the sweeper as its schedule invokes it, the
   thumbnailer asked for a render that is not there. A failure names the function (logical id) and its error;
8. **smoke**: `make smoke`'s own steps (tools/smoke.py) through the stack's outputs, but for the
   render steps the emulator cannot run (see SKIPPED); a failure names the functions that logged
   errors;
9. **redeploy**: a second `cdk deploy` must report no changes;
10. **destroy**: `cdk destroy`; then every resource the template deletes is gone, and every one it
   retains is still there.

Logs of each step: .cache/deploy-local/logs/. Exit status 0 only if every step passed.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from functions import REPO_ROOT
from local.aws_emulator.environment import Emulator, EmulatorError, ensure_environment
from tools.smoke import Http, Smoke
from tools.verify_deploy import Template, leftovers, stack_physical_ids, verify

STACK = "Framecast"
ACCOUNT = "000000000000"  # MiniStack's account
REGION = "us-east-1"
OUT = REPO_ROOT / ".cache/deploy-local"
ASSEMBLY = OUT / "cdk.out"
LOGS = OUT / "logs"
CDK = [str(REPO_ROOT / "node_modules/.bin/cdk"), "--no-notices", "--no-color"]
# The one difference from what an engineer deploys (tests/deploy diffs the two templates).
HOST_CONTEXT = ("-c", "hostLayer=true")
SYNTH_CONTEXT = ("-c", "devDownloadKey=true", "-c", f"region={REGION}", *HOST_CONTEXT)
DEV_PRIVATE_KEY = REPO_ROOT / ".cache/cloudfront/private.pem"
RENDER_GAP = (
    "the Remotion render function cannot run inside MiniStack (its Node runtime lacks "
    "awslambda.streamifyResponse); `make demo-lambda` runs it in Framecast's own Lambda emulator"
)
SKIPPED = {
    "render function version": RENDER_GAP,
    "2-second export": RENDER_GAP,
    "status flips by the webhook": RENDER_GAP,
    "signed download": "no render to download",
    "quota counted": "no export was counted",
}
# Every step's limit in seconds: a hung step (a custom resource waiting an hour) fails instead.
TIMEOUTS = {
    "synth": 600,
    "emulator": 360,
    "bootstrap": 180,
    "deploy": 420,
    "download key": 30,
    "verify": 120,
    "functions answer": 120,
    "smoke": 180,
    "redeploy": 180,
    "destroy": 300,
}


class StepError(Exception):
    pass


def _kill_group(process: "subprocess.Popen[bytes]") -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def run_logged(command: Sequence[str], log: Path, timeout: float, env: dict[str, str]) -> str:
    """Runs `command` (its whole process group) with its output in `log`; its output, or StepError
    with the output's end if it fails or outlives `timeout`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT, start_new_session=True
        )
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise StepError(f"{command[0]} ... timed out after {timeout:.0f} s; see {log}") from None
    text = log.read_text(errors="replace")
    if process.returncode != 0:
        tail = "\n".join(line for line in text.splitlines()[-25:] if line.strip())
        raise StepError(f"exit status {process.returncode}; see {log}\n{tail}")
    return text


@dataclass
class Rehearsal:
    assembly: Path = ASSEMBLY
    synth: bool = True
    destroy: bool = True
    say: Callable[[str], None] = print
    endpoint: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    # Environment ---------------------------------------------------------------------------------

    def cdk_env(self) -> dict[str, str]:
        """The CDK CLI's environment: only the emulator, never a profile or real credentials."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
        return {
            **keep,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }

    def session(self) -> boto3.Session:
        return boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)

    def client(self, service: str) -> Any:
        config = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2})
        return self.session().client(service, endpoint_url=self.endpoint, config=config)

    # Steps -----------------------------------------------------------------------------------------

    def step_synth(self) -> str:
        env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
        env = {k: v for k, v in env.items() if not k.startswith(("AWS_", "CDK_DEFAULT"))}
        command = [*CDK, "synth", "--quiet", *SYNTH_CONTEXT, "-o", str(self.assembly)]
        run_logged(command, LOGS / "synth.log", TIMEOUTS["synth"], env)
        return f"{self.assembly.relative_to(REPO_ROOT)} ({' '.join(HOST_CONTEXT)})"

    def step_bootstrap(self) -> str:
        command = [*CDK, "bootstrap", f"aws://{ACCOUNT}/{REGION}", "--app", str(self.assembly)]
        run_logged(command, LOGS / "bootstrap.log", TIMEOUTS["bootstrap"], self.cdk_env())
        return f"aws://{ACCOUNT}/{REGION}"

    def _deploy(self, log: str, timeout: float) -> str:
        command = [
            *CDK,
            "deploy",
            STACK,
            "--app",
            str(self.assembly),
            "--require-approval",
            "never",
            "--progress",
            "events",
        ]
        try:
            return run_logged(command, LOGS / log, timeout, self.cdk_env())
        except StepError:
            failed = self.failed_resources()
            if failed:
                raise StepError(f"{failed}\n(the CDK's output: {LOGS / log})") from None
            raise

    def step_deploy(self) -> str:
        self._deploy("deploy.log", TIMEOUTS["deploy"])
        [stack] = self.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        count = len(self.client("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"])
        return f"{STACK} {stack['StackStatus']}, {count} resources, {len(self.outputs)} outputs"

    def failed_resources(self) -> str:
        """The resources whose creation or update failed, from the stack's events, with the reason."""
        try:
            events = self.client("cloudformation").describe_stack_events(StackName=STACK)["StackEvents"]
        except (ClientError, BotoCoreError):
            return ""
        failed = [
            f"{e['LogicalResourceId']} ({e['ResourceType']}) {e['ResourceStatus']}: "
            f"{e.get('ResourceStatusReason', '')[:400]}"
            for e in reversed(events)
            if e["ResourceStatus"].endswith("_FAILED") and e["LogicalResourceId"] != STACK
        ]
        return "\n".join(dict.fromkeys(failed))

    def step_download_key(self) -> str:
        secret = self.outputs["DownloadPrivateKeySecretArn"]
        self.client("secretsmanager").put_secret_value(SecretId=secret, SecretString=DEV_PRIVATE_KEY.read_text())
        return f"{DEV_PRIVATE_KEY.relative_to(REPO_ROOT)} into {secret}"

    def http(self) -> Http:
        return Http(timeout=60, connect_to=((".localhost", self.endpoint), (".cloudfront.net", self.endpoint)))

    def function_errors(self, since_ms: int) -> str:
        """What the stack's functions logged as errors since `since_ms`, by logical id."""
        template = Template.load(self.assembly / f"{STACK}.template.json")
        physical = stack_physical_ids(self.client, STACK)
        logs = self.client("logs")
        found = []
        for logical in template.of_type("AWS::Lambda::Function"):
            name = physical.get(logical, "")
            try:
                events = logs.filter_log_events(
                    logGroupName=_log_group(template, logical, physical), startTime=since_ms, limit=200
                )["events"]
            except (ClientError, BotoCoreError):
                continue
            errors = [e["message"].strip() for e in events if _is_error(e["message"])]
            if errors:
                found.append(f"{logical} ({name}): {errors[-1][:600]}")
        return "\n".join(found)

    def step_functions(self) -> str:
        """Each function called as its trigger calls it, with nothing to do."""
        template = Template.load(self.assembly / f"{STACK}.template.json")
        physical = stack_physical_ids(self.client, STACK)
        by_route = route_functions(template)
        http, api = self.http(), self.outputs["ApiUrl"].rstrip("/")
        problems, done = [], []
        # MiniStack answers any path /health itself, so the API function's /health is invoked directly,
        # with the event the HTTP API sends; the webhook goes through the deployed HTTP API.
        route_id, function = by_route["GET /health"]
        answer = self.client("lambda").invoke(
            FunctionName=physical[function], Payload=json.dumps(_http_event("GET", "/health")).encode()
        )
        payload = answer["Payload"].read().decode(errors="replace")
        if answer.get("FunctionError") or json.loads(payload or "{}").get("statusCode") != 200:
            problems.append(f"GET /health (route {route_id}): function {function} answered {payload[:600]}")
        else:
            done.append(f"GET /health 200 ({function})")
        route_id, function = by_route["GET /projects"]
        status, body, _ = http.request("GET", api + "/projects")
        if status == 401:
            done.append("GET /projects without a token 401 (the JWT authorizer)")
        else:
            problems.append(f"GET /projects without a token answered {status}, expected 401: route {route_id}")
        route_id, function = by_route.get("POST /webhooks/remotion", ("(no such route)", "(none)"))
        status, body, _ = http.request("POST", api + "/webhooks/remotion", body={"type": "success"})
        if status == 401:
            done.append(f"unsigned POST /webhooks/remotion 401 ({function})")
        else:
            problems.append(
                f"unsigned POST /webhooks/remotion answered {status}, expected 401: route {route_id}, function "
                f"{function}: {body[:300].decode(errors='replace')}"
            )
        for logical, props in template.of_type("AWS::Lambda::Function").items():
            if str(props.get("Handler", "")).endswith(".sweeper.lambda_handler") or logical.startswith(
                "ServiceSweeper"
            ):
                event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
                answer = self.client("lambda").invoke(
                    FunctionName=physical[logical], Payload=json.dumps(event).encode()
                )
                payload = answer["Payload"].read().decode(errors="replace")
                if answer.get("FunctionError"):
                    problems.append(f"{logical} ({physical[logical]}) failed its scheduled call: {payload[:600]}")
                else:
                    done.append(f"scheduled sweep ({logical})")
            if str(props.get("Handler", "")).endswith(".thumbnailer.lambda_handler"):
                # As the webhook asks, for an export that is not there: nothing to make, no error.
                request = {"userId": "deploy-rehearsal", "renderId": "no-such-render"}
                answer = self.client("lambda").invoke(
                    FunctionName=physical[logical], Payload=json.dumps(request).encode()
                )
                payload = answer["Payload"].read().decode(errors="replace")
                if answer.get("FunctionError") or json.loads(payload or "{}") != {"thumbnailKey": None}:
                    problems.append(f"{logical} ({physical[logical]}) failed a thumbnail request: {payload[:600]}")
                else:
                    done.append(f"thumbnail request ({logical})")
        if problems:
            raise StepError("\n".join(problems))
        return ", ".join(done)

    def step_smoke(self) -> str:
        lines: list[str] = []

        def say(line: str) -> None:
            lines.append(line)
            self.say(f"        {line}")

        previous = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL",)}
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint  # boto3's own setting: the smoke's clients follow it
        started_ms = int(time.time() * 1000) - 1000
        try:
            smoke = Smoke(session=self.session(), stack_name=STACK, http=self.http(), say=say, skip=SKIPPED)
            code = smoke.run()
        finally:
            for key, value in previous.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        if code != 0:
            failed = next((line for line in lines if line.startswith("FAIL")), "smoke failed")
            errors = self.function_errors(started_ms)
            request = re.search(r"\b(GET|POST|PUT|DELETE) (\S+) answered", failed)
            template = Template.load(self.assembly / f"{STACK}.template.json")
            reached = route_of(template, request[1], request[2]) if request else None
            if reached:
                failed += f"\n(route {reached[0]}, function {reached[1]})"
            raise StepError(failed + (f"\nfunctions that logged errors:\n{errors}" if errors else ""))
        passed = sum(line.startswith("ok") for line in lines)
        return f"{passed} steps passed, {len(SKIPPED)} skipped"

    def step_verify(self) -> str:
        template = Template.load(self.assembly / f"{STACK}.template.json")
        report = verify(template, self.client, STACK)
        for line in report.ignored:
            self.say(f"        ignored: {line}")
        if report.differences:
            raise StepError("live resources differ from the template:\n" + "\n".join(report.differences))
        return f"{report.checked} settings match the template, {len(report.ignored)} ignored (EMULATOR_IGNORES)"

    def step_redeploy(self) -> str:
        text = self._deploy("redeploy.log", TIMEOUTS["redeploy"])
        if "(no changes)" not in text:
            raise StepError(f"the second deploy changed the stack; see {LOGS / 'redeploy.log'}")
        return "no changes"

    def step_destroy(self) -> str:
        template = Template.load(self.assembly / f"{STACK}.template.json")
        resources = self.client("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]
        physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in resources}
        command = [*CDK, "destroy", STACK, "--app", str(self.assembly), "--force"]
        run_logged(command, LOGS / "destroy.log", TIMEOUTS["destroy"], self.cdk_env())
        try:
            self.client("cloudformation").describe_stacks(StackName=STACK)
            raise StepError(f"{STACK} still exists after cdk destroy")
        except ClientError:
            pass
        kept, wrong = leftovers(template, physical, self.client)
        if wrong:
            raise StepError("after cdk destroy:\n" + "\n".join(wrong))
        return f"stack deleted; retained as the template says: {', '.join(kept) or 'nothing'}"

    # The run -------------------------------------------------------------------------------------

    def steps(self) -> Iterator[tuple[str, Callable[[], str]]]:
        if self.synth:
            yield "synth", self.step_synth
        yield "bootstrap", self.step_bootstrap
        yield "deploy", self.step_deploy
        yield "download key", self.step_download_key
        yield "verify", self.step_verify
        yield "functions answer", self.step_functions
        yield "smoke", self.step_smoke
        yield "redeploy", self.step_redeploy
        if self.destroy:
            yield "destroy", self.step_destroy

    def _timed(self, name: str, step: Callable[[], str]) -> None:
        """Runs one step within its TIMEOUTS (a subprocess step's own limit comes first; this one
        catches an in-process step that hangs, e.g. on an emulator that stopped answering)."""
        limit = TIMEOUTS[name] + 30

        def expire(signum: int, frame: object) -> None:
            raise StepError(f"timed out after {limit} s")

        started = time.monotonic()
        previous = signal.signal(signal.SIGALRM, expire)
        signal.alarm(limit)
        try:
            detail = step()
        except (StepError, EmulatorError, ClientError, BotoCoreError, KeyError) as error:
            self.timings[name] = time.monotonic() - started
            self.say(f"FAIL  {name} ({self.timings[name]:.1f} s): {error}")
            raise StepError(name) from error
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        self.timings[name] = time.monotonic() - started
        self.say(f"ok    {name} ({self.timings[name]:.1f} s): {detail}")

    def run(self, keep_running: bool = False) -> int:
        started = time.monotonic()
        try:
            steps = list(self.steps())
            if self.synth:
                self._timed("synth", steps.pop(0)[1])
            if not (self.assembly / f"{STACK}.template.json").is_file():
                raise StepError(f"no synthesized {STACK} in {self.assembly}")
            with ExitStack() as stack:
                emulator: list[Emulator] = []

                def start() -> str:
                    ensure_environment(timeout=TIMEOUTS["emulator"] - 60)
                    layer = _host_layer(self.assembly)
                    emulator.append(stack.enter_context(Emulator.start(layer, LOGS / "ministack.log", timeout=60)))
                    self.endpoint = emulator[0].endpoint
                    return f"MiniStack 1.5.33 on {self.endpoint} (/opt: {layer.name})"

                self._timed("emulator", start)
                for name, step in steps:
                    self._timed(name, step)
                if keep_running:
                    self.say(f"MiniStack keeps running on {self.endpoint}; Ctrl-C stops it")
                    while True:
                        time.sleep(3600)
        except StepError:
            self.say(f"rehearsal FAILED after {time.monotonic() - started:.0f} s (logs in {LOGS})")
            return 1
        except KeyboardInterrupt:
            return 130
        self.say(f"rehearsal passed in {time.monotonic() - started:.0f} s")
        return 0


def route_functions(template: Template) -> dict[str, tuple[str, str]]:
    """Route key -> (the route's logical id, the logical id of the function its integration calls)."""
    integrations = template.of_type("AWS::ApiGatewayV2::Integration")
    found = {}
    for logical, props in template.of_type("AWS::ApiGatewayV2::Route").items():
        target = json.dumps(props.get("Target", ""))
        function = "(no integration)"
        for integration, wanted in integrations.items():
            if f'"Ref": "{integration}"' in target:
                function = json.dumps(wanted.get("IntegrationUri", "")).split('"')[3]
        found[str(props["RouteKey"])] = (logical, function)
    return found


def _http_event(method: str, path: str) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event with no authorizer, as the $default stage sends it."""
    context = {
        "accountId": ACCOUNT,
        "apiId": "rehearsal",
        "domainName": "rehearsal.invalid",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "-"},
        "requestId": "rehearsal",
        "routeKey": f"{method} {path}",
        "stage": "$default",
        "time": "07/Dec/2026:00:00:00 +0000",
        "timeEpoch": 0,
    }
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "rehearsal.invalid"},
        "requestContext": context,
        "isBase64Encoded": False,
    }


def route_of(template: Template, method: str, url: str) -> tuple[str, str] | None:
    """The route (logical id) and function a request reached, matching the route keys' patterns."""
    path = urllib.parse.urlsplit(url).path
    for key, found in route_functions(template).items():
        route_method, pattern = key.split(" ", 1)
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(pattern)) + "$"
        if route_method == method and re.match(regex, path):
            return found
    return None


def _log_group(template: Template, logical: str, physical: dict[str, str]) -> str:
    group = template.of_type("AWS::Lambda::Function")[logical].get("LoggingConfig", {}).get("LogGroup")
    if isinstance(group, dict) and "Ref" in group:
        return physical[group["Ref"]]
    return f"/aws/lambda/{physical[logical]}"


def _is_error(message: str) -> bool:
    return any(mark in message for mark in ("Traceback", '"level":"ERROR"', '"level": "ERROR"', "[ERROR]", "Error:"))


def _host_layer(assembly: Path) -> Path:
    """The functions' layer as the assembly holds it (the asset directory the deploy publishes): the
    emulator mounts it at /opt, where Lambda puts a layer's contents."""
    template: dict[str, Any] = json.loads((assembly / f"{STACK}.template.json").read_text())
    for resource in template["Resources"].values():
        path = str(resource.get("Metadata", {}).get("aws:asset:path", ""))
        if resource["Type"] == "AWS::Lambda::LayerVersion" and path and (assembly / path / "bin/esbuild").is_file():
            return assembly / path
    raise StepError(f"{assembly} holds no layer with bin/esbuild: synthesize with {' '.join(HOST_CONTEXT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make deploy-local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--assembly", type=Path, help="deploy this existing synth (made with -c hostLayer=true)")
    parser.add_argument("--no-destroy", action="store_true", help="leave the stack deployed (with --keep-running)")
    parser.add_argument("--keep-running", action="store_true", help="keep MiniStack running at the end")
    args = parser.parse_args(argv)
    rehearsal = Rehearsal(
        assembly=(args.assembly or ASSEMBLY).resolve(), synth=args.assembly is None, destroy=not args.no_destroy
    )
    return rehearsal.run(keep_running=args.keep_running)


if __name__ == "__main__":
    sys.exit(main())
