"""The render pool: N worker processes, each with its own Chromium, shared by every render.

An export is cut into chunks along scene boundaries (chunks.py); chunks found in the chunk cache
are taken from it, the others are rendered by whichever process is free, and the files are joined
with Remotion's combineChunks(). The CLI and the local service both render through this class.

Faults, by whose they are (RenderFailed.ours):
- a chunk that makes no frame for FRAMECAST_STALL_SECONDS (an endless loop, a navigation away,
  a delayRender() never cleared) or whose process tree grows past FRAMECAST_RENDER_MEMORY_MB:
  its process is killed and replaced, the render fails naming the scene: the scene's;
- a process that dies otherwise: the render whose chunk it ran fails as ours; chunks still queued
  (this render's or others') are not lost, as the queue lives here, and go to the next process.
Renders share the processes fairly: a free process takes a chunk of the render that has the fewest
chunks running, so one long or stuck export does not hold back the others.
"""

import itertools
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from render.chunk_cache import ChunkCache
from render.chunks import Chunk, chunk_frames_from_env, keyed_chunks, plan_chunks, site_data_fingerprint
from render.jobs import RenderFailed, RenderJob, RenderResult, StillJob
from render.process import EXIT, REPO_ROOT, WorkerProcess, _parent_map

logger = logging.getLogger(__name__)
SITE_PUBLIC = REPO_ROOT / "remotion_site/public"
AUDIO_RATE, AUDIO_CHANNELS = 48000, 2  # what Remotion writes for pcm-16
CHUNK_EXTENSIONS = {"h264": "ts", "gif": "ts", "vp8": "webm", "vp9": "webm"}
# Browser disconnects that leave the process unable to render: it is replaced after them.
BROKEN_BROWSER = ("Target closed", "Browser closed", "browser has disconnected", "Session closed", "Connection closed")
_ids = itertools.count(1)


# How long a join waits for a worker when every one was killed at once (a replacement starts Node,
# not Chromium, so this is generous).
_REPLACEMENT_SECONDS = 60.0


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _silent(wav: Path) -> bool:
    with wave.open(str(wav), "rb") as audio:
        return not audio.readframes(audio.getnframes()).strip(b"\0")


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
    # Nothing was queued behind it when its process took it: no next chunk will capture beside its
    # encoder, which may then use every core (worker.mjs).
    last: bool = False


