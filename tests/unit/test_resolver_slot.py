"""The local adapter's one resolver slot: one request at a time, a waiting webhook before waiting API calls."""

import threading
import time

from local.adapter import ResolverSlot


def _queue_behind(slot: ResolverSlot, order: list[str], name: str, urgent: bool) -> threading.Thread:
    def take() -> None:
        with slot.held(urgent):
            order.append(name)

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return thread


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_an_urgent_request_goes_before_api_calls_that_waited_longer_which_go_in_turn():
    slot, order = ResolverSlot(), []
    with slot.held():
        api_calls = []
        for i in range(3):
            api_calls.append(_queue_behind(slot, order, f"api-{i}", urgent=False))
            _wait_until(lambda n=i + 1: len(slot._waiting[False]) == n)
        webhook = _queue_behind(slot, order, "webhook", urgent=True)
        _wait_until(lambda: len(slot._waiting[True]) == 1)
        assert order == []  # nothing runs beside the request holding the slot
    for thread in [*api_calls, webhook]:
        thread.join(timeout=5)
    assert order == ["webhook", "api-0", "api-1", "api-2"]


def test_never_two_at_once():
    slot, inside, most = ResolverSlot(), [0], [0]
    lock = threading.Lock()

    def take(urgent: bool) -> None:
        for _ in range(20):
            with slot.held(urgent):
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.001)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=take, args=(i % 3 == 0,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert most[0] == 1 and inside[0] == 0
