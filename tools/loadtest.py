"""`make loadtest`: a burst of users pressing Export at once becomes a fair queue, not failures.

    python -m tools.loadtest [--backend local|lambda] [--users 30] [--at-once 3]

Starts a stack of its own whose render budget fits `--at-once` short exports (local: that many
pool processes; lambda: the emulated Remotion Lambda function with an account and reserved
concurrency of that many renders' Lambdas), lets every user create a project of their own and
press Export within two seconds, follows every export to its end, and checks:
- every export succeeds, none fails or is refunded for a throttle;
- the queue is fair: no export starts after one accepted later;
- each user's quota is spent exactly once.
It prints the longest wait in the queue, the 95th percentile of the time to file, and how long
the API took to answer (every call of every user: 95th percentile and slowest). The local stack's
API has a few environments (local/stack.py: API_ENVIRONMENTS) where AWS would give it dozens, so
calls wait for one here; on AWS API Gateway gives up on a request after 30 s.
"""

import argparse
import json
import math
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from functions.domain import clock
from tools.api_client import Api

# A scene of its own per user (the text differs), so no user's export comes from another's chunks.
SCENE = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default () => <AbsoluteFill style={{backgroundColor: '#1d3557', color: 'white', fontSize: 90,
  justifyContent: 'center', alignItems: 'center'}}>USER {useCurrentFrame()}</AbsoluteFill>;"""
ENDED = {"succeeded", "failed", "cancelled", "timed_out"}


@dataclass(frozen=True)
class Outcome:
    user: str
    status: str
    created_at: float
    started_at: float | None
    completed_at: float | None
    quota_counted: bool
    used_today: int
    error: str | None
    answer_seconds: tuple[float, ...]  # each API call of this user, start to answer

    @property
    def waited(self) -> float:
        return (self.started_at or self.created_at) - self.created_at

    @property
    def to_file(self) -> float:
        return (self.completed_at or self.created_at) - self.created_at


@dataclass(frozen=True)
class Report:
    outcomes: list[Outcome]
    wall_seconds: float

    @property
    def succeeded(self) -> int:
        return sum(o.status == "succeeded" for o in self.outcomes)

    @property
    def failed_or_refunded(self) -> int:
        return sum(o.status != "succeeded" or not o.quota_counted for o in self.outcomes)

    def unfair(self) -> list[tuple[str, str]]:
        """Pairs (earlier, later) where the user who pressed Export later started first."""
        by_acceptance = sorted(self.outcomes, key=lambda o: o.created_at)
        return [
            (earlier.user, later.user)
            for i, earlier in enumerate(by_acceptance)
            for later in by_acceptance[i + 1 :]
            if later.created_at > earlier.created_at
            and (later.started_at or math.inf) < (earlier.started_at or math.inf)
        ]

    @property
    def quota_spent_once(self) -> bool:
        return all(o.used_today == 1 for o in self.outcomes)

    @property
    def longest_wait(self) -> float:
        return max(o.waited for o in self.outcomes)

    @property
    def p95_to_file(self) -> float:
        return _p95([o.to_file for o in self.outcomes])

    @property
    def answers(self) -> list[float]:
        return sorted(t for o in self.outcomes for t in o.answer_seconds)

    def problems(self) -> list[str]:
        found = []
        if self.succeeded != len(self.outcomes):
            errors = sorted({f"{o.status}: {o.error}" for o in self.outcomes if o.status != "succeeded"})
            found.append(f"{len(self.outcomes) - self.succeeded} of {len(self.outcomes)} did not succeed: {errors[:3]}")
        if self.failed_or_refunded:
            found.append(f"{self.failed_or_refunded} failed or were refunded")
        if self.unfair():
            found.append(f"unfair starts (earlier, later): {self.unfair()[:5]}")
        if not self.quota_spent_once:
            found.append(f"quota not spent exactly once: {[o.used_today for o in self.outcomes]}")
        return found

    def summary(self) -> str:
        return (
            f"{self.succeeded}/{len(self.outcomes)} succeeded, {self.failed_or_refunded} failed or refunded, "
            f"{len(self.unfair())} unfair starts, quota spent once each: {self.quota_spent_once}; "
            f"longest wait {self.longest_wait:.1f} s, p95 time to file {self.p95_to_file:.1f} s, "
            f"all done in {self.wall_seconds:.1f} s; API answers: p95 {_p95(self.answers):.2f} s, "
            f"slowest {self.answers[-1]:.2f} s of {len(self.answers)}"
        )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def _seconds(iso: str | None) -> float | None:
    return clock.epoch(iso) if iso else None


class _TimedApi(Api):
    """The user's client, noting how long each call took to answer."""

    def __init__(self, base_url: str, token: str, timeout: float) -> None:
        super().__init__(base_url, token, timeout)
        self.answer_seconds: list[float] = []

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        asked = time.monotonic()
        try:
            return super().call(method, path, body, headers)
        finally:
            self.answer_seconds.append(time.monotonic() - asked)


