"""Time, in one place, so that tests can move it."""

import time
from datetime import UTC, datetime


def now() -> float:
    return time.time()


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")


def seconds_to_next_day(at: float) -> int:
    return 86400 - int(at) % 86400


def epoch(iso_time: str) -> float:
    return datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp()
