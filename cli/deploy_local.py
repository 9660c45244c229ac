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
6. **smoke**: `make smoke`'s own steps (tools/smoke.py) through the stack's outputs, but for the
   render steps the emulator cannot run (see SKIPPED);
7. **verify**: the live resources read back through the AWS APIs against the template
   (tools/verify_deploy.py), except the settings in EMULATOR_IGNORES;
8. **redeploy**: a second `cdk deploy` must report no changes;
9. **destroy**: `cdk destroy`; then every resource the template deletes is gone, and every one it
   retains is still there.

Logs of each step: .cache/deploy-local/logs/. Exit status 0 only if every step passed.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
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
from tools.verify_deploy import Template, leftovers, verify

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
    "smoke": 180,
    "verify": 120,
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
        return self.session().client(service, endpoint_url=self.endpoint, config=config)  # type: ignore[call-overload]

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
        except StepError as error:
            raise StepError(f"{self.failed_resources() or 'no resource failed'}\n{error}") from None

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

    def step_smoke(self) -> str:
        lines: list[str] = []

        def say(line: str) -> None:
            lines.append(line)
            self.say(f"        {line}")

        previous = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL",)}
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint  # boto3's own setting: the smoke's clients follow it
        try:
            http = Http(timeout=60, connect_to=((".localhost", self.endpoint), (".cloudfront.net", self.endpoint)))
            smoke = Smoke(session=self.session(), stack_name=STACK, http=http, say=say, skip=SKIPPED)
            code = smoke.run()
        finally:
            for key, value in previous.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        if code != 0:
            raise StepError(next((line for line in lines if line.startswith("FAIL")), "smoke failed"))
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
        yield "smoke", self.step_smoke
        yield "verify", self.step_verify
        yield "redeploy", self.step_redeploy
        if self.destroy:
            yield "destroy", self.step_destroy

    def _timed(self, name: str, step: Callable[[], str]) -> None:
        started = time.monotonic()
        try:
            detail = step()
        except (StepError, EmulatorError, ClientError, BotoCoreError, KeyError) as error:
            self.timings[name] = time.monotonic() - started
            self.say(f"FAIL  {name} ({self.timings[name]:.1f} s): {error}")
            raise StepError(name) from error
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


def _host_layer(assembly: Path) -> Path:
    """The functions' layer as the assembly holds it (the asset directory the deploy publishes): the
    emulator mounts it at /opt, where Lambda puts a layer's contents."""
    template = json.loads((assembly / f"{STACK}.template.json").read_text())
    for resource in template["Resources"].values():
        path = resource.get("Metadata", {}).get("aws:asset:path")
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
