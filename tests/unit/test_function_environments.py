"""The local adapter's functions: at most so many requests at once, the others in turn; requests at
once, each reading its own event and route (Powertools keeps them where all requests share them),
on routes made ready before they come."""

import json
import threading
import time

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from local.adapter import (
    Function,
    LambdaContext,
    api_gateway_event,
    keep_resolver_requests_per_thread,
    prepare_resolver,
)


def test_a_function_serves_as_many_requests_at_once_as_it_has_environments_the_rest_in_turn():
    release, lock = threading.Event(), threading.Lock()
    entered: list[str] = []

    def handler(event: dict, context: object) -> dict:
        with lock:
            entered.append(event["name"])
        release.wait(timeout=10)
        return {"statusCode": 200}

    function = Function(handler, "f", environments=3)
    context = LambdaContext(function_name="f", aws_request_id="r")
    calls = [function.executor.submit(function.invoke, {"name": f"call-{i}"}, context) for i in range(5)]
    deadline = time.monotonic() + 5
    while len(entered) < 3:
        assert time.monotonic() < deadline, f"only {entered} started"
        time.sleep(0.01)
    time.sleep(0.2)  # the other two would have started by now if an environment were free
    assert entered == ["call-0", "call-1", "call-2"]
    release.set()
    assert [c.result(timeout=5) for c in calls] == [{"statusCode": 200}] * 5
    assert entered[3:] == ["call-3", "call-4"]
    function.executor.shutdown()


def test_every_route_is_ready_before_requests_come_at_once():
    """Powertools builds a route's middleware chain at its first call, unlocked: two first calls at
    once would wrap it twice and break the route for good."""
    app = APIGatewayHttpResolver(enable_validation=True)
    for name in ("a", "b"):
        app.get(f"/{name}")(lambda: {})
    prepare_resolver(app)
    routes = [*app._static_routes, *app._dynamic_routes]
    assert len(routes) == 2 and all(route._middleware_stack_built for route in routes)
    chain = [route._middleware_stack for route in routes]
    prepare_resolver(app)  # idempotent: the chain is not wrapped again
    assert [route._middleware_stack for route in routes] == chain


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
