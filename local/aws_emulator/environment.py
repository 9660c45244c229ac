"""MiniStack's own environment, and the server started from it in a private mount namespace.

    with Emulator.start(layer_dir) as emulator:   # http://127.0.0.1:<free port>
        ... AWS_ENDPOINT_URL=emulator.endpoint ...

The environment (.cache/aws-emulator/venv) is made by the project's pinned uv from requirements.txt,
from PyPI, and remade only when that file or the Python changes. The server runs shims.py, bound to
loopback, in new mount and pid namespaces (`unshare`, as local/lambda_emulator/invoker.py does) where
/opt is a tmpfs holding what Lambda's /opt holds for these functions:

- /opt/bin, /opt/iconify, /opt/iconify-store: the functions' layer, the very directory its asset was
  made from (MiniStack's local executor puts a layer's python/ on sys.path but never at /opt);
- /opt/awscli/aws: the AWS CLI the CDK's bucket-deployment handler calls (its Lambda layer holds
  one there), here the pinned awscli of this environment, its output sent to stderr: MiniStack reads
  the handler's answer from stdout and gives up past about 200 lines.

The host's /opt is never touched, and of its /tmp only a directory of the emulator's own (TMPDIR),
removed when it stops: MiniStack unpacks each function's code and layers there, some 70 MB each.
"""

import hashlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from functions import REPO_ROOT

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
HOME = REPO_ROOT / ".cache/aws-emulator"
VENV = HOME / "venv"
UV = REPO_ROOT / ".tools/bin/uv"
LAYER_DIRS = ("bin", "iconify", "iconify-store")


class EmulatorError(RuntimeError):
    pass


def _stamp() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def ensure_environment(timeout: float = 300) -> Path:
    """The emulator's virtual environment, made or remade when its requirements change; its python."""
    python = VENV / "bin/python"
    stamp = HOME / "venv.stamp"
    if python.is_file() and stamp.is_file() and stamp.read_text() == _stamp():
        return python
    if not UV.is_file():
        raise EmulatorError(f"{UV} is missing: run `make setup` first")
    HOME.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    for command in (
        [str(UV), "venv", "--quiet", "--clear", "--python", sys.executable, str(VENV)],
        [str(UV), "pip", "install", "--quiet", "--python", str(python), "-r", str(REQUIREMENTS)],
    ):
        left = max(1.0, deadline - time.monotonic())
        try:
            subprocess.run(command, check=True, timeout=left, cwd=REPO_ROOT, capture_output=True, text=True)
        except subprocess.TimeoutExpired as error:
            raise EmulatorError(f"making the emulator's environment took over {timeout:.0f} s") from error
        except subprocess.CalledProcessError as error:
            raise EmulatorError(f"{shlex.join(command)} failed: {error.stderr.strip()[-2000:]}") from error
    stamp.write_text(_stamp())
    return python


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def namespace_prefix() -> list[str]:
    """`unshare` for new mount and pid namespaces, as root or in a user namespace."""
    base = ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child=SIGTERM"]
    return base if os.geteuid() == 0 else [*base, "--map-root-user"]


def _opt_script(layer_dir: Path, python: Path) -> str:
    """The shell run inside the namespace: /opt as Lambda has it, then MiniStack with the shims."""
    aws = python.parent / "aws"
    lines = ["set -e", "mount -t tmpfs -o size=16m,mode=755 deploy-local-opt /opt", "mkdir -p /opt/awscli"]
    for name in LAYER_DIRS:
        lines += [f"mkdir /opt/{name}", f"mount --bind -o ro {shlex.quote(str(layer_dir / name))} /opt/{name}"]
    lines += [
        f"printf '#!/bin/sh\\nexec %s \"$@\" 1>&2\\n' {shlex.quote(shlex.quote(str(aws)))} > /opt/awscli/aws",
        "chmod 755 /opt/awscli/aws",
        f"exec {shlex.quote(str(python))} {shlex.quote(str(HERE / 'shims.py'))}",
    ]
    return "\n".join(lines)


@dataclass
class Emulator:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    @classmethod
    @contextmanager
    def start(cls, layer_dir: Path, log: Path, port: int | None = None, timeout: float = 60) -> Iterator["Emulator"]:
        """MiniStack on loopback, ready, for the duration of the block; stopped (all of it) after."""
        python = ensure_environment()
        layer_dir = layer_dir.resolve()
        missing = [name for name in LAYER_DIRS if not (layer_dir / name).is_dir()]
        if missing:
            raise EmulatorError(f"the layer {layer_dir} has no {', '.join(missing)}: synthesize with -c hostLayer=true")
        port = port or free_port()
        tmp_dir = tempfile.mkdtemp(prefix="framecast-ministack-")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))},
            "TMPDIR": tmp_dir,
            "GATEWAY_PORT": str(port),
            "BIND_HOST": "127.0.0.1",
            "IOT_MTLS_ENABLED": "0",  # its MQTT listener would bind 8883 on every interface
            "LOG_LEVEL": "INFO",
            # The region and credentials the functions' own SDK calls sign with (MiniStack's defaults).
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }
        log.parent.mkdir(parents=True, exist_ok=True)
        try:
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [*namespace_prefix(), "sh", "-c", _opt_script(layer_dir, python)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=HOME,
                    start_new_session=True,
                )
            emulator = cls(process, port, log)
            try:
                emulator._wait_ready(timeout)
                yield emulator
            finally:
                emulator.stop()
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmulatorError(f"MiniStack exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_ministack/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise EmulatorError(f"MiniStack did not answer on {self.endpoint} within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, grace: float = 10) -> None:
        """SIGTERM to the namespace's leader, which takes the namespace (every Lambda worker) with it."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(grace)
