"""Drives worker.mjs (the Node render worker) from Python over JSON lines.

One worker process serves many renders: it keeps its bundle and its browser open between them.
"""

import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from functions.render_settings import RenderSettings

WORKER_SCRIPT = Path(__file__).with_name("worker.mjs")
REPO_ROOT = WORKER_SCRIPT.parents[2]
# The first start may bundle the site (about 10-60 s); later starts reuse the cached bundle.
_READY_TIMEOUT_SECONDS = 300
_job_ids = itertools.count(1)


@dataclass(frozen=True)
class RenderJob:
    input_props: dict
    settings: RenderSettings
    output_path: Path
    id: str = field(default_factory=lambda: f"job-{next(_job_ids)}")

    def command(self) -> dict:
        return {
            "type": "render",
            "id": self.id,
            "inputProps": self.input_props,
            "codec": self.settings.codec,
            "crf": self.settings.crf,
            "jpegQuality": self.settings.jpeg_quality,
            "everyNthFrame": self.settings.every_nth_frame,
            "outputPath": str(Path(self.output_path).resolve()),
        }


@dataclass(frozen=True)
class RenderResult:
    output_path: Path
    size_bytes: int
    warnings: list[str]
    duration_in_frames: int
    width: int
    height: int
    render_seconds: float


class RenderFailed(Exception):
    def __init__(self, message: str, cancelled: bool = False, warnings: list[str] | None = None):
        super().__init__(message)
        self.cancelled = cancelled
        self.warnings = warnings or []


class LocalRenderWorker:
    def __init__(self, log_path: Path | None = None, env: dict[str, str] | None = None):
        self.log_path = log_path or REPO_ROOT / ".cache/render-worker.log"
        self.env = {**os.environ, **(env or {})}
        self._process: subprocess.Popen | None = None
        self._queues: dict[str, queue.Queue] = {}
        self._lock = threading.Lock()
        self.info: dict = {}

    def __enter__(self) -> "LocalRenderWorker":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        with self._lock:
            if self._process and self._process.poll() is None:
                return
            node = shutil.which("node")
            if node is None:
                raise RenderFailed("node was not found on PATH: the local renderer needs Node 20 or newer")
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            log = open(self.log_path, "ab")
            self._process = subprocess.Popen(
                [node, str(WORKER_SCRIPT)], cwd=REPO_ROOT, env=self.env, text=True, bufsize=1,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            )
            log.close()
            ready_queue: queue.Queue = queue.Queue()
            threading.Thread(target=self._read_events, args=(self._process, ready_queue), daemon=True).start()
        try:
            ready = ready_queue.get(timeout=_READY_TIMEOUT_SECONDS)
        except queue.Empty:
            self.close()
            raise RenderFailed(f"the render worker did not start in {_READY_TIMEOUT_SECONDS} s; see {self.log_path}") from None
        if ready.get("type") != "ready":
            self.close()
            raise RenderFailed(f"the render worker could not start: {ready.get('message')} (log: {self.log_path})")
        self.info = ready

    def _read_events(self, process: subprocess.Popen, ready_queue: queue.Queue) -> None:
        for line in process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("type") in ("ready", "fatal"):
                ready_queue.put(event)
            if event.get("type") == "fatal":
                for q in list(self._queues.values()):
                    q.put({"type": "error", "message": event["message"], "cancelled": False})
            elif event.get("id") in self._queues:
                self._queues[event["id"]].put(event)
        # The process is gone: whoever still waits learns it now rather than never.
        ready_queue.put({"type": "fatal", "message": "the render worker exited"})
        for q in list(self._queues.values()):
            q.put({"type": "error", "message": f"the render worker exited; see {self.log_path}", "cancelled": False})

    def _send(self, command: dict) -> None:
        assert self._process and self._process.stdin
        self._process.stdin.write(json.dumps(command) + "\n")
        self._process.stdin.flush()

    def render(self, job: RenderJob, on_progress: Callable[[float], None] | None = None) -> RenderResult:
        """Render and wait; on_progress gets 0.0-1.0 as frames are rendered and encoded."""
        self.start()
        events: queue.Queue = queue.Queue()
        self._queues[job.id] = events
        try:
            self._send(job.command())
            while True:
                event = events.get()
                if event["type"] == "progress" and on_progress:
                    on_progress(event["progress"])
                elif event["type"] == "done":
                    return RenderResult(
                        output_path=Path(event["outputPath"]), size_bytes=event["sizeBytes"],
                        warnings=event["warnings"], duration_in_frames=event["durationInFrames"],
                        width=event["width"], height=event["height"], render_seconds=event["renderSeconds"],
                    )
                elif event["type"] == "error":
                    raise RenderFailed(event["message"], event.get("cancelled", False), event.get("warnings"))
        finally:
            self._queues.pop(job.id, None)

    def cancel(self, job_id: str) -> None:
        if self._process and self._process.poll() is None:
            self._send({"type": "cancel", "id": job_id})

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                process.stdin.close()  # the worker cancels what runs and closes its browser
                process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
