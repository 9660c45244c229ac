"""Reading the render pool's log (render/worker_log.py) back: one render's lines."""

import json
import subprocess
from pathlib import Path

from functions import REPO_ROOT


def render_lines(log_path: Path, render_id: str) -> list[str]:
    """Every line of the log and its rotated files written for `render_id`: its own lines
    (`worker-<n> <renders>: text`) and its closing ones (`<render>: text`)."""
    files = sorted(log_path.parent.glob(log_path.name + ".*"), reverse=True) + [log_path]
    found: list[str] = []
    for file in files:
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
            head = line.split(": ", 1)[0]
            if render_id in head.split(" ", 1)[-1].split(","):
                found.append(line)
    return found


def function_log_budget_bytes() -> int:
    """The render function's log budget per invocation, as render/worker/log_gate.cjs sets it."""
    gate = REPO_ROOT / "render/worker/log_gate.cjs"
    out = subprocess.run(
        ["node", "-p", f"require({json.dumps(str(gate))}).FUNCTION_LOG_BUDGET_BYTES"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return int(out)
