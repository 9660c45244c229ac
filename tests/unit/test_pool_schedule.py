"""Which chunk a render-pool process takes next (render/pool.py), without rendering.

A process may take the next chunk while the last one's encoder finishes; it must then be a chunk of
the same render, so that a process killed for one scene's fault never takes another user's chunk
with it. The process here is a stand-in that is alive: no Node, no Chromium."""

import threading
from pathlib import Path

from functions.render_settings import OutputFormat, Quality, render_settings
from render.chunks import plan_chunks
from render.jobs import RenderJob
from render.pool import RenderPool, _Run, _Task
from tests.conftest import project, scene


class AliveProcess:
    def alive(self) -> bool:
        return True


def queued_runs(pool: RenderPool, count: int) -> list[_Run]:
    settings = render_settings(project(scene("export default () => null;")), OutputFormat.MP4, Quality.LOW)
    runs = []
    for seq in range(count):
        chunks = plan_chunks([30, 30], chunk_frames=30)
        run = _Run(RenderJob({}, settings, Path(f"/tmp/out-{seq}.mp4")), seq, chunks, Path("/tmp"), None)
        pool._queue += [_Task(run, chunk, f"{seq}/{chunk.index}", Path("/tmp/c.ts"), None) for chunk in chunks]
        runs.append(run)
    return runs


def test_a_free_process_takes_the_oldest_render_with_the_fewest_chunks_running():
    pool = RenderPool(size=1, cache=False)
    older, newer = queued_runs(pool, 2)
    first = pool._next_task(AliveProcess())
    second = pool._next_task(AliveProcess())
    assert (first.run, second.run) == (older, newer)  # the older has one running now: fairness


def test_while_a_chunk_finishes_only_a_chunk_of_its_own_render_is_taken():
    pool = RenderPool(size=1, cache=False)
    _older, newer = queued_runs(pool, 2)
    finishing = next(task for task in pool._queue if task.run is newer)  # a chunk of the newer render
    pool._queue.remove(finishing)
    taken = pool._next_task(AliveProcess(), finishing)
    assert taken.run is newer  # the older render has fewer running, but belongs to someone else


def test_a_process_waits_for_the_finishing_chunk_before_taking_another_renders_chunk():
    pool = RenderPool(size=1, cache=False)
    (older,) = queued_runs(pool, 1)
    finishing = _Task(older, older.chunks[0], "other/0", Path("/tmp/c.ts"), None)
    finishing.run = _Run(older.job, 9, older.chunks, Path("/tmp"), None)  # a render with nothing queued
    taken: list[_Task | None] = []
    waiter = threading.Thread(target=lambda: taken.append(pool._next_task(AliveProcess(), finishing)))
    waiter.start()
    waiter.join(timeout=1.5)
    assert waiter.is_alive() and taken == []  # nothing of its own render to take: it waits
    with pool._cond:
        finishing.finished.set()
        pool._cond.notify_all()
    waiter.join(timeout=5)
    assert taken and taken[0].run is older


def test_only_a_chunk_taken_with_nothing_queued_behind_it_is_the_last():
    pool = RenderPool(size=1, cache=False)
    queued_runs(pool, 2)  # two renders of two chunks each
    taken = [pool._next_task(AliveProcess()) for _ in range(4)]
    # Its encoder may use every core (worker.mjs): no next chunk will capture beside it.
    assert [task.last for task in taken] == [False, False, False, True]
