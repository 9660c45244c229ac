"""One process of the render pool: `node worker.mjs` (and the Chromium it launches), over JSON lines.

The process is watched from outside: its whole tree (Chromium runs in its own process group, so
the tree is followed through /proc, not by group) is measured for memory and killed whole.
"""

import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from functions import REPO_ROOT
from render.jobs import RenderFailed
from render.protocol import EXIT, Command, Event, ExitEvent, ReadyEvent, parse_event
from render.worker_log import WorkerLog

WORKER_SCRIPT = Path(__file__).with_name("worker") / "worker.mjs"
# The first start may bundle the site (about 10-60 s); later starts reuse the cached bundle.
READY_TIMEOUT_SECONDS = 300
# What a task waits on: the worker's events for it, then EXIT if the process goes.
Events = queue.Queue[Event | ExitEvent]


def _parent_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                # The command name may hold spaces and parentheses: fields follow the last ')'.
                parents[int(name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return parents


def start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot): tells a pid from a later reuse of it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _session(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[3])
    except (OSError, IndexError, ValueError):
        return None


def descendants(root: int, parents: dict[int, int] | None = None) -> list[int]:
    parents = _parent_map() if parents is None else parents
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes(pid: int) -> int:
    """Resident set size, from counters the kernel keeps: cheap to read, and never below the PSS
    (it counts every shared page whole in each process)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size: shared pages (Chromium's processes share many) counted once overall."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class WorkerProcess:
    def __init__(self, index: int, log: WorkerLog, env: dict[str, str]):
        self.index = index
        self.log = log
        self.log_path = log.path
        self.env = env
        self.process: subprocess.Popen[str] | None = None
        self.info: ReadyEvent | None = None
        # Last seen descendants (pid: start time), killed too if the process dies before them.
        self.tree: dict[int, int | None] = {}
        self.kill_reason: str | None = None  # set when the pool kills it for the scene's fault
        self.cpu_nice = 0  # its sessions' autogroup nice (set_cpu_nice)
        # Each process started has its own routes: a process that dies ends only what was sent to it.
        self._routes: dict[str, Events] = {}
        self._control: Events = queue.Queue()
        self._write_lock = threading.Lock()
        # Held while the process is replaced, and while a dead one's tree is ended: the reader of a
        # process that died must never end the tree of the one that replaced it.
        self._life_lock = threading.Lock()
        # The process's own TMPDIR: what Remotion and Chromium leave there when they are killed
        # (each render's asset dirs, each browser's profile, several MB) goes with the process.
        self.tmp_dir: Path | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def spawn(self) -> ReadyEvent:
        node = shutil.which("node", path=self.env.get("PATH"))
        if node is None:
            raise RenderFailed("node was not found on PATH: the local renderer needs Node 20 or newer", ours=True)
        self.kill_reason = None
        self.cpu_nice = 0  # a new process starts in new sessions, at the default priority
        with self._life_lock:
            self._control, self._routes, self.tree = queue.Queue(), {}, {}
            self._remove_tmp_dir()  # the last process's, which is dead: spawn follows its kill
            self.tmp_dir = Path(tempfile.mkdtemp(prefix=f"framecast-worker-{self.index}-"))
            self.process = subprocess.Popen(
                [node, str(WORKER_SCRIPT)],
                cwd=REPO_ROOT,
                env={**self.env, "TMPDIR": str(self.tmp_dir)},
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                # Through the pool's log: tagged by render, held to each render's budget, rotated.
                stderr=subprocess.PIPE,
                # Its own session: a Ctrl-C or SIGTERM to the terminal's group reaches the stack, which
                # ends its renders by the rule and closes the workers, not the workers first.
                start_new_session=True,
            )
        assert self.process.stderr is not None
        threading.Thread(
            target=self.log.pump,
            args=(f"worker-{self.index}", self.process.stderr),
            daemon=True,
            name=f"render-worker-{self.index}-log",
        ).start()
        threading.Thread(
            target=self._read_events,
            args=(self.process, self._control, self._routes),
            daemon=True,
            name=f"render-worker-{self.index}-events",
        ).start()
        try:
            ready = self._control.get(timeout=READY_TIMEOUT_SECONDS)
        except queue.Empty:
            self.kill()
            raise RenderFailed(
                f"a render worker did not start in {READY_TIMEOUT_SECONDS} s; see {self.log_path}", ours=True
            ) from None
        if ready["type"] != "ready":
            self.kill()
            why = ready["message"] if ready["type"] in ("fatal", "error") else "it exited"
            raise RenderFailed(f"a render worker could not start: {why} (log: {self.log_path})", ours=True)
        self.info = ready
        return ready

    def _read_events(self, process: subprocess.Popen[str], control: Events, routes: dict[str, Events]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            event = parse_event(line)
            if event is None:
                continue
            task = event.get("id")
            route = routes.get(task) if isinstance(task, str) else None
            (route or control).put(event)
        process.wait()
        with self._life_lock:
            if self.process is process:  # not replaced yet (a replacement has ended this tree already)
                self._kill_tree()
        # The process is gone: whoever still waits on it learns it now rather than never.
        control.put(EXIT)
        for route in list(routes.values()):
            route.put(EXIT)

    def open_route(self, task_id: str) -> Events:
        events: Events = queue.Queue()
        self._routes[task_id] = events
        if not self.alive():
            events.put(EXIT)
        return events

    def close_route(self, task_id: str) -> None:
        self._routes.pop(task_id, None)

    def send(self, command: Command) -> bool:
        """False when the process cannot take it any more (it is gone)."""
        stdin = self.process.stdin if self.process else None
        if stdin is None:
            return False
        try:
            with self._write_lock:
                stdin.write(json.dumps(command) + "\n")
                stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def refresh_tree(self, parents: dict[int, int]) -> list[int]:
        if self.process is None or not self.alive():
            return []
        pids = [self.process.pid, *descendants(self.process.pid, parents)]
        self.tree = {pid: start_time(pid) for pid in pids}
        return pids

    def memory_bytes(self, limit: int, parents: dict[int, int]) -> int:
        """The tree's PSS where it matters: its RSS when that is within `limit`, as the PSS is less.
        Reading smaps_rollup walks a process's page tables under its memory map lock: done for a
        dozen Chromium processes twice a second it cost the pool 0.8 s of system time a render, held
        up the renderers' page faults, about 7% of an export's time (docs/decisions.md)."""
        pids = self.refresh_tree(parents)
        rss = sum(rss_bytes(pid) for pid in pids)
        return rss if rss <= limit else sum(pss_bytes(pid) for pid in pids)

    def set_cpu_nice(self, nice: int) -> None:
        """The CPU priority of the process's browser. Chromium runs in a session of its own, and the
        kernel shares the CPU between sessions (autogroups) before threads: so it is that session's
        autogroup nice that counts, not any thread's. The worker's own session (Node, the encoders,
        and a join the pool may run here for another render) keeps its priority. Raising it back to
        0 needs no privilege."""
        if nice == self.cpu_nice or self.process is None or not self.alive():
            return
        self.cpu_nice = nice
        for pid in list(self.tree):
            if _session(pid) in (None, self.process.pid):
                continue
            try:
                with open(f"/proc/{pid}/autogroup", "w") as group:
                    group.write(str(nice))
            except OSError:
                continue  # gone, or a kernel without autogroups: the share of processes still holds

    def _kill_tree(self) -> None:
        pids: dict[int, int | None] = {pid: started for pid, started in self.tree.items() if started is not None}
        if self.process is not None:
            pids |= {pid: start_time(pid) for pid in descendants(self.process.pid)}
            pids.pop(self.process.pid, None)
        for pid, started in pids.items():
            if started is None or start_time(pid) != started:
                continue  # gone, or the pid now names another process
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def kill(self, reason: str | None = None) -> None:
        """Kill the process and everything it started. `reason` (the scene's fault) is kept for
        whoever waits on its task; None means the kill is ours."""
        if reason is not None and self.kill_reason is None:
            self.kill_reason = reason
        if self.process is None:
            return
        if self.alive():
            self.refresh_tree(_parent_map())
        self._kill_tree()
        if self.process.poll() is None:
            self.process.kill()

    def close(self, timeout: float = 30) -> None:
        if self.process is None:
            return
        if self.alive():
            try:
                if self.process.stdin is not None:
                    self.process.stdin.close()  # the worker cancels what runs and closes its browser
                self.process.wait(timeout=timeout)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        self.kill()
        self.process.wait()
        self._remove_tmp_dir()

    def _remove_tmp_dir(self) -> None:
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            self.tmp_dir = None
