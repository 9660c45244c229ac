"""One invocation of the render function: its own process, a private /tmp and /opt, killed on timeout.

The function empties all of /tmp at the start of every invocation (`deleteTmpDir()` in index.js,
hard-coded) and launches Chromium from the hard-coded `/opt/bin/chromium`. So it must never see the
host's /tmp or /opt. Each invocation runs in new mount and pid namespaces (`unshare`): a tmpfs on
/tmp (Lambda's ephemeral storage), a tmpfs on /opt holding only `bin/chromium`, and a pid namespace
whose end takes every process of the invocation with it (Chromium included, which Remotion starts
in its own process group). Where namespaces are not allowed, the emulator refuses to run the
function at all (`IsolationUnavailable`), never falls back to the host.

`/opt/bin/chromium` starts Debian's headless shell, the kind of browser Remotion's Lambda layer
ships, under the flags the function passes (`--headless=old`, `--single-process`, SwiftShader GL).
Not Debian's full Chromium: its launcher adds flags of its own (/etc/chromium.d), and a full
Chromium in `--single-process` (a mode it does not support) crashed at launch with SIGSEGV once
in some hundreds of launches under load, an error Remotion does not retry. Not a symlink
either: in one process the shell finds its SwiftShader libraries next to its argv[0], so through
a symlink in /opt/bin it finds none and the page never loads the composition; a script that
`exec`s the shell keeps argv[0] the shell's own path, beside its libraries.
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from local.lambda_emulator.function_dir import visible
from stacks import function_preload

RUNTIME = Path(__file__).with_name("runtime.cjs")
LAMBDA_BROWSER = Path("/usr/lib/chromium/chromium-headless-shell")  # Debian: chromium-headless-shell
ACCOUNT_ID = "123456789012"  # the function's account id becomes S3's ExpectedBucketOwner

# Run by `sh` as the namespace's first process, then replaced by node (pid 1 of the namespace).
# /opt holds what the stack's layers put there: Chromium, and Framecast's preload files (copied
# before /tmp is hidden, where a checkout under /tmp keeps them).
NAMESPACE_SETUP = """set -e
mount -t tmpfs -o size=1m,mode=755 lambda-opt /opt
mkdir /opt/bin
printf '#!/bin/sh\\nexec %s "$@"\\n' '{chromium}' > /opt/bin/chromium
chmod 755 /opt/bin/chromium
cp {preload_files} {layer_root}/
mount -t tmpfs -o size={tmp_mb}m,mode=1777 lambda-tmp /tmp
exec "$@"
"""


class IsolationUnavailable(RuntimeError):
    """No private /tmp can be made here, so the function (which wipes /tmp) must not run."""


class BrowserUnavailable(RuntimeError):
    """The headless shell the function launches is not installed."""


def lambda_browser() -> Path:
    """The browser behind /opt/bin/chromium; raises if it is missing, rather than letting every
    renderer fail to launch it."""
    if not os.access(LAMBDA_BROWSER, os.X_OK):
        raise BrowserUnavailable(
            f"{LAMBDA_BROWSER} is missing: the emulated render function launches Debian's headless "
            "shell, as Remotion's Lambda layer ships one (apt-get install chromium-headless-shell)"
        )
    return LAMBDA_BROWSER


@lru_cache(maxsize=1)
def namespace_command() -> tuple[str, ...]:
    """The `unshare` prefix that works here (as root, or in a user namespace); raises if none does."""
    if not shutil.which("unshare"):
        raise IsolationUnavailable(
            "`unshare` (util-linux) is not installed, so the render function cannot get "
            "a private /tmp; it empties /tmp on every invocation and must not run on the host's"
        )
    base = ("unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child=SIGKILL", "--mount-proc")
    attempts: list[tuple[str, ...]] = [base] if os.geteuid() == 0 else []
    attempts.append(base[:1] + ("--map-root-user",) + base[1:])
    reasons = []
    for command in attempts:
        probe = subprocess.run(
            [*command, "sh", "-c", "mount -t tmpfs probe /tmp && test ! -e /tmp/.probe"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if probe.returncode == 0:
            return command
        reasons.append(f"`{' '.join(command)}`: {probe.stderr.strip() or f'exit {probe.returncode}'}")
    raise IsolationUnavailable(
        "cannot give the render function a private /tmp (it empties /tmp on every "
        "invocation, so it is not run on the host's): " + "; ".join(reasons)
    )


@dataclass(frozen=True)
class FunctionConfig:
    function_dir: Path
    function_name: str
    region: str
    environment: dict[str, str]  # credentials and endpoints for the AWS SDK inside
    log_dir: Path
    timeout_seconds: float = 900
    memory_mb: int = 2048
    ephemeral_storage_mb: int = 2048

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"


@dataclass
class Outcome:
    request_id: str
    error: dict[str, Any] | None = None  # {errorType, errorMessage, stackTrace} as Lambda reports it
    timed_out: bool = False
    seconds: float = 0.0
    log_path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Invocation:
    """Start with `Invocation(config, payload)`; read `response_chunks()`, then `wait()`."""

    def __init__(self, config: FunctionConfig, payload: bytes, request_id: str | None = None):
        self.config = config
        self.request_id = request_id or str(uuid.uuid4())
        self.log_path = config.log_dir / f"{time.strftime('%H%M%S')}-{self.request_id}.log"
        self._started = time.monotonic()
        self._timed_out = threading.Event()
        config.log_dir.mkdir(parents=True, exist_ok=True)
        response_read, response_write = os.pipe()
        result_read, result_write = os.pipe()
        deadline_ms = int((time.time() + config.timeout_seconds) * 1000)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "HOME": "/tmp",
            "AWS_LAMBDA_FUNCTION_NAME": config.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"emulated/{self.request_id}",
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "LAMBDA_TASK_ROOT": str(config.function_dir),
            "_HANDLER": "index.handler",
            **config.environment,
            "FRAMECAST_LAMBDA_DEADLINE_MS": str(deadline_ms),
            "FRAMECAST_REQUEST_ID": self.request_id,
            "FRAMECAST_INVOKED_FUNCTION_ARN": config.arn,
            "FRAMECAST_RESPONSE_FD": str(response_write),
            "FRAMECAST_RESULT_FD": str(result_write),
        }
        setup = NAMESPACE_SETUP.format(
            tmp_mb=config.ephemeral_storage_mb,
            chromium=lambda_browser(),
            preload_files=" ".join(
                shlex.quote(str(function_preload.SOURCE_DIR / name)) for name in function_preload.FILES
            ),
            layer_root=function_preload.LAYER_ROOT,
        )
        command = [
            *namespace_command(),
            "sh",
            "-c",
            setup,
            "lambda-init",
            shutil.which("node") or "node",
            str(visible(RUNTIME)),
            str(config.function_dir),
        ]
        self._log = open(self.log_path, "ab")
        self._log.write(f"START RequestId: {self.request_id} Version: $LATEST\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            pass_fds=(response_write, result_write),
            start_new_session=True,
            cwd=config.function_dir,
        )
        os.close(response_write)
        os.close(result_write)
        self._response = response_read
        self._result = result_read
        self._timer = threading.Timer(config.timeout_seconds, self._time_out)
        self._timer.daemon = True
        self._timer.start()
        assert self.process.stdin is not None  # a pipe (above)
        self.process.stdin.write(payload)
        self.process.stdin.close()

    def _time_out(self) -> None:
        self._timed_out.set()
        self.kill()

    def kill(self) -> None:
        """SIGKILL to the namespace's first process (node). The kernel then kills every other process
        of the namespace (Chromium included) and `unshare`, which waits for it, exits only once they
        are all gone, so `wait()` returning means nothing of the invocation is left."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            pids = [int(pid) for pid in children.read_text().split()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not pids and self.process.poll() is None:  # still starting: unshare has not forked yet
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def response_chunks(self) -> Iterator[bytes]:
        """The response stream as the function writes it; ends when the function ends its stream or dies."""
        try:
            while chunk := os.read(self._response, 1 << 16):
                yield chunk
        finally:
            os.close(self._response)
            self._response = -1

    def wait(self) -> Outcome:
        if self._response >= 0:  # nobody read the stream (an Event invocation): drain it
            for _ in self.response_chunks():
                pass
        self.process.wait()
        self._timer.cancel()
        with os.fdopen(self._result, "rb") as result:
            line = result.read().decode(errors="replace").strip()
        seconds = time.monotonic() - self._started
        outcome = Outcome(request_id=self.request_id, seconds=seconds, log_path=self.log_path)
        if self._timed_out.is_set():
            outcome.timed_out = True
            outcome.error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"{self.request_id} Task timed out after {self.config.timeout_seconds:.2f} seconds",
            }
        elif line:
            reported = json.loads(line.splitlines()[-1])
            outcome.error = None if reported.get("ok") else reported
        else:
            outcome.error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: {self.request_id} Error: Runtime exited with exit code "
                f"{self.process.returncode}",
            }
        status = "timed out" if outcome.timed_out else ("failed" if outcome.error else "ok")
        self._log.write(
            f"END RequestId: {self.request_id}\nREPORT RequestId: {self.request_id} "
            f"Duration: {seconds * 1000:.2f} ms Status: {status}\n".encode()
        )
        self._log.close()
        return outcome
