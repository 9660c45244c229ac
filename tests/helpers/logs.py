"""Reading the render pool's log (render/worker_log.py) back: one render's lines."""

from pathlib import Path


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
