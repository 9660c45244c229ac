"""Each render's share of the worker log: a byte budget, repeats counted instead of written.

Pure bookkeeping; render/worker_log.py feeds it the workers' lines and writes what it admits.
A render's lines cost their bytes until the budget is spent; after that they are only counted, and
when the render ends one line says how much was dropped. A line that differs from one already
written only in its digits (a frame number, a port, a counter a scene loops over) is a repeat: it
is counted, and the count is written once at the render's end. So whatever a render does, it
writes at most `budget_bytes` plus one closing line (`MAX_CLOSING_LINE_BYTES`).
"""

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum

RENDER_LOG_BUDGET_BYTES = 256 * 1024
# The end of a render's budget is kept for its repeats' counts (a quarter of it at most): a flood of
# distinct lines must not leave the counts of the repeated ones unwritten.
COUNTS_RESERVE_BYTES = 16 * 1024
# The closing line names the render (an id of ours), four numbers and a fixed sentence.
MAX_CLOSING_LINE_BYTES = 400
# How much of a repeated line its count quotes.
QUOTED_CHARS = 160
# Renders whose end was written, remembered so that their late lines (a page Remotion closes after
# the task ended, a pipe still draining) stay within the same budget.
_ENDED_KEPT = 64
_DIGITS = re.compile(r"\d+")


class Verdict(Enum):
    WRITE = "write"
    REPEAT = "repeat"
    DROP = "drop"


def repeat_key(text: str) -> str:
    return _DIGITS.sub("#", text)


def size_of(line: str) -> int:
    return len(line.encode("utf-8", "replace")) + 1  # and its newline


@dataclass
class _Repeat:
    first: str
    count: int = 0


@dataclass
class _Render:
    written: int = 0
    dropped_lines: int = 0
    dropped_bytes: int = 0
    repeats: dict[str, _Repeat] = field(default_factory=dict)


class LogBudget:
    def __init__(self, budget_bytes: int = RENDER_LOG_BUDGET_BYTES):
        self.budget_bytes = budget_bytes
        self.lines_bytes = budget_bytes - min(COUNTS_RESERVE_BYTES, budget_bytes // 4)
        self._open: dict[str, _Render] = {}
        self._ended: OrderedDict[str, _Render] = OrderedDict()

    def _state(self, render: str) -> _Render:
        state = self._open.get(render) or self._ended.get(render)
        if state is None:
            state = self._open[render] = _Render()
        return state

    def judge(self, render: str, text: str, line: str) -> Verdict:
        """Whether `line` (`text` as it would be written) is written, counted as a repeat of a line
        already written, or dropped; charged to `render` accordingly."""
        state = self._state(render)
        key = repeat_key(text)
        seen = state.repeats.get(key)
        if seen is not None:
            seen.count += 1
            return Verdict.REPEAT
        size = size_of(line)
        if state.written + size > self.lines_bytes:
            state.dropped_lines += 1
            state.dropped_bytes += size
            return Verdict.DROP
        state.written += size
        state.repeats[key] = _Repeat(text)
        return Verdict.WRITE

    def end(self, render: str) -> list[str]:
        """The lines that close a render: each repeat's count while the budget has room, then one
        line for everything dropped. Later lines of the render are held to what is left."""
        state = self._open.pop(render, None)
        if state is None:
            return []
        closing: list[str] = []
        for repeat in state.repeats.values():
            if repeat.count == 0:
                continue
            quoted = repeat.first if len(repeat.first) <= QUOTED_CHARS else repeat.first[:QUOTED_CHARS] + "…"
            line = f"{render}: the line “{quoted}” and lines like it: {repeat.count} more times"
            size = size_of(line)
            if state.written + size > self.budget_bytes:
                state.dropped_lines += repeat.count
                state.dropped_bytes += size
            else:
                state.written += size
                closing.append(line)
            repeat.count = 0
        if state.dropped_lines:
            closing.append(
                f"{render}: {state.dropped_lines} more lines ({state.dropped_bytes} bytes) dropped: "
                f"past this render's log budget of {self.budget_bytes} bytes"
            )
            state.dropped_lines = state.dropped_bytes = 0
        # Late lines count on from here: they can never write more than what is left.
        self._ended[render] = state
        while len(self._ended) > _ENDED_KEPT:
            self._ended.popitem(last=False)
        return closing
