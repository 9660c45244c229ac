"""Which queued chunk a free render process takes next, and which owner gives a process back.
Pure: no threads, no I/O, no clock.

Fair across owners first (the user of a render; the CLI is one owner): the owner with the fewest
chunks running, then the one with the oldest render waiting, so one user's long export holds no
more than its share while another user's render waits. Within an owner, the render with the fewest
chunks running, oldest first. A render's own chunks go in the order they were added.

Choosing at chunk start is not enough when one owner's chunks already hold every process: a slow
scene's chunk may run for many minutes. `owner_over_share` says when the pool must take a process
back (pool.py cancels that owner's youngest chunk and queues it again).
"""

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Taken(Generic[T]):
    item: T
    render: str
    # Nothing at all is queued behind it: no next chunk will capture beside its encoder.
    last: bool


@dataclass
class _Render(Generic[T]):
    owner: str
    age: int  # order of arrival: lower is older
    queued: deque[T] = field(default_factory=deque)
    running: int = 0


class Scheduler(Generic[T]):
    def __init__(self) -> None:
        self._renders: dict[str, _Render[T]] = {}
        self._arrivals = 0

    def add(self, render: str, owner: str, items: Iterable[T]) -> None:
        """Queue chunks of a render; a render seen for the first time is the youngest."""
        state = self._renders.get(render)
        if state is None:
            state = self._renders[render] = _Render(owner, self._arrivals)
            self._arrivals += 1
        state.queued.extend(items)

    def take(self, only_render: str | None = None) -> Taken[T] | None:
        """The next chunk, now counted as running; None when nothing (of `only_render`) is queued.
        `only_render`: a process whose last chunk still encodes takes only that render's chunks, so a
        kill for one scene's fault never ends another user's chunk."""
        waiting = [(name, r) for name, r in self._renders.items() if r.queued]
        if only_render is not None:
            waiting = [(name, r) for name, r in waiting if name == only_render]
        if not waiting:
            return None
        running = self._running_by_owner()
        oldest: dict[str, int] = {}
        for _, r in waiting:
            oldest[r.owner] = min(oldest.get(r.owner, r.age), r.age)
        owner = min(oldest, key=lambda o: (running.get(o, 0), oldest[o]))
        name, chosen = min(((n, r) for n, r in waiting if r.owner == owner), key=lambda nr: (nr[1].running, nr[1].age))
        item = chosen.queued.popleft()
        chosen.running += 1
        return Taken(item, name, last=not any(r.queued for r in self._renders.values()))

    def requeue(self, render: str, item: T) -> None:
        """A chunk taken back from its process: first in its render's queue again. Its running count
        goes when its process reports it `done`."""
        state = self._renders.get(render)
        if state is not None:
            state.queued.appendleft(item)

    def owners_waiting(self) -> set[str]:
        return {r.owner for r in self._renders.values() if r.queued}

    def done(self, render: str) -> None:
        """One running chunk of the render ended, however it ended."""
        state = self._renders.get(render)
        if state is not None and state.running > 0:
            state.running -= 1
            self._forget_if_idle(render)

    def drop(self, render: str) -> list[T]:
        """Unqueue every chunk of a render (it failed or was cancelled); its running ones stay counted
        until they are done."""
        state = self._renders.get(render)
        if state is None:
            return []
        dropped = list(state.queued)
        state.queued.clear()
        self._forget_if_idle(render)
        return dropped

    def drop_all(self) -> dict[str, list[T]]:
        """Unqueue everything (the pool closes): what each render had queued."""
        dropped = {name: list(r.queued) for name, r in self._renders.items() if r.queued}
        for name in dropped:
            self.drop(name)
        return dropped

    def queued(self, render: str | None = None) -> int:
        renders = self._renders.values() if render is None else [r for n, r in self._renders.items() if n == render]
        return sum(len(r.queued) for r in renders)

    def running(self, render: str) -> int:
        state = self._renders.get(render)
        return state.running if state else 0

    def _running_by_owner(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self._renders.values():
            counts[r.owner] = counts.get(r.owner, 0) + r.running
        return counts

    def _forget_if_idle(self, render: str) -> None:
        state = self._renders[render]
        if not state.queued and state.running == 0:
            del self._renders[render]


def owner_over_share(holding: dict[str, int], waiting: set[str], free: int) -> str | None:
    """The owner that must give a process back, or None. `holding`: processes each owner's chunks
    occupy (not counting chunks already being taken back); `waiting`: owners with chunks queued;
    `free`: processes that hold nothing. Only when no process is free, and only from an owner that
    holds at least two more than the poorest waiting owner: one more is as even as whole processes
    get, and taking that one back would just move the imbalance (and the lost work) around."""
    if free > 0 or not waiting or not holding:
        return None
    poorest = min(holding.get(owner, 0) for owner in waiting)
    richest = max(sorted(holding), key=lambda owner: holding[owner])
    return richest if holding[richest] - poorest >= 2 else None