def _one_user(base_url: str, token: str, user: str, press: threading.Barrier, out: list[Outcome]) -> None:
    api = _TimedApi(base_url, token, timeout=120)
    scene = {"id": "s", "name": "S", "durationInFrames": 30, "tsxCode": SCENE.replace("USER", user)}
    status, created = api.call("POST", "/projects", {"title": f"Burst {user}", "format": "square", "scenes": [scene]})
    if status != 201:
        raise RuntimeError(f"{user}: creating the project failed ({status}): {created}")
    press.wait()
    status, started = api.call(
        "POST", "/renders", {"projectId": created["projectId"], "format": "mp4", "quality": "low"}
    )
    if status != 202:
        raise RuntimeError(f"{user}: the export was not accepted ({status}): {started}")
    while True:
        status, render = api.call("GET", f"/renders/{started['renderId']}")
        if status == 200 and render["status"] in ENDED:
            break
        time.sleep(0.5)
    _, stats = api.call("GET", "/exports/stats")
    out.append(
        Outcome(
            user=user,
            status=render["status"],
            created_at=clock.epoch(render["createdAt"]),
            started_at=_seconds(render.get("startedAt")),
            completed_at=_seconds(render.get("completedAt")),
            quota_counted=render["quotaCounted"],
            used_today=stats["usedToday"],
            error=render.get("error"),
            answer_seconds=tuple(api.answer_seconds),
        )
    )


def burst(base_url: str, tokens: dict[str, str], spread_seconds: float = 2.0) -> Report:
    """Every user presses Export within `spread_seconds`, then follows their export to its end."""
    outcomes: list[Outcome] = []
    press = threading.Barrier(len(tokens))
    users = list(tokens)
    threads = []
    began = time.monotonic()
    for user in users:
        thread = threading.Thread(target=_one_user, args=(base_url, tokens[user], user, press, outcomes), daemon=True)
        threads.append(thread)
        thread.start()
        time.sleep(spread_seconds / max(1, len(users)) / 4)  # the creates spread a little; the presses meet
    for thread in threads:
        thread.join(timeout=1800)
    if len(outcomes) != len(users):
        raise RuntimeError(f"only {len(outcomes)} of {len(users)} users saw their export end")
    return Report(outcomes, time.monotonic() - began)


def _stack(backend: str, at_once: int) -> Any:
    from local.stack import LocalStack, StackSettings

    settings = StackSettings(port=0, state_dir=None, pool_size=at_once)
    if backend == "local":
        return LocalStack(settings)
    from functions.backends.remotion_lambda_backend import render_budget, share_of
    from local.lambda_emulator.lambda_api import ConcurrencyLimits
    from local.lambda_emulator.stack import LambdaModeStack

    # The smallest account whose render budget (its concurrency less the headroom kept for progress
    # reads, starts and stills) fits `at_once` of these exports; the function reserves none of it.
    account = next(n for n in range(1, 10_000) if render_budget(n) >= at_once * share_of(30, n))
    return LambdaModeStack(
        StackSettings(port=0, state_dir=None, service={"RENDER_CONCURRENCY_LIMIT": str(account)}),
        concurrency=ConcurrencyLimits(account=account, reserved=None),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("local", "lambda"), default="local")
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--at-once", type=int, default=3, help="renders the budget fits at once")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    from local.auth import issue_token

    users = [f"burst-{i:02d}-{uuid.uuid4().hex[:6]}" for i in range(args.users)]
    tokens = {user: issue_token(user) for user in users}
    print(f"{args.users} users, {args.backend} backend, a budget of {args.at_once} renders at once", file=sys.stderr)
    with _stack(args.backend, args.at_once) as stack:
        report = burst(stack.url, tokens)
    if args.json:
        print(json.dumps({"summary": report.summary(), "problems": report.problems()}))
    print(report.summary())
    for problem in report.problems():
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if report.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
