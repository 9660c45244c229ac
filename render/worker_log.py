"""The render pool's log: what every worker process writes on stderr, in one rotating file.

Each line comes tagged by the worker with the renders it belongs to (worker/log_gate.cjs) and is
written as `worker-<n> <render>: <text>`, held to each render's budget (log_budget.py). The file
rotates by size and keeps a few old ones, so the pool's logs on disk never pass
`MAX_LOG_FILE_BYTES * (LOG_BACKUPS + 1)` however long the stack runs.
"""

import logging
import re
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from render.log_budget import RENDER_LOG_BUDGET_BYTES, LogBudget, Verdict

MAX_LOG_FILE_BYTES = 8 << 20
LOG_BACKUPS = 3
# The worker cuts its lines at 2,000 characters; this is the wall behind it, for anything that
# reaches stderr around the gate (a crash's trace, a library writing to the stream itself).
MAX_READ_CHARS = 4096
_TAG = re.compile(r"@\{([^}]*)\} ")


def parse(raw: str) -> tuple[list[str], str]:
    """The renders a worker's line belongs to, and its text."""
    found = _TAG.match(raw)
    if found is None:
        return [], raw
    return [render for render in found.group(1).split(",") if render], raw[found.end() :]


class WorkerLog:
    def __init__(
        self,
        path: Path,
        budget_bytes: int = RENDER_LOG_BUDGET_BYTES,
        max_bytes: int = MAX_LOG_FILE_BYTES,
        backups: int = LOG_BACKUPS,
    ):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._budget = LogBudget(budget_bytes)
        self._lock = threading.Lock()

    def _emit(self, line: str) -> None:
        self._handler.handle(logging.makeLogRecord({"msg": line, "levelno": logging.INFO}))

    def write(self, source: str, raw: str) -> None:
        """One line a worker wrote: written, counted as a repeat, or dropped, by its renders' budgets."""
        renders, text = parse(raw.rstrip("\r\n"))
        with self._lock:
            if not renders:  # a worker's own start and end: no scene runs then
                self._emit(f"{source}: {text}")
                return
            line = f"{source} {','.join(renders)}: {text}"
            # Every render it is charged to must have room; each pays its own verdict.
            verdicts = {self._budget.judge(render, text, line) for render in renders}
            if verdicts == {Verdict.WRITE}:
                self._emit(line)

    def end(self, render: str) -> None:
        """A render is over: its repeats' counts and what it dropped, in one closing line each."""
        with self._lock:
            for line in self._budget.end(render):
                self._emit(line)

    def pump(self, source: str, stream: TextIO) -> None:
        """Reads a worker's stderr to its end (a thread per process). A line longer than
        MAX_READ_CHARS is written cut, the rest of it read and dropped."""
        cut = False
        for part in iter(lambda: stream.readline(MAX_READ_CHARS), ""):
            whole = part.endswith("\n")
            if not cut:
                try:
                    self.write(source, part if whole else f"{part} … (cut)")
                except Exception:
                    # Reading on matters more than the line: a worker whose stderr pipe fills blocks.
                    logging.getLogger(__name__).exception("a line of %s could not be logged", source)
            cut = not whole
        stream.close()

    def close(self) -> None:
        with self._lock:
            self._handler.close()
