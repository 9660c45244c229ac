"""`framecast dev` stopped every way a stack gets stopped, with a render in flight, then started again:
nothing is lost, and the render that was in flight is ended by the rule for our failures at once
(failed, refunded, lock released), so its user can export again straight away.

Runs `framecast dev` as a subprocess in its own process group, as a terminal or a service manager
runs it, with its own FRAMECAST_LOCAL_DIR."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from functions import REPO_ROOT
from tests.helpers.api import SMALL_SCENE, Client
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.render
LONG_GIF = {"id": "long", "name": "Long", "durationInFrames": 1500, "tsxCode": SMALL_SCENE}


class Dev:
    """One `framecast dev --port 0` in its own process group."""

    def __init__(self, local_dir: Path):
        self.local_dir = local_dir
        framecast = Path(sys.executable).parent / "framecast"
        env = {**os.environ, "FRAMECAST_LOCAL_DIR": str(local_dir)}
        self.log = open(local_dir.parent / f"{local_dir.name}-dev.log", "ab")
        self.process = subprocess.Popen(
            [str(framecast), "dev", "--port", "0"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
            text=True,
        )
        self.banner = ""
        while "Ctrl-C stops it" not in self.banner:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"framecast dev ended before serving: {self.banner}")
            self.banner += line
        self.url = re.search(r"on (http://\S+)", self.banner).group(1)
        self.restored = int(re.search(r"\((\d+) items and files restored\)", self.banner).group(1))

    def client(self, user: str) -> Client:
        from local import auth

        client = Client(self.url, None)
        client.user = user
        client.token = auth.issue_token(user, path=self.local_dir / "jwt-key")
        return client

    def children(self) -> list[int]:
        """Pids of the process group (the stack, the emulator, the render worker and its browser)."""
        pgid = self.process.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == pgid:
                        pids.append(int(entry.name))
                except ProcessLookupError:
                    continue
        return pids

    def emulator_pid(self) -> int:
        for pid in self.children():
            try:
                if b"local.emulator" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
            except FileNotFoundError:
                continue
        raise AssertionError("no emulator in the process group")

    def store(self):
        """The stack's store, reached as the stack reaches it: the emulator's port and credentials."""
        from functions.store import AwsAccess, Store
        from local import auth

        port = re.search(rb"--port\x00(\d+)", Path(f"/proc/{self.emulator_pid()}/cmdline").read_bytes()).group(1)
        endpoint = f"http://127.0.0.1:{port.decode()}"
        aws = AwsAccess(
            endpoints=(("dynamodb", endpoint), ("s3", endpoint)),
            credentials=auth.emulator_credentials(self.local_dir),
            region="us-east-1",
        )
        return Store(table_name="framecast-service", bucket_name="remotionlambda-local", aws=aws)

    def wait(self, timeout: float = 60) -> None:
        """Wait until the stack and everything it started in its group are gone."""
        try:
            self.process.wait(timeout=timeout)
        finally:
            self.log.close()
        wait_for(lambda: not self.children(), timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.wait()


def _start_long_render(client: Client) -> tuple[dict, dict]:
    project = client.project([LONG_GIF])
    status, started, _ = client.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": "gif", "quality": "low"}
    )
    assert status == 202, started
    assert client.call("GET", "/exports/stats")[1]["usedToday"] == 1
    time.sleep(1.5)  # written through: past the emulator's flush interval, as any earlier write would be
    return project, started


def _check_after_restart(dev: Dev, client: Client, project: dict, started: dict) -> None:
    assert client.call("GET", f"/projects/{project['projectId']}")[1]["scenes"][0]["id"] == "long"
    render = client.call("GET", f"/renders/{started['renderId']}")[1]
    assert render["status"] == "failed"  # not left in flight for the sweeper
    # The lock is released: the user's next export would start at once (its slot is free now).
    assert dev.store().free_lock_slot(client.user, 1, int(time.time())) == 0
    # Our failure, refunded.
    assert client.call("GET", "/exports/stats")[1]["usedToday"] == 0, render["error"]


# The render workers run in a session of their own (render/process.py): a signal to the
# terminal's group reaches the stack, which ends their renders by the rule; a worker whose stack died
# exits when its stdin closes.
STOPS = {
    "ctrl-c: SIGINT to the group": lambda dev: os.killpg(dev.process.pid, signal.SIGINT),
    "service manager: SIGTERM to the group": lambda dev: os.killpg(dev.process.pid, signal.SIGTERM),
    "SIGTERM to framecast dev alone": lambda dev: os.kill(dev.process.pid, signal.SIGTERM),
    "SIGKILL to framecast dev alone": lambda dev: os.kill(dev.process.pid, signal.SIGKILL),
    "SIGKILL to everything": lambda dev: os.killpg(dev.process.pid, signal.SIGKILL),
}


@pytest.mark.parametrize("stop", list(STOPS), ids=list(STOPS))
def test_a_stop_loses_nothing_and_the_restart_ends_the_render_in_flight(tmp_path, stop):
    local_dir = tmp_path / "local"
    dev = Dev(local_dir)
    try:
        assert dev.restored == 0
        client = dev.client("restart-user")
        project, started = _start_long_render(client)
        STOPS[stop](dev)
        dev.wait()
    finally:
        if dev.process.poll() is None:
            os.killpg(dev.process.pid, signal.SIGKILL)
    again = Dev(local_dir)
    try:
        assert again.restored > 0
        _check_after_restart(again, again.client("restart-user"), project, started)
    finally:
        again.stop()


def test_the_emulator_killed_alone_is_started_again_with_its_data(tmp_path):
    dev = Dev(tmp_path / "local")
    try:
        client = dev.client("emulator-user")
        project = client.project()
        time.sleep(1.5)
        os.kill(dev.emulator_pid(), signal.SIGKILL)
        statuses = set()

        def served():
            status, body, _ = client.call("GET", f"/projects/{project['projectId']}")
            statuses.add(status)
            return status == 200 and body["projectId"] == project["projectId"]

        wait_for(served, timeout=60, every=0.1)
        assert statuses <= {200, 503}  # while it restarts: a clear 503, never a hang or a 500
        assert client.call("POST", "/projects", {"title": "after", "format": "square"})[0] == 201
    finally:
        dev.stop()
