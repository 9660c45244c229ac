"""Admission control: an accepted export waits as `queued` until the render budget has room for it.

The budget is what renders running at once may hold together: the render function's concurrency on
Lambda (a render holds its renderer Lambdas and its main function), the pool's processes locally
(a render holds one; the pool shares its processes fairly among the renders it runs). The queue is
strictly first come, first served: an export never starts after one accepted later, and as a user
has one active export at a time (their render lock), that is fair across users.

Durable and exactly once (docs/decisions.md, "Admission control"): the queue and the budget are
items of the service table, and an admission is one conditional transaction (the entry leaves the
queue, the budget takes its share, the render becomes `rendering`), so any number of dispatchers
may run at once: after a start, after every end, and on the sweeper's schedule. Every end gives the
share back in the same transaction that ends the render (store.finish_render); a share lost anyway
is reclaimed by the sweeper (`reclaim`). A start that Lambda throttles goes back to its place at
the head of the queue and waits out a backoff there.
"""

import heapq
import logging
from dataclasses import asdict, dataclass
from typing import Any

from functions.backends import BackendRefused, RenderRequest
from functions.domain import clock
from functions.domain.services import Services
from functions.models.composition import CompositionProps
from functions.models.records import RenderRecord, RenderStatus
from functions.render_settings import RenderSettings
from functions.store import NotAdmitted

logger = logging.getLogger(__name__)

# How many entries one pass of the dispatcher reads from the head of the queue.
_BATCH = 25
# A throttled start waits this long at the head before it is tried again, doubling up to the cap
# (Lambda's own backoff for throttled asynchronous events starts at about a second, up to minutes).
_BACKOFF_SECONDS, _BACKOFF_CAP_SECONDS = 2.0, 120.0
# A share of the budget counted as held but held by no running render is given back only once the
# budget has not changed for this long: the index the sweeper counts from may lag an admission.
_RECLAIM_AFTER_SECONDS = 60


@dataclass(frozen=True)
class Started:
    record: RenderRecord


@dataclass(frozen=True)
class Requeued:
    record: RenderRecord


@dataclass(frozen=True)
class Refused:
    record: RenderRecord
    reason: str


Outcome = Started | Requeued | Refused


def queue_order(at: float, render_id: str) -> str:
    """An entry's place: acceptance time in milliseconds, then the render id for ties."""
    return f"{int(at * 1000):015d}#{render_id}"


def stored_request(props: CompositionProps, output: RenderSettings, filename: str) -> dict[str, Any]:
    """What a queued export will render, as the store keeps it until the export starts."""
    return {"props": props.to_json_dict(), "output": asdict(output), "downloadName": filename}


def _request(services: Services, record: RenderRecord) -> RenderRequest:
    stored = services.store.get_render_request(record.render_id)
    return RenderRequest(
        record=record,
        props=CompositionProps.model_validate(stored["props"]),
        settings=RenderSettings(**stored["output"]),
        download_name=stored["downloadName"],
        webhook_url=services.settings.webhook_url,
        webhook_secret=services.webhook_secret,
    )


def _backoff(requeues: int) -> float:
    return min(_BACKOFF_CAP_SECONDS, _BACKOFF_SECONDS * float(2**requeues))


def _start(services: Services, record: RenderRecord) -> Outcome:
    try:
        request = _request(services, record)
    except Exception:  # its stored request is gone or unreadable: it can never start
        logger.exception("the request of queued render %s could not be read", record.render_id)
        return Refused(record, "its render request could not be read")
    try:
        started = services.backend.start(request)
    except BackendRefused as refused:
        now = clock.now()
        if refused.throttled and services.store.requeue(record, now + _backoff(record.requeues), int(now)):
            logger.warning("render %s throttled at its start: back to the queue", record.render_id)
            return Requeued(record)
        logger.warning("render backend refused %s: %s", record.render_id, refused)
        return Refused(record, str(refused))
    fields = {"backendRenderId": started.backend_render_id, "bucketName": started.bucket_name}
    if not services.store.update_render(record, fields, now=int(clock.now())):
        # Cancelled between its admission and its start: what started renders for nobody.
        ended = record.model_copy(
            update={"backend_render_id": started.backend_render_id, "bucket_name": started.bucket_name}
        )
        services.backend.cancel(ended)
    return Started(record)


def dispatch(services: Services) -> dict[str, Outcome]:
    """Admit and start queued exports, oldest first, while the budget has room. The caller ends the
    refused ones (lifecycle.dispatch), which gives their share back."""
    budget = services.backend.render_budget()
    outcomes: dict[str, Outcome] = {}
    while True:
        head = services.store.queue(_BATCH)
        admitted = 0
        for entry in head:
            now = clock.now()
            if entry.not_before > now:
                return outcomes  # the head waits out a throttle, and nobody passes it
            try:
                record = services.store.admit(entry, budget, int(now), clock.iso(now))
            except NotAdmitted as not_admitted:
                if not_admitted.reason == "gone":
                    continue  # admitted by another dispatcher, or cancelled: the next one's turn
                return outcomes  # no room: the head waits for a render to end
            admitted += 1
            outcome = _start(services, record)
            outcomes[record.render_id] = outcome
            if isinstance(outcome, Requeued):
                return outcomes
        if admitted == 0 or len(head) < _BATCH:
            return outcomes


@dataclass(frozen=True)
class Waiting:
    ahead: int
    estimated_start_seconds: float


def estimated_start(budget: int, running: list[tuple[float, int]], ahead: list[tuple[float, int]], share: int) -> float:
    """Seconds until an export holding `share` starts, if the renders `running` (seconds left,
    share) end on time and those `ahead` (seconds, share) start first, in order."""
    ends = list(running)
    heapq.heapify(ends)
    free, at = budget - sum(held for _, held in running), 0.0
    for seconds, needed in [*ahead, (0.0, share)]:
        while free < needed and ends:
            ended_at, held = heapq.heappop(ends)
            at, free = max(at, ended_at), free + held
        heapq.heappush(ends, (at + seconds, needed))
        free -= needed
    return round(at, 1)


def waiting(services: Services, record: RenderRecord, now: float) -> Waiting | None:
    """Where a queued export stands: how many wait before it, and when it should start."""
    if record.status is not RenderStatus.QUEUED or not record.queue_order:
        return None
    ahead = services.store.queued_ahead(record.queue_order, limit=1000)
    running = [
        (max(1.0, r.estimated_render_seconds - (now - clock.epoch(r.started_at))), r.budget_share)
        for r in services.store.active_renders()
        if r.status is RenderStatus.RENDERING and r.started_at
    ]
    seconds = estimated_start(
        services.backend.render_budget(),
        running,
        [(entry.estimated_render_seconds, entry.share) for entry in ahead],
        record.budget_share,
    )
    return Waiting(ahead=len(ahead), estimated_start_seconds=seconds)


def reclaim(services: Services) -> int:
    """Give back shares of the budget that no running render holds (a dispatcher or a function that
    crashed between steps); how many were given back."""
    held, version, changed_at = services.store.budget_in_use()
    now = int(clock.now())
    if now - changed_at < _RECLAIM_AFTER_SECONDS:
        return 0
    really = sum(
        r.budget_share for r in services.store.active_renders() if r.status is RenderStatus.RENDERING and r.started_at
    )
    if held > really and services.store.reclaim_budget(really, version, now):
        logger.warning("reclaimed %d of the render budget that no running render held", held - really)
        return held - really
    return 0
