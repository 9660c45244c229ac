"""The render pool: N worker processes, each with its own Chromium, shared by every render.

An export is cut into chunks along scene boundaries (chunks.py); chunks found in the chunk cache
are taken from it, the others queued in the scheduler (scheduler.py: fair across users) and
rendered by whichever process is free, under the watchdogs (supervision.py), then joined (join.py).
The CLI and the local service both render through this class.

Shares: while another owner's chunks wait and no process is free, an owner holding two processes
more than it gives one back: its youngest chunk still capturing is cancelled and queued again
(docs/decisions.md, "Fair shares of the pool").

Faults, by whose they are (RenderFailed.ours):
- a chunk that stalls or whose process tree grows past the memory cap: its process is killed and
  replaced, the render fails naming the scene: the scene's;
- a process that dies otherwise: the render whose chunk it ran fails as ours; chunks still queued
  (this render's or others') are not lost, as the queue lives here, and go to the next process;
- a render still rendering past its time budget (RenderJob.time_budget_seconds, counted from its
  arrival here): it fails naming its slowest scene (scene_clock.py): the scene's;
- a chunk taken back for another owner's share, however it ends short of its file (cancelled, or
  its process killed as deaf to the cancel): queued again, nobody's fault.
"""

import itertools
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from functions import REPO_ROOT
from render.chunk_cache import ChunkCache
from render.chunks import Chunk, Renderer, chunk_frames_from_env, keyed_chunks, plan_chunks, site_data_fingerprint
from render.commands import cancel_command, chunk_command, still_command
from render.jobs import RenderFailed, RenderJob, RenderResult, StillJob
from render.join import is_silent, join
from render.process import WorkerProcess
from render.protocol import ErrorEvent, Event, ExitEvent, ReadyEvent
from render.scene_clock import SceneClock, over_budget_reason
from render.scheduler import Scheduler, owner_over_share
from render.supervision import StallWatch, chunk_failure, follow_chunk, replace, watch_memory
from render.worker_log import WorkerLog

logger = logging.getLogger(__name__)
SITE_PUBLIC = REPO_ROOT / "remotion_site/public"
CHUNK_EXTENSIONS = {"h264": "ts", "gif": "ts", "vp8": "webm", "vp9": "webm"}
# Browser disconnects that leave the process unable to render: it is replaced after them.
BROKEN_BROWSER = ("Target closed", "Browser closed", "browser has disconnected", "Session closed", "Connection closed")
# How long a join waits for a worker when every one was killed at once (a replacement starts Node,
# not Chromium, so this is generous).
_REPLACEMENT_SECONDS = 60.0
# The browser serving a render that has rendered longer than this runs at this autogroup nice: a
# process each is not a fair split of the CPU when one render's chunk spins two tabs, and whatever
# else the machine does for users (the API compiling the next export, a young small export) comes
# before a long render. The CPU no one else wants is still its own, so alone it is as fast
# (docs/decisions.md, "Fair shares of the pool").
SENIOR_AFTER_SECONDS = 10.0
SENIOR_NICE = 10
_ids = itertools.count(1)


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def default_pool_size() -> int:
    if os.environ.get("FRAMECAST_RENDER_POOL_SIZE"):
        return max(1, int(os.environ["FRAMECAST_RENDER_POOL_SIZE"]))
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass
class _Task:
    run: "_Run"
    chunk: Chunk
    id: str
    video_path: Path
    audio_path: Path | None
    # Every frame captured (its encoder may still be finishing), or the task over: its process may
    # take the next chunk of the same render.
    captured: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    last: bool = False  # nothing was queued behind it when taken (worker.mjs: its encoder's threads)
    started: float = 0.0  # when a process took it (monotonic)
    # Its process is taken back for another owner: cancel it. `requeue`: it, or a chunk of the same
    # render finishing its encode on that process, ends short of its file: queue it again.
    preempted: bool = False
    requeue: bool = False


