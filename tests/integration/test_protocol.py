"""The pool⇄worker protocol: render/protocol.py and render/worker/protocol.mjs declare the same
messages, the commands the pool builds hold to them, and each side refuses what breaks them."""

import json
import subprocess
from pathlib import Path

import pytest

from functions import REPO_ROOT
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.render_settings import OutputFormat, Quality
from render import protocol
from render.chunks import plan_chunks
from render.commands import cancel_command, chunk_command, combine_command, still_command
from render.jobs import RenderJob, StillJob
from tests.helpers.projects import project, scene

PROTOCOL_MJS = REPO_ROOT / "render/worker/protocol.mjs"


def js_problems(*messages: tuple[str, object]) -> list[list[str]]:
    """What protocol.mjs finds wrong with each (kind, message): [] when it holds."""
    lines = "".join(json.dumps({"kind": kind, "message": message}) + "\n" for kind, message in messages)
    done = subprocess.run(
        ["node", str(PROTOCOL_MJS), "--check"], input=lines, capture_output=True, text=True, check=True
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_both_sides_declare_the_same_messages():
    done = subprocess.run(["node", str(PROTOCOL_MJS)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == protocol.shapes()


def test_the_worker_has_one_handler_per_command():
    worker = json.dumps(str(REPO_ROOT / "render/worker/worker.mjs"))
    # process.stdout: the worker sends console.log to stderr as soon as it is imported.
    script = f"import({worker}).then((w) => process.stdout.write(JSON.stringify(Object.keys(w.HANDLERS))))"
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert sorted(json.loads(done.stdout)) == sorted(protocol.shapes()["commands"])


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_the_commands_the_pool_builds_are_what_the_worker_takes(fmt):
    plan = plan_export(project(scene("export default () => null;", duration=40)), fmt, Quality.LOW, Limits())
    job = RenderJob(plan.props.to_json_dict(), plan.output, Path("/tmp/out"))
    chunk = plan_chunks([40], plan.output.every_nth_frame, 5)[-1]
    audio = None if fmt == OutputFormat.GIF else Path("/tmp/c.wav")
    commands = [
        chunk_command("r/chunk-1", job, chunk, 40, Path("/tmp/c.ts"), audio, last=True),
        combine_command("r/combine", plan.output, 40, [Path("/tmp/a.ts")], [Path("/tmp/a.wav")], Path("/tmp/o.mp4")),
        still_command("r/still", StillJob(plan.props.to_json_dict(), frame=3, output_path=Path("/tmp/s.jpg"))),
        cancel_command("r/chunk-1"),
    ]
    assert js_problems(*[("command", json.loads(json.dumps(command))) for command in commands]) == [[]] * 4


EVENTS = [
    {
        "type": "ready",
        "bundle": "/b",
        "bundleHash": "abc",
        "bundleCached": True,
        "browserVersion": "Chromium 156.0.8078.129",
    },
    {"type": "progress", "id": "c", "rendered": 3, "encoded": 1},
    {"type": "chunk-done", "id": "c", "videoPath": "/c.ts", "audioPath": None, "warnings": ["w"]},
    {"type": "combined", "id": "j", "outputPath": "/o.mp4", "sizeBytes": 1234},
    {"type": "still-done", "id": "s", "outputPath": "/s.jpg"},
    {"type": "error", "id": None, "message": "m", "cancelled": False, "infra": True, "warnings": []},
    {"type": "fatal", "message": "m"},
]


def test_events_that_hold_to_the_protocol_read_the_same_on_both_sides():
    assert sorted(event["type"] for event in EVENTS) == sorted(protocol.shapes()["events"])
    assert js_problems(*[("event", event) for event in EVENTS]) == [[]] * len(EVENTS)
    assert [protocol.parse_event(json.dumps(event)) for event in EVENTS] == EVENTS


BROKEN = [
    {"type": "progress", "id": "c", "rendered": 3},  # a field missing
    {"type": "progress", "id": "c", "rendered": "3", "encoded": 1},  # of the wrong type
    {"type": "progress", "id": "c", "rendered": 1.5, "encoded": 1},  # a number, not an integer
    {"type": "chunk-done", "id": "c", "videoPath": "/c.ts", "audioPath": None, "warnings": [], "extra": 1},
    {"type": "combined", "id": "c", "outputPath": None, "sizeBytes": 1},  # null where it may not be
    {"type": "exploded", "id": "c"},  # no such event
]


def test_both_sides_refuse_events_that_break_it():
    assert all(problems for problems in js_problems(*[("event", event) for event in BROKEN]))
    for event in BROKEN:
        read = protocol.parse_event(json.dumps(event))
        # The task it names ends, as ours, instead of waiting for an event that never comes.
        assert read is not None and read["type"] == "error" and read["id"] == "c" and read["infra"], event
    assert protocol.parse_event("Remotion said something on stdout") is None


def test_the_worker_refuses_a_command_that_breaks_it():
    broken = {"type": "chunk", "id": "c", "frameRange": [0, 1, 2]}
    [problems] = js_problems(("command", broken))
    assert "chunk.frameRange: not 2 long" in problems and "chunk.codec: missing" in problems
