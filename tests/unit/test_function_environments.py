"""The local adapter's functions: at most so many requests at once, the others in turn; requests at
once, each reading its own event and route (Powertools keeps them where all requests share them)."""

import json
import threading
import time

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from local.adapter import Environments, api_gateway_event, keep_resolver_requests_per_thread


def _queue_behind(environments: Environments, order: list[str], name: str) -> threading.Thread:
    def take() -> None:
        with environments.held():
            order.append(name)

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return thread


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_requests_waiting_for_an_environment_go_in_turn():
    environments, order = Environments(1), []
    with environments.held():
        waiting = []
        for i in range(3):
            waiting.append(_queue_behind(environments, order, f"call-{i}"))
            _wait_until(lambda n=i + 1: len(environments._waiting) == n)
        assert order == []  # nothing runs beside the request holding the one environment
    for thread in waiting:
        thread.join(timeout=5)
    assert order == ["call-0", "call-1", "call-2"]


def _most_at_once(environments: Environments) -> int:
    inside, most = [0], [0]
    lock = threading.Lock()

    def take() -> None:
        for _ in range(20):
            with environments.held():
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.002)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert inside[0] == 0
    return most[0]


def test_never_more_at_once_than_environments():
    assert _most_at_once(Environments(1)) == 1
    assert _most_at_once(Environments(3)) == 3


def _overlapping_routes(app: APIGatewayHttpResolver, prefix: str, both_inside: threading.Barrier) -> None:
    @app.get(f"/{prefix}/<item>")
    def route(item: str) -> dict[str, str]:
        both_inside.wait()  # each request is inside its route while the other one is
        before = app.current_event.path
        time.sleep(0.05)
        claims = app.current_event.request_context.authorizer.jwt_claim or {}
        return {"item": item, "path": before, "after": app.current_event.path, "user": claims["sub"]}


def _call_at_once(calls: list[tuple[APIGatewayHttpResolver, str, str]]) -> list[dict[str, str]]:
    answers: list[dict[str, str]] = [{} for _ in calls]

    def call(i: int, app: APIGatewayHttpResolver, path: str, user: str) -> None:
        event = api_gateway_event("GET", path, "", {}, b"", "127.0.0.1", {"sub": user})
        answers[i] = json.loads(app.resolve(event, None)["body"])

    threads = [threading.Thread(target=call, args=(i, *c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return answers


def test_requests_at_once_each_read_their_own_event_and_route():
    """Powertools' resolve() writes the event to BaseRouter, shared by every resolver, and the
    route's arguments to the resolver's context; without the adapter's per-thread state the first
    request below would read the second's path, user and item (checked: it does)."""
    keep_resolver_requests_per_thread()
    both_inside = threading.Barrier(2, timeout=5)
    api, webhook = APIGatewayHttpResolver(), APIGatewayHttpResolver()
    _overlapping_routes(api, "api", both_inside)
    _overlapping_routes(webhook, "webhook", both_inside)

    # Two functions at once, and two requests of one function at once.
    for calls in (
        [(api, "/api/a", "ann"), (webhook, "/webhook/b", "bob")],
        [(api, "/api/c", "cy"), (api, "/api/d", "di")],
    ):
        answers = _call_at_once(calls)
        for (_, path, user), answer in zip(calls, answers, strict=True):
            assert answer == {"item": path[-1], "path": path, "after": path, "user": user}
