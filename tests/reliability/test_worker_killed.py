"""The render worker killed mid-render: our failure. The render fails (or is retried), the quota is
refunded, the lock released; another user's queued render is retried, not failed.

Written against the worker as it is found (any `worker.mjs` process this test process started):
the pool replaces a killed process and its chunks still queued go to the next one."""

import os
import signal
import uuid
from pathlib import Path

import pytest

from tests.helpers.api import SMALL_SCENE, Client
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.render


def _our_workers() -> list[int]:
    """Node render workers that are descendants of this process."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            pid = int(entry.name)
            if b"worker.mjs" not in cmdline or b"node" not in cmdline.split(b"\x00")[0]:
                continue
            parent = pid
            while parent > 1:
                parent = int((Path("/proc") / str(parent) / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if parent == me:
                    found.append(pid)
                    break
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return found


@pytest.fixture
def one_process_stack():
    """One pool process: the long render holds it, so the other user's render waits its turn (with
    two, the pool would give it a process of its own at once, and the kill would take it too)."""
    from local.stack import LocalStack, StackSettings

    with LocalStack(StackSettings(port=0, state_dir=None, pool_size=1)) as running:
        yield running


def test_a_killed_worker_is_our_failure_and_queued_renders_are_retried(one_process_stack):
    stack = one_process_stack
    first, second = (Client(stack.url, f"killed-{uuid.uuid4().hex[:6]}") for _ in range(2))
    long_project = first.project([{"id": "long", "name": "Long", "durationInFrames": 1500, "tsxCode": SMALL_SCENE}])
    short_project = second.project([{"id": "one", "name": "One", "durationInFrames": 15, "tsxCode": SMALL_SCENE}])
    status, running, _ = first.call(
        "POST", "/renders", {"projectId": long_project["projectId"], "format": "gif", "quality": "low"}
    )
    assert status == 202
    status, queued, _ = second.call(
        "POST", "/renders", {"projectId": short_project["projectId"], "format": "gif", "quality": "low"}
    )
    assert status == 202
    workers = wait_for(_our_workers, timeout=60)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)

    def ended(client, render_id):
        render = client.call("GET", f"/renders/{render_id}")[1]
        return render if render["status"] not in ("queued", "rendering") else None

    killed = wait_for(lambda: ended(first, running["renderId"]), timeout=300, every=1)
    assert killed["status"] == "failed"
    assert first.call("GET", "/exports/stats")[1]["usedToday"] == 0  # refunded: ours
    retried = wait_for(lambda: ended(second, queued["renderId"]), timeout=300, every=1)
    assert retried["status"] == "succeeded", retried.get("error")
    status, again, _ = first.call(
        "POST", "/renders", {"projectId": long_project["projectId"], "format": "gif", "quality": "low"}
    )
    assert status == 202  # the lock was released
    first.call("POST", f"/renders/{again['renderId']}/cancel")
