"""`make first-run`: how long a newcomer waits, timed as one would time it.

Each run clones this checkout's HEAD afresh and times `make demo` until out/demo.mp4 is written,
then, in another fresh clone, `make dev` until GET /health answers. The package caches (npm's,
uv's, pip's) are whatever this machine has, so with them warm this is the figure README.md states.
Each clone is removed after its run; make's own output (the set-up steps) goes through.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from functions import REPO_ROOT

DEMO_TARGET_SECONDS = 120
DEV_TARGET_SECONDS = 90
_STOP_SECONDS = 60


def _clone(into: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(into)], check=True)
    return into


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def time_demo(workdir: Path) -> float:
    clone = _clone(workdir / "demo")
    start = time.monotonic()
    subprocess.run(["make", "demo"], cwd=clone, check=True)
    elapsed = time.monotonic() - start
    if not (clone / "out/demo.mp4").is_file():
        raise SystemExit("make demo ended without out/demo.mp4")
    return elapsed


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def time_dev(workdir: Path) -> float:
    clone = _clone(workdir / "dev")
    port = _free_port()
    start = time.monotonic()
    # A session of its own: the stop below reaches make and the stack it started, and nothing else.
    dev = subprocess.Popen(["make", "dev", f"PORT={port}"], cwd=clone, start_new_session=True)
    try:
        while not _answers(f"http://127.0.0.1:{port}/health"):
            if dev.poll() is not None:
                raise SystemExit(f"make dev ended ({dev.returncode}) before /health answered")
            time.sleep(0.25)
        return time.monotonic() - start
    finally:
        if dev.poll() is None:
            os.killpg(dev.pid, signal.SIGINT)  # Ctrl-C, as a user stops it: the stack saves and stops
            try:
                dev.wait(timeout=_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(dev.pid, signal.SIGKILL)
                dev.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    demo: list[float] = []
    dev: list[float] = []
    load_before = os.getloadavg()[0]
    for run in range(1, args.runs + 1):
        for label, timed, figures in (("make demo", time_demo, demo), ("make dev → /health", time_dev, dev)):
            workdir = Path(tempfile.mkdtemp(prefix="framecast-first-run-"))
            try:
                figures.append(timed(workdir))
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            print(f"first run {run}/{args.runs}: {label} in {figures[-1]:.0f} s", file=sys.stderr, flush=True)
    load_after = os.getloadavg()[0]
    print(
        f"make demo: {', '.join(f'{s:.0f}' for s in demo)} s (target {DEMO_TARGET_SECONDS} s); "
        f"make dev to /health: {', '.join(f'{s:.0f}' for s in dev)} s (target {DEV_TARGET_SECONDS} s); "
        f"{os.cpu_count()} cores, load average {load_before:.1f} before, {load_after:.1f} after"
    )
    return 0 if max(demo) <= DEMO_TARGET_SECONDS and max(dev) <= DEV_TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