@dataclass
class _Run:
    job: RenderJob
    chunks: list[Chunk]
    workdir: Path
    on_progress: Callable[[float], None] | None
    files: dict[int, tuple[Path, Path | None]] = field(default_factory=dict)
    warnings: dict[str, None] = field(default_factory=dict)  # ordered set
    running: dict[str, tuple[_Task, WorkerProcess]] = field(default_factory=dict)
    in_flight: dict[int, int] = field(default_factory=dict)  # chunk index -> frames rendered
    failure: RenderFailed | None = None
    done: threading.Event = field(default_factory=threading.Event)
    reported: float = -1.0
    cached: int = 0
    deadline: float | None = None  # monotonic; past it while rendering, the render fails (the scene's)
    first_chunk_at: float | None = None  # when a process first took one of its chunks (monotonic)
    clock: SceneClock = field(default_factory=SceneClock)

    @property
    def total_frames(self) -> int:
        return self.chunks[-1].end

    def ended(self) -> bool:
        return self.failure is not None or self.done.is_set()


class RenderPool:
    def __init__(
        self,
        size: int | None = None,
        cache: ChunkCache | None | bool = True,
        log_dir: Path | None = None,
        env: dict[str, str] | None = None,
        *,
        chunk_frames: int | None = None,
        stall_seconds: float | None = None,
        first_frame_seconds: float | None = None,
        memory_limit_mb: int | None = None,
    ):
        """Every setting defaults from the environment (docs/running.md lists the variables)."""
        self.size = size or default_pool_size()
        self.cache = ChunkCache.from_env() if cache is True else (cache or None)
        self.log_dir = log_dir or REPO_ROOT / ".cache/render-pool"
        self.log = WorkerLog(self.log_dir / "workers.log")
        self.log_path = self.log.path
        self.env = {**os.environ, **(env or {})}
        # A chunk must show a new frame this often, and its first within first_frame_seconds (page
        # load, and the browser's launch for a process's first chunk): together under 60 s.
        self.stall_seconds = stall_seconds or _env_number("FRAMECAST_STALL_SECONDS", 20)
        self.first_frame_seconds = first_frame_seconds or _env_number("FRAMECAST_FIRST_FRAME_SECONDS", 40)
        self.memory_limit_bytes = (memory_limit_mb or int(_env_number("FRAMECAST_RENDER_MEMORY_MB", 1280))) << 20
        self.chunk_frames = chunk_frames or chunk_frames_from_env()
        self.processes = [WorkerProcess(i, self.log, self.env) for i in range(self.size)]
        self.info: ReadyEvent | None = None
        self.renderer: Renderer | None = None  # what renders: part of every chunk's key
        self.replaced = 0  # processes started again after dying or being killed
        self._cond = threading.Condition()
        self._scheduler: Scheduler[_Task] = Scheduler()
        self._runs: dict[str, _Run] = {}
        self._cancelled_early: set[str] = set()
        self._stills: dict[int, int] = {}  # stills in flight, by process index
        self._started = False
        self._closed = False
        self._start_lock = threading.Lock()

    # --- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> "RenderPool":
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def start(self) -> None:
        """Start every process at once. Each makes sure the bundle is built: on a machine where it
        is not yet (make setup builds it), they build it side by side and the first one renamed
        into place wins (bundle.mjs); everywhere else no process waits for another to start."""
        with self._start_lock:
            if self._started:
                return
            if self._closed:
                raise RenderFailed("the render pool is closed", ours=True)
            errors: list[RenderFailed] = []

            def spawn(process: WorkerProcess) -> None:
                try:
                    process.spawn()
                except RenderFailed as error:
                    errors.append(error)

            starters = [threading.Thread(target=spawn, args=(p,)) for p in self.processes]
            for starter in starters:
                starter.start()
            for starter in starters:
                starter.join()
            if errors:
                for process in self.processes:
                    process.kill()
                raise errors[0]
            info = self.info = self.processes[0].info
            assert info is not None
            self.renderer = Renderer.of(info, site_data_fingerprint(SITE_PUBLIC))
            for process in self.processes:
                threading.Thread(
                    target=self._serve, args=(process,), daemon=True, name=f"render-pool-{process.index}"
                ).start()
            threading.Thread(target=self._watch_renders, daemon=True, name="render-pool-renders").start()
            threading.Thread(
                target=watch_memory,
                args=(self.processes, self.memory_limit_bytes, self._scenes_on, lambda: self._closed),
                daemon=True,
                name="render-pool-memory",
            ).start()
            self._started = True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            dropped = self._scheduler.drop_all()
            self._cond.notify_all()
        for run in {id(task.run): task.run for tasks in dropped.values() for task in tasks}.values():
            self._fail(run, RenderFailed("the render pool was closed", cancelled=True))
        for process in self.processes:
            process.close()
        self.log.close()

    # --- rendering --------------------------------------------------------------------------

    def render(self, job: RenderJob, on_progress: Callable[[float], None] | None = None) -> RenderResult:
        """Render and wait; on_progress gets 0.0-1.0 (never going down) as chunks are made and joined."""
        started = time.monotonic()
        self.start()
        assert self.renderer is not None
        props, settings = job.input_props, job.settings
        durations = [scene["durationInFrames"] for scene in props["scenes"]]
        chunks = keyed_chunks(
            plan_chunks(durations, settings.every_nth_frame, self.chunk_frames), props, settings, self.renderer
        )
        scratch = self.cache.scratch if self.cache else None
        workdir = Path(tempfile.mkdtemp(prefix=f"render-{job.id}-", dir=scratch))
        run = _Run(job, chunks, workdir, on_progress)
        if job.time_budget_seconds is not None:
            run.deadline = started + job.time_budget_seconds
        try:
            with self._cond:
                if job.id in self._cancelled_early:
                    self._cancelled_early.discard(job.id)
                    raise RenderFailed("the render was cancelled", cancelled=True)
                self._runs[job.id] = run
            self._take_cached(run)
            self._report(run)
            with self._cond:
                longest_first = sorted(chunks, key=lambda c: c.start - c.end)  # an even finish
                tasks = [self._task(run, chunk) for chunk in longest_first if chunk.index not in run.files]
                self._scheduler.add(job.id, job.owner, tasks)
                if len(run.files) == len(chunks):
                    run.done.set()
                self._rebalance()
                self._cond.notify_all()
            run.done.wait()
            if run.failure:
                raise run.failure
            size = join(
                job,
                chunks,
                run.files,
                workdir,
                lambda: self._alive_process(within=_REPLACEMENT_SECONDS),
                list(run.warnings),
            )
            self._report(run, 1.0)
            return RenderResult(
                output_path=Path(job.output_path),
                size_bytes=size,
                warnings=list(run.warnings),
                duration_in_frames=sum(durations),
                width=settings.width,
                height=settings.height,
                render_seconds=time.monotonic() - started,
                chunks_total=len(chunks),
                chunks_cached=run.cached,
            )
        finally:
            with self._cond:
                self._runs.pop(job.id, None)
            shutil.rmtree(workdir, ignore_errors=True)
            self.log.end(job.id)

    def cancel(self, job_id: str) -> None:
        with self._cond:
            run = self._runs.get(job_id)
            if run is None:
                self._cancelled_early.add(job_id)
                return
        self._fail(run, RenderFailed("the render was cancelled", cancelled=True, warnings=list(run.warnings)))

    def _task(self, run: _Run, chunk: Chunk) -> _Task:
        ext = CHUNK_EXTENSIONS[run.job.settings.codec]
        base = run.workdir / f"chunk-{chunk.index:04d}"
        audio = base.with_suffix(".wav") if run.job.settings.codec != "gif" else None
        return _Task(run, chunk, f"{run.job.id}/chunk-{chunk.index}-{next(_ids)}", base.with_suffix(f".{ext}"), audio)

    def _take_cached(self, run: _Run) -> None:
        if self.cache is None:
            return
        for chunk in run.chunks:
            hit = self.cache.get(chunk.key, run.workdir)
            if hit is not None:
                run.files[chunk.index] = (hit.video, hit.audio)
                run.warnings.update(dict.fromkeys(hit.warnings))
                run.cached += 1

    def _report(self, run: _Run, fraction: float | None = None) -> None:
        if fraction is None:
            done = sum(c.end - c.start for c in run.chunks if c.index in run.files)
            done += sum(run.in_flight.values())
            fraction = 0.97 * done / run.total_frames  # the rest is the join
        if fraction > run.reported:
            run.reported = fraction
            if run.on_progress:
                run.on_progress(fraction)

    def _fail(self, run: _Run, failure: RenderFailed) -> None:
        with self._cond:
            if run.ended():
                return
            run.failure = failure
            self._scheduler.drop(run.job.id)
            running = list(run.running.values())
            run.done.set()
        for task, process in running:
            process.send(cancel_command(task.id))

    # --- the processes ----------------------------------------------------------------------

    def _next_task(self, process: WorkerProcess, finishing: _Task | None) -> _Task | None:
        """The scheduler's next chunk for a process. While the process still finishes the encode of
        `finishing`, only a chunk of that same render, else it waits. None when the pool closes or
        the process died while idle."""
        with self._cond:
            while not self._closed:
                if not process.alive():
                    return None
                only = (
                    finishing.run.job.id
                    if finishing is not None and not finishing.finished.is_set() and not finishing.preempted
                    else None
                )
                taken = self._scheduler.take(only)
                if taken is not None:
                    task = taken.item
                    task.last = taken.last
                    task.started = time.monotonic()
                    task.run.first_chunk_at = task.run.first_chunk_at or task.started
                    task.run.running[task.id] = (task, process)
                    self._rebalance()
                    return task
                self._cond.wait(timeout=1)
            return None

    def _serve(self, process: WorkerProcess) -> None:
        """Feeds one process. Remotion encodes an h264-ts chunk after its last capture (a second or
        more), and the next chunk's pages take about as long to load: so the next chunk starts when
        the last one's frames are all captured, and the two overlap.
        At most two chunks are on a process: one rendering, one finishing."""
        finishing: tuple[_Task, threading.Thread] | None = None
        while not self._closed:
            if not process.alive():
                if finishing is not None:
                    finishing[1].join()  # its end (and kill) belongs to the process that died
                    finishing = None
                if not replace(process):
                    time.sleep(2)
                    continue
                self.replaced += 1
            task = self._next_task(process, finishing[0] if finishing else None)
            if task is None:
                continue
            runner = threading.Thread(
                target=self._run_and_release,
                args=(task, process),
                daemon=True,
                name=f"render-pool-{process.index}-task",
            )
            runner.start()
            task.captured.wait()
            if finishing is not None:
                finishing[1].join()
            finishing = (task, runner)

    def _run_and_release(self, task: _Task, process: WorkerProcess) -> None:
        """A chunk from start to end; however it ends, its process is free for any render's chunk."""
        try:
            self._run_task(task, process)
        finally:
            with self._cond:
                self._scheduler.done(task.run.job.id)
                task.finished.set()
                self._rebalance()
                self._cond.notify_all()
            task.captured.set()

    def _run_task(self, task: _Task, process: WorkerProcess) -> None:
        run, chunk, every_nth = task.run, task.chunk, task.run.job.settings.every_nth_frame
        dispatched = time.monotonic()
        first_frame_at: float | None = None

        def on_rendered(rendered: int) -> None:
            nonlocal first_frame_at
            first_frame_at = first_frame_at or time.monotonic()
            with self._cond:
                run.in_flight[chunk.index] = min(chunk.end - chunk.start, rendered * every_nth)
            if rendered >= chunk.captures(every_nth):
                task.captured.set()
            self._report(run)

        command = chunk_command(task.id, run.job, chunk, run.total_frames, task.video_path, task.audio_path, task.last)
        try:
            outcome = follow_chunk(
                process,
                command,
                StallWatch(self.first_frame_seconds, self.stall_seconds, dispatched),
                chunk.scenes_label(),
                on_rendered,
                lambda: run.ended() or task.preempted,
            )
        finally:
            with self._cond:
                run.running.pop(task.id, None)
                run.clock.add(chunk, time.monotonic() - dispatched, run.in_flight.pop(chunk.index, 0))
        logger.info(
            "chunk %s (frames %s-%s) on worker %s: first frame after %.1f s, done in %.1f s: %s",
            chunk.index,
            chunk.start,
            chunk.end - 1,
            process.index,
            (first_frame_at or time.monotonic()) - dispatched,
            time.monotonic() - dispatched,
            outcome["type"],
        )
        self._finish_task(task, process, outcome)

    def _finish_task(self, task: _Task, process: WorkerProcess, outcome: Event | ExitEvent) -> None:
        run, chunk = task.run, task.chunk
        if outcome["type"] == "chunk-done":
            video = Path(outcome["videoPath"])
            audio = Path(outcome["audioPath"]) if outcome["audioPath"] else None
            if audio is not None and is_silent(audio):
                audio = None
            if self.cache is not None:
                try:
                    self.cache.put(chunk.key, video, audio, outcome["warnings"])
                except OSError:
                    logger.exception("could not keep chunk %s in the cache", chunk.key)
            with self._cond:
                run.files[chunk.index] = (video, audio)
                run.warnings.update(dict.fromkeys(outcome["warnings"]))
                if len(run.files) == len(run.chunks) and not run.ended():
                    run.done.set()
            self._report(run)
            return
        ended = outcome if outcome["type"] in ("exit", "error") else _unexpected(outcome)
        if ended["type"] == "exit":
            process.kill()  # replaced by its serving thread before it takes another chunk
        with self._cond:
            # The pool's own decision, never the worker's word: a kill for the scene's fault still fails.
            if task.requeue and process.kill_reason is None and not run.ended():
                self._scheduler.requeue(run.job.id, self._task(run, chunk))
                logger.info("chunk %s of %s queued again: its process went to another owner", chunk.index, run.job.id)
                return
        # A run its user cancelled, or that failed elsewhere, has its end already: _fail keeps the first.
        self._fail(run, chunk_failure(ended, process.kill_reason, chunk.scenes_label(), list(run.warnings)))
        if ended["type"] == "error" and any(sign in ended["message"] for sign in BROKEN_BROWSER):
            # Replaced by its serving thread before it takes another chunk. Killed only after the
            # render's end is decided: a chunk of it still on this process would otherwise see its
            # process die first and fail the render as ours, on the scene's words.
            process.kill()

    def _rebalance(self) -> None:
        """Take a process back from an owner over its share while another owner waits (scheduler.py
        decides who). Called with the lock held, whenever chunks are queued, taken or done; the
        chunk's follower sends the cancel."""
        holding: dict[str, set[int]] = {}
        for run in self._runs.values():
            for task, process in run.running.values():
                if not task.preempted:
                    holding.setdefault(run.job.owner, set()).add(process.index)
        busy = set().union(*holding.values())
        free = sum(1 for process in self.processes if process.alive() and process.index not in busy)
        owner = owner_over_share(
            {name: len(held) for name, held in holding.items()}, self._scheduler.owners_waiting(), free
        )
        if owner is None:
            return
        # Its youngest chunk still capturing loses the least work; one only encoding frees its process soon.
        candidates = [
            (task, process)
            for run in self._runs.values()
            if run.job.owner == owner and not run.ended()
            for task, process in run.running.values()
            if not task.preempted and not task.captured.is_set()
        ]
        if not candidates:
            return
        task, process = max(candidates, key=lambda candidate: candidate[0].started)
        task.preempted = True
        for other, holder in task.run.running.values():
            if holder is process:
                other.requeue = True
        # Its process takes the waiting owner's chunk now, beside the cancel: a page held by a slow
        # frame can take a second to close, and the waiting export should not wait for it.
        task.captured.set()
        self._cond.notify_all()
        logger.info(
            "chunk %s of %s gives worker %s back to a waiting owner", task.chunk.index, task.run.job.id, process.index
        )

    def _watch_renders(self) -> None:
        """Fail every render still rendering past its deadline, naming the scene that spent its time;
        set each process's CPU priority by the age of the render it serves."""
        while not self._closed:
            now = time.monotonic()
            late: list[tuple[_Run, str]] = []
            nice: dict[int, int] = {}
            with self._cond:
                for run in self._runs.values():
                    senior = run.first_chunk_at is not None and now - run.first_chunk_at > SENIOR_AFTER_SECONDS
                    for _, process in run.running.values():
                        nice[process.index] = max(nice.get(process.index, 0), SENIOR_NICE if senior else 0)
                for index, stills in self._stills.items():
                    if stills:
                        nice[index] = 0
                for run in self._runs.values():
                    if run.deadline is None or now <= run.deadline or run.ended():
                        continue
                    assert run.job.time_budget_seconds is not None
                    running = [
                        (task.chunk, now - task.started, run.in_flight.get(task.chunk.index, 0))
                        for task, _ in run.running.values()
                    ]
                    late.append((run, over_budget_reason(run.job.time_budget_seconds, run.clock.with_running(running))))
            for run, reason in late:
                # Our watchdog's reason, and so the scene's failure (ours=False): the budget is stated
                # up front, and only the scene's own work decides how fast its frames come.
                self._fail(run, RenderFailed(reason, warnings=list(run.warnings)))
            for process in self.processes:
                process.set_cpu_nice(nice.get(process.index, 0))
            time.sleep(0.5)

    def _scenes_on(self, process: WorkerProcess) -> str:
        """The scenes a process renders now: the chunk still capturing, before one only encoding."""
        with self._cond:
            tasks = [task for run in self._runs.values() for task, owner in run.running.values() if owner is process]
        tasks.sort(key=lambda task: task.captured.is_set())
        return tasks[0].chunk.scenes_label() if tasks else "a render"

    def _alive_process(self, within: float) -> WorkerProcess | None:
        """A live process, waiting for the serving loops to replace killed ones (they look every second).
        One whose browser serves a long render (lowered priority) last: a still there waits on it."""
        deadline = time.monotonic() + within
        while not self._closed:
            process = min((p for p in self.processes if p.alive()), key=lambda p: p.cpu_nice, default=None)
            if process is not None or time.monotonic() > deadline:
                return process
            time.sleep(0.25)
        return None

    # --- stills -----------------------------------------------------------------------------

    def still(self, job: StillJob, timeout: float = 60) -> Path:
        """One frame of the composition as a JPEG (an export's thumbnail), on any live process, beside
        its chunk. A still that makes nothing in `timeout` is cancelled, then its process killed."""
        self.start()
        command = still_command(f"{job.id}/still-{next(_ids)}", job)
        process = self._alive_process(within=_REPLACEMENT_SECONDS)
        if process is None:
            raise RenderFailed("no render worker was there to make the still", ours=True)
        events = process.open_route(command["id"])
        event: Event | ExitEvent
        # A still is one frame that a user waits for (its export is done): its browser keeps the
        # normal priority while it renders, even beside a long render's chunk.
        with self._cond:
            self._stills[process.index] = self._stills.get(process.index, 0) + 1
        process.set_cpu_nice(0)
        try:
            if not process.send(command):
                raise RenderFailed("the render worker went away before the still", ours=True)
            try:
                event = events.get(timeout=timeout)
            except queue.Empty:
                # Cancelled first: the process may be rendering another user's chunk beside it.
                process.send(cancel_command(command["id"]))
                try:
                    event = events.get(timeout=10)
                except queue.Empty:
                    process.kill()  # a page that ignores its cancel (a stuck scene): ours, nobody is billed
                    event = _error(f"it made nothing in {timeout:.0f} s")
        finally:
            with self._cond:
                self._stills[process.index] -= 1
            process.close_route(command["id"])
            self.log.end(job.id)
        if event["type"] == "still-done":
            return Path(event["outputPath"])
        why = event["message"] if event["type"] in ("error", "fatal") else event["type"]
        raise RenderFailed(f"the still could not be made: {why}")


def _error(message: str) -> ErrorEvent:
    return {"type": "error", "id": None, "message": message, "cancelled": False, "infra": False, "warnings": []}


def _unexpected(event: Event | ExitEvent) -> ErrorEvent:
    """An event no chunk ends with (a worker's bug): the chunk fails as ours."""
    error = _error(f"the render worker answered a chunk with a {event['type']} event")
    error["infra"] = True
    return error