@dataclass
class _Run:
    job: RenderJob
    seq: int
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
        self.log_path = self.log_dir / "worker-0.log"
        self.env = {**os.environ, **(env or {})}
        # A chunk must show a new frame this often, and its first within first_frame_seconds (page
        # load, and the browser's launch for a process's first chunk): together under 60 s.
        self.stall_seconds = stall_seconds or _env_number("FRAMECAST_STALL_SECONDS", 20)
        self.first_frame_seconds = first_frame_seconds or _env_number("FRAMECAST_FIRST_FRAME_SECONDS", 40)
        self.memory_limit_bytes = (memory_limit_mb or int(_env_number("FRAMECAST_RENDER_MEMORY_MB", 1280))) << 20
        self.chunk_frames = chunk_frames or chunk_frames_from_env()
        self.processes = [WorkerProcess(i, self.log_dir / f"worker-{i}.log", self.env) for i in range(self.size)]
        self.info: dict = {}
        self.replaced = 0  # processes started again after dying or being killed
        self._cond = threading.Condition()
        self._queue: list[_Task] = []
        self._runs: dict[str, _Run] = {}
        self._cancelled_early: set[str] = set()
        self._started = False
        self._closed = False
        self._start_lock = threading.Lock()
        self._seq = itertools.count()

    # --- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> "RenderPool":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Start every process at once. Each makes sure the bundle is built: on a machine where it
        is not yet (make setup builds it), they build it side by side and the first one renamed
        into place wins (worker.mjs); everywhere else no process waits for another to start."""
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
            self.info = self.processes[0].info
            self.site_data = site_data_fingerprint(SITE_PUBLIC)
            for process in self.processes:
                threading.Thread(
                    target=self._serve, args=(process,), daemon=True, name=f"render-pool-{process.index}"
                ).start()
            threading.Thread(target=self._watch_memory, daemon=True, name="render-pool-memory").start()
            self._started = True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            pending = [task.run for task in self._queue]
            self._queue.clear()
            self._cond.notify_all()
        for run in pending:
            self._fail(run, RenderFailed("the render pool was closed", cancelled=True))
        for process in self.processes:
            process.close()

    # --- rendering --------------------------------------------------------------------------

    def render(self, job: RenderJob, on_progress: Callable[[float], None] | None = None) -> RenderResult:
        """Render and wait; on_progress gets 0.0-1.0 (never going down) as chunks are made and joined."""
        started = time.monotonic()
        self.start()
        props, settings = job.input_props, job.settings
        durations = [scene["durationInFrames"] for scene in props["scenes"]]
        chunks = keyed_chunks(
            plan_chunks(durations, settings.every_nth_frame, self.chunk_frames),
            props,
            settings,
            self.info["bundleHash"],
            self.site_data,
        )
        scratch = self.cache.scratch if self.cache else None
        workdir = Path(tempfile.mkdtemp(prefix=f"render-{job.id}-", dir=scratch))
        run = _Run(job, next(self._seq), chunks, workdir, on_progress)
        try:
            with self._cond:
                if job.id in self._cancelled_early:
                    self._cancelled_early.discard(job.id)
                    raise RenderFailed("the render was cancelled", cancelled=True)
                self._runs[job.id] = run
            self._take_cached(run)
            self._report(run)
            with self._cond:
                for chunk in sorted(chunks, key=lambda c: c.start - c.end):  # longest first: even finish
                    if chunk.index not in run.files:
                        self._queue.append(self._task(run, chunk))
                if len(run.files) == len(chunks):
                    run.done.set()
                self._cond.notify_all()
            run.done.wait()
            if run.failure:
                raise run.failure
            size = self._combine(run)
            self._report(run, 1.0)
            frames = sum(durations)
            return RenderResult(
                output_path=Path(job.output_path),
                size_bytes=size,
                warnings=list(run.warnings),
                duration_in_frames=frames,
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
            self._queue = [task for task in self._queue if task.run is not run]
            running = list(run.running.values())
            run.done.set()
        for task, process in running:
            process.send({"type": "cancel", "id": task.id})

    # --- the processes ----------------------------------------------------------------------

    def _next_task(self, process: WorkerProcess, finishing: _Task | None = None) -> _Task | None:
        """The next chunk for a process: from the render with the fewest chunks running, the oldest
        first. While the process still finishes the encode of `finishing`, only a chunk of that same
        render: a kill for one scene's fault then never ends another user's chunk. None when the
        pool closes or the process died while idle."""
        with self._cond:
            while not self._closed:
                if not process.alive():
                    return None
                queued = self._queue
                if finishing is not None and not finishing.finished.is_set():
                    queued = [task for task in queued if task.run is finishing.run]
                if queued:
                    task = min(queued, key=lambda t: (len(t.run.running), t.run.seq))
                    self._queue.remove(task)
                    task.last = not self._queue
                    task.run.running[task.id] = (task, process)
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
                try:
                    process.kill()
                    process.spawn()
                    self.replaced += 1
                except RenderFailed:
                    logger.exception("render worker %s could not be started again", process.index)
                    time.sleep(2)
                    continue
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

    def _run_task(self, task: _Task, process: WorkerProcess) -> None:
        run, chunk, settings = task.run, task.chunk, task.run.job.settings
        events = process.open_route(task.id)
        sent = process.send(
            {
                "type": "chunk",
                "id": task.id,
                "inputProps": run.job.input_props,
                "composition": {
                    "width": settings.width,
                    "height": settings.height,
                    "fps": 30,
                    "durationInFrames": run.total_frames,
                },
                "codec": settings.codec,
                "crf": settings.crf,
                "jpegQuality": settings.jpeg_quality,
                "everyNthFrame": settings.every_nth_frame,
                "frameRange": list(chunk.frame_range),
                "lastChunk": task.last,
                "videoPath": str(task.video_path),
                "audioPath": str(task.audio_path) if task.audio_path else None,
            }
        )
        outcome: dict | None = None
        dispatched = last_news = time.monotonic()
        first_frame_at = None
        window = self.first_frame_seconds
        cancel_sent_at: float | None = None
        try:
            while sent and outcome is None:
                try:
                    event = events.get(timeout=0.5)
                except queue.Empty:
                    event = None
                now = time.monotonic()
                if event is None:
                    pass
                elif event["type"] == "progress":
                    first_frame_at = first_frame_at or now
                    last_news, window = now, self.stall_seconds
                    with self._cond:
                        run.in_flight[chunk.index] = min(
                            chunk.end - chunk.start, event["rendered"] * settings.every_nth_frame
                        )
                    if event["rendered"] >= chunk.captures(settings.every_nth_frame):
                        task.captured.set()
                    self._report(run)
                else:
                    outcome = event
                    break
                if run.ended() and cancel_sent_at is None:
                    cancel_sent_at = now  # the render failed elsewhere or was cancelled
                    process.send({"type": "cancel", "id": task.id})
                elif cancel_sent_at is not None and now - cancel_sent_at > 15:
                    process.kill()  # a cancel it cannot act on (a stuck page): ours, nobody is billed
                elif cancel_sent_at is None and now - last_news > window:
                    process.kill(
                        f"{chunk.scenes_label()} stopped making frames: none in {window:.0f} s "
                        "(an endless loop, a navigation away, or a delayRender() never cleared); "
                        "the render was stopped"
                    )
        finally:
            process.close_route(task.id)
            with self._cond:
                run.running.pop(task.id, None)
                run.in_flight.pop(chunk.index, None)
        if not sent:
            outcome = EXIT
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

    def _run_and_release(self, task: _Task, process: WorkerProcess) -> None:
        """A chunk from start to end; however it ends, its process is free for any render's chunk."""
        try:
            self._run_task(task, process)
        finally:
            with self._cond:
                task.finished.set()
                self._cond.notify_all()
            task.captured.set()

    def _finish_task(self, task: _Task, process: WorkerProcess, outcome: dict) -> None:
        run, chunk = task.run, task.chunk
        if outcome["type"] == "chunk-done":
            video = Path(outcome["videoPath"])
            audio = Path(outcome["audioPath"]) if outcome.get("audioPath") else None
            if audio is not None and _silent(audio):
                audio = None  # Remotion writes a silent track for frames with no sound at all
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
        if outcome is EXIT or outcome["type"] == "exit":
            process.kill()
            if run.ended():
                return
            reason = process.kill_reason
            if reason is not None:
                self._fail(run, RenderFailed(reason, warnings=list(run.warnings)))
            else:
                self._fail(
                    run,
                    RenderFailed(
                        f"a render worker process died while rendering {chunk.scenes_label()}; "
                        "it has been replaced (our failure, not the scene's)",
                        warnings=list(run.warnings),
                        ours=True,
                    ),
                )
            return
        message = outcome.get("message", "unknown error")
        # Cancelled by the user or failed elsewhere, the run's end is decided already. The worker's
        # own `cancelled` flag is not read: it is a match on the error's text, which a scene writes
        # (a render taken for cancelled gets no webhook, and the sweeper would end it refunded).
        if not run.ended():
            warnings = list(run.warnings) + list(outcome.get("warnings", []))
            self._fail(
                run,
                RenderFailed(
                    f"{chunk.scenes_label()} could not be rendered: {message}",
                    warnings=warnings,
                    # Set by worker.mjs only where its own steps failed (the browser's launch), never
                    # from an error's text.
                    ours=bool(outcome.get("infra")),
                ),
            )
        if any(sign in message for sign in BROKEN_BROWSER):
            # Replaced by its serving thread before it takes another chunk. Killed only after the
            # render's end is decided: a chunk of it still on this process would otherwise see its
            # process die first and fail the render as ours, on the scene's words.
            process.kill()

    def _watch_memory(self) -> None:
        while not self._closed:
            parents = _parent_map()
            for process in self.processes:
                used = process.memory_bytes(self.memory_limit_bytes, parents)
                if used > self.memory_limit_bytes and process.alive():
                    scenes = self._scenes_on(process)
                    process.kill(
                        f"{scenes} used more than {self.memory_limit_bytes >> 20} MiB of memory "
                        "(the per-render cap); the render was stopped"
                    )
            time.sleep(0.5)

    def _scenes_on(self, process: WorkerProcess) -> str:
        """The scenes a process renders now: the chunk still capturing, before one only encoding."""
        with self._cond:
            tasks = [task for run in self._runs.values() for task, owner in run.running.values() if owner is process]
        tasks.sort(key=lambda task: task.captured.is_set())
        return tasks[0].chunk.scenes_label() if tasks else "a render"

    # --- joining ----------------------------------------------------------------------------

    def _audio_files(self, run: _Run) -> list[str]:
        """The chunks' audio, or none when no chunk has any (as a single pass has no audio track).
        A silent chunk beside chunks with sound gets silence of its exact length."""
        if not any(audio for _, audio in run.files.values()):
            return []
        files = []
        for chunk in run.chunks:
            audio = run.files[chunk.index][1]
            if audio is None:
                audio = run.workdir / f"silence-{chunk.index:04d}.wav"
                with wave.open(str(audio), "wb") as out:
                    out.setnchannels(AUDIO_CHANNELS)
                    out.setsampwidth(2)
                    out.setframerate(AUDIO_RATE)
                    out.writeframes(bytes(4 * (chunk.end - chunk.start) * AUDIO_RATE // 30))
            files.append(str(audio))
        return files

    def _alive_process(self, within: float) -> WorkerProcess | None:
        """A live process, waiting for the serving loops to replace killed ones (they look every second)."""
        deadline = time.monotonic() + within
        while not self._closed:
            process = next((p for p in self.processes if p.alive()), None)
            if process is not None or time.monotonic() > deadline:
                return process
            time.sleep(0.25)
        return None

    def still(self, job: StillJob, timeout: float = 60) -> Path:
        """One frame of the composition as a JPEG (an export's thumbnail), on any live process, beside
        its chunk. A still that makes nothing in `timeout` is cancelled, then its process killed."""
        self.start()
        props = job.input_props
        command = {
            "type": "still",
            "id": f"{job.id}/still-{next(_ids)}",
            "inputProps": props,
            "composition": {
                "width": props["width"],
                "height": props["height"],
                "fps": 30,
                "durationInFrames": sum(scene["durationInFrames"] for scene in props["scenes"]),
            },
            "frame": job.frame,
            "scale": job.scale,
            "jpegQuality": job.jpeg_quality,
            "outputPath": str(Path(job.output_path).resolve()),
        }
        process = self._alive_process(within=_REPLACEMENT_SECONDS)
        if process is None:
            raise RenderFailed("no render worker was there to make the still", ours=True)
        events = process.open_route(command["id"])
        try:
            if not process.send(command):
                raise RenderFailed("the render worker went away before the still", ours=True)
            try:
                event = events.get(timeout=timeout)
            except queue.Empty:
                # Cancelled first: the process may be rendering another user's chunk beside it.
                process.send({"type": "cancel", "id": command["id"]})
                try:
                    event = events.get(timeout=10)
                except queue.Empty:
                    process.kill()  # a page that ignores its cancel (a stuck scene): ours, nobody is billed
                    event = {"type": "error", "message": f"it made nothing in {timeout:.0f} s"}
        finally:
            process.close_route(command["id"])
        if event["type"] != "still-done":
            raise RenderFailed(f"the still could not be made: {event.get('message', event['type'])}")
        return Path(event["outputPath"])

    def _combine(self, run: _Run) -> int:
        settings = run.job.settings
        command = {
            "type": "combine",
            "id": f"{run.job.id}/combine-{next(_ids)}",
            "codec": settings.codec,
            "fps": settings.fps,
            "everyNthFrame": settings.every_nth_frame,
            "durationInFrames": run.total_frames,
            "videoFiles": [str(run.files[c.index][0]) for c in run.chunks],
            "audioFiles": self._audio_files(run),
            "outputPath": str(Path(run.job.output_path).resolve()),
        }
        for _attempt in range(2):  # a process that dies under the join: once more on another
            process = self._alive_process(within=_REPLACEMENT_SECONDS)
            if process is None:
                break
            events = process.open_route(command["id"])
            try:
                if not process.send(command):
                    continue
                event = events.get()
            finally:
                process.close_route(command["id"])
            if event["type"] == "combined":
                return event["sizeBytes"]
            if event["type"] == "error":
                raise RenderFailed(
                    f"the chunks could not be joined: {event['message']}", warnings=list(run.warnings), ours=True
                )
        raise RenderFailed("no render worker was there to join the chunks", warnings=list(run.warnings), ours=True)
