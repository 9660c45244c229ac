"""One slow render starves nobody (issue 22, item 4), through the local stack's HTTP API.

A hostile scene spends seconds of CPU on every frame, below the stall watchdog, and is long enough
to be cut into two chunks: they hold both pool processes. Another user's 2-second gif, exported
beside it, must finish within twice its normal time, measured in the same run on the same stack;
the hostile render must end past its time budget as the scene's fault (failed, counted), naming the
slow scene. The budget is the real rule, shrunk by TIME_BUDGET_SCALE so the test stays short.
"""

import statistics
import time
import uuid

import pytest

from local.stack import LocalStack, StackSettings
from render.pool import SENIOR_AFTER_SECONDS
from tests.helpers.api import Client
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.render

# Budgets a fifth of the real ones: the hostile 20-second gif gets 32 s, the small gifs the floor, 24 s.
BUDGET_SCALE = 0.2

TAKE_BACK_SECONDS = 0.5

# 2.5 s of CPU for every frame: under the 20 s stall watchdog whatever the load.
HOSTILE = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default function Glacier() {
  const frame = useCurrentFrame();
  const until = Date.now() + 2500;
  while (Date.now() < until) {}
  return <AbsoluteFill style={{backgroundColor: '#300', color: 'white', fontSize: 120}}>{frame}</AbsoluteFill>;
}"""


def small_scene(label: str) -> str:
    """A light scene; each export gets its own label, so none is reused or taken from the chunk cache."""
    return f"""import {{AbsoluteFill, useCurrentFrame}} from 'remotion';
export default () => <AbsoluteFill style={{{{backgroundColor: '#123456', color: 'white', fontSize: 60}}}}>
  {label} {{useCurrentFrame()}}</AbsoluteFill>;"""


def ended(client: Client, render_id: str) -> dict | None:
    render = client.call("GET", f"/renders/{render_id}")[1]
    return render if render["status"] not in ("queued", "rendering") else None


def export(client: Client, project: dict) -> str:
    status, started, _ = client.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": "gif", "quality": "low"}
    )
    assert status == 202, started
    return str(started["renderId"])


def timed_small_export(client: Client, label: str) -> float:
    """Seconds from pressing Export to a finished file: a 4-second gif (long enough that a take-back's
    one-off cost is not most of it)."""
    project = client.project([{"id": label, "name": label, "durationInFrames": 120, "tsxCode": small_scene(label)}])
    began = time.monotonic()
    render_id = export(client, project)
    render = wait_for(lambda: ended(client, render_id), timeout=120, every=0.1)
    seconds = time.monotonic() - began
    assert render["status"] == "succeeded", render
    return seconds


def test_a_small_export_beside_a_hostile_slow_one_keeps_its_pace_and_the_slow_one_pays_past_its_budget():
    service = {"TIME_BUDGET_SCALE": str(BUDGET_SCALE), "PROGRESS_REFRESH_SECONDS": "0.5"}
    with LocalStack(StackSettings(port=0, state_dir=None, pool_size=2, service=service)) as stack:
        small = Client(stack.url, f"small-{uuid.uuid4().hex[:6]}")
        hostile = Client(stack.url, f"hostile-{uuid.uuid4().hex[:6]}")
        timed_small_export(small, "warm")  # the browsers' first pages
        # Each time the mean of two exports: on two shared cores one export's time varies by a third.
        normal = statistics.mean([timed_small_export(small, "alone-1"), timed_small_export(small, "alone-2")])

        # 600 frames: two chunks of 100 captures each, one on each process.
        glacier = hostile.project([{"id": "glacier", "name": "Glacier", "durationInFrames": 600, "tsxCode": HOSTILE}])
        hostile_id = export(hostile, glacier)
        started = wait_for(lambda: hostile.call("GET", f"/renders/{hostile_id}")[1]["progress"] > 0, 60, 0.2)
        assert started
        time.sleep(SENIOR_AFTER_SECONDS)  # as in the issue: the small export comes 10 s into the slow one
        beside = statistics.mean([timed_small_export(small, "beside-1"), timed_small_export(small, "beside-2")])
        print(f"small gif: {normal:.1f} s alone, {beside:.1f} s beside the hostile render ({beside / normal:.2f}×)")
        # Both measured in this run, on this stack: the machine's load is in both. The slack is what
        # taking a process back costs once, whatever the export's length: the cancel's round trip,
        # the hostile tabs closed, the freed browser's next page load (0.3-0.6 s here); on a 1.5 s
        # export it is a third of the budget the rule leaves.
        assert beside <= 2 * normal + TAKE_BACK_SECONDS

        render = wait_for(lambda: ended(hostile, hostile_id), timeout=120, every=0.5)
        print("the hostile render's error:", render["error"])
        assert render["status"] == "failed", render
        assert render["quotaCounted"] is True, render  # the scene's fault: counted, not refunded
        assert hostile.call("GET", "/exports/stats")[1]["usedToday"] == 1
        assert "time budget" in render["error"] and 'scene "glacier" (Glacier)' in render["error"], render
