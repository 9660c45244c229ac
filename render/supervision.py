"""Watching the pool's processes: a chunk followed to its end under the stall watchdog, the
memory watchdog over every process tree, and a dead process replaced.

A kill for the scene's fault (it stalled, it grew past the cap) carries the reason the render fails
with; any other death is ours. A cancel a page cannot act on (a stuck scene) ends in a kill too.
"""

import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from render.commands import cancel_command
from render.jobs import RenderFailed
from render.process import WorkerProcess, _parent_map
from render.protocol import EXIT, ChunkCommand, ErrorEvent, Event, ExitEvent

logger = logging.getLogger(__name__)
CANCEL_GRACE_SECONDS = 15.0  # a cancelled chunk must end this soon, or its process is killed
MEMORY_SAMPLE_SECONDS = 0.5


class Verdict(Enum):
    WAIT = "wait"
    STALLED = "stalled"  # the scene's fault: no frame in its window
    DEAF = "deaf"  # cancelled and still running: ours, nobody is billed


@dataclass
class StallWatch:
    """When a running chunk has been quiet too long. Its first frame may take `first_frame_seconds`
    (a page load, and the browser's launch for a process's first chunk), each next one, captured
    or encoded, `stall_seconds`. Pure: the caller tells the time."""

    first_frame_seconds: float
    stall_seconds: float
    started: float
    last_news: float = field(init=False)
    window: float = field(init=False)
    cancelled_at: float | None = None

    def __post_init__(self) -> None:
        self.last_news, self.window = self.started, self.first_frame_seconds

    def news(self, now: float) -> None:
        self.last_news, self.window = now, self.stall_seconds

    def cancelled(self, now: float) -> None:
        self.cancelled_at = now

    def verdict(self, now: float) -> Verdict:
        if self.cancelled_at is not None:
            return Verdict.DEAF if now - self.cancelled_at > CANCEL_GRACE_SECONDS else Verdict.WAIT
        return Verdict.STALLED if now - self.last_news > self.window else Verdict.WAIT


ChunkOutcome = Event | ExitEvent


def follow_chunk(
    process: WorkerProcess,
    command: ChunkCommand,
    watch: StallWatch,
    scenes: str,
    on_rendered: Callable[[int], None],
    ended: Callable[[], bool],
) -> ChunkOutcome:
    """Send a chunk and follow it to its last event (chunk-done, error, or EXIT if its process went).
    `on_rendered` gets the frames captured so far; `ended` says its render failed elsewhere or was
    cancelled, and the chunk is then cancelled."""
    events = process.open_route(command["id"])
    try:
        if not process.send(command):
            return EXIT
        while True:
            try:
                # Often enough that a cancel (the render failed, or its process goes to another owner)
                # leaves within a tenth of a second: a small export waits for it.
                event: ChunkOutcome | None = events.get(timeout=0.1)
            except queue.Empty:
                event = None
            now = time.monotonic()
            if event is not None and event["type"] == "progress":
                watch.news(now)
                on_rendered(event["rendered"])
            elif event is not None:
                return event
            if ended() and watch.cancelled_at is None:
                watch.cancelled(now)
                process.send(cancel_command(command["id"]))
                continue
            verdict = watch.verdict(now)
            if verdict is Verdict.DEAF:
                process.kill()
            elif verdict is Verdict.STALLED:
                process.kill(
                    f"{scenes} stopped making frames: none in {watch.window:.0f} s "
                    "(an endless loop, a navigation away, or a delayRender() never cleared); "
                    "the render was stopped"
                )
    finally:
        process.close_route(command["id"])


def watch_memory(
    processes: list[WorkerProcess],
    limit_bytes: int,
    scenes_on: Callable[[WorkerProcess], str],
    closed: Callable[[], bool],
) -> None:
    """Kill a process tree past `limit_bytes` (the per-render cap: one render a process at a time),
    naming the scene it renders. Runs until the pool closes."""
    while not closed():
        parents = _parent_map()
        for process in processes:
            used = process.memory_bytes(limit_bytes, parents)
            if used > limit_bytes and process.alive():
                process.kill(
                    f"{scenes_on(process)} used more than {limit_bytes >> 20} MiB of memory "
                    "(the per-render cap); the render was stopped"
                )
        time.sleep(MEMORY_SAMPLE_SECONDS)


def replace(process: WorkerProcess) -> bool:
    """Start a dead process again, whatever is left of its tree killed first; False if it would not
    start (the caller tries again later)."""
    try:
        process.kill()
        process.spawn()
        return True
    except RenderFailed:
        logger.exception("render worker %s could not be started again", process.index)
        return False


def chunk_failure(
    ended: ErrorEvent | ExitEvent, kill_reason: str | None, scenes: str, warnings: list[str]
) -> RenderFailed:
    """Why a chunk that did not finish fails its render, and whose fault that is: a kill with a
    reason is the scene's, any other death of its process ours, an error as the worker says."""
    if ended["type"] == "exit":
        if kill_reason is not None:
            return RenderFailed(kill_reason, warnings=warnings)
        return RenderFailed(
            f"a render worker process died while rendering {scenes}; it has been replaced (our failure, not the scene's)",
            warnings=warnings,
            ours=True,
        )
    # The worker's `cancelled` flag is not read: it matches the error's text, which a scene writes (a
    # render taken for cancelled gets no webhook, and the sweeper would end it refunded). A render
    # its user cancelled has its end already. `infra` is set by worker.mjs only where its own steps
    # failed (the browser's launch, the join), never from an error's text.
    return RenderFailed(
        f"{scenes} could not be rendered: {ended['message']}",
        warnings=warnings + ended["warnings"],
        ours=ended["infra"],
    )
