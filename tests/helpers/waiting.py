"""Waiting for a condition, with a deadline."""

import time


def wait_for(predicate, timeout: float = 30, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("the condition did not hold in time")
