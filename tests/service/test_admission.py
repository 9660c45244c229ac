"""Admission control against the emulated DynamoDB: exports beyond the render budget wait as
`queued`, strictly in order, and start as renders end; each is admitted once however many
dispatchers run; a throttled start goes back to its place; nothing spends quota twice."""

import threading
import uuid

import pytest

from functions.backends import BackendRefused, BackendStart
from functions.domain import admission, clock, lifecycle, projects
from functions.errors import InvalidRender
from functions.models.records import RenderStatus
from functions.render_settings import OutputFormat, Quality
from functions.wiring import compose
from tests.helpers.projects import project, scene
from tests.helpers.stores import fresh_store

SCENE = "import {AbsoluteFill} from 'remotion';\nexport default () => <AbsoluteFill/>;"


class _Lambda:
    """The render function as admission sees it (AWS is the edge this machine cannot reach): a
    budget, a share per render, starts recorded in order; it throttles the next `throttles` starts."""

    enforces_time_budget = False

    def __init__(self, budget: int, share: int):
        self.budget, self.share, self.throttles = budget, share, 0
        self.started: list[str] = []
        self.cancelled: list[str] = []
        self._lock = threading.Lock()

    def start(self, request):
        with self._lock:
            if self.throttles:
                self.throttles -= 1
                raise BackendRefused("Rate Exceeded.", throttled=True)
            self.started.append(request.record.render_id)
        return BackendStart(backend_render_id=f"b-{request.record.render_id}", bucket_name="remotionlambda-x")

    def progress(self, record):
        return None

    def cancel(self, record):
        self.cancelled.append(record.render_id)

    def render_still(self, request):
        raise BackendRefused("no stills here")

    def estimate_seconds(self, frames, every_nth_frame):
        return 20.0

    def render_budget(self):
        return self.budget

    def budget_share(self, frames, every_nth_frame):
        return self.share


@pytest.fixture
def queue(stack):
    """Services over a table of their own, rendering on a budget of 4 with a share of 2 a render."""
    store = fresh_store(stack)
    settings = stack.services.settings.model_copy(update={"table_name": store.table_name})
    backend = _Lambda(budget=4, share=2)
    services = compose(settings, store=store, backend=backend, sign_download=lambda *_: "https://signed.example/f")
    return services, backend


def _start(services) -> tuple[str, str]:
    user = f"q-{uuid.uuid4().hex[:8]}"
    created = projects.create_project(services.store, user, project(scene(SCENE, duration=30)), services.limits)
    return user, lifecycle.start_render(services, user, created.project_id, OutputFormat.MP4, Quality.LOW).render_id


def _end(services, user: str, render_id: str) -> None:
    record = services.store.get_render(user, render_id)
    assert lifecycle.finish(services, record, RenderStatus.SUCCEEDED, report=None)
    lifecycle.dispatch(services)


def _held(services) -> int:
    return services.store.budget_in_use()[0]


def test_exports_beyond_the_budget_wait_in_order_and_start_as_renders_end(queue):
    services, backend = queue
    started = [_start(services) for _ in range(5)]
    statuses = [services.store.get_render(u, r).status for u, r in started]
    assert statuses == [RenderStatus.RENDERING] * 2 + [RenderStatus.QUEUED] * 3
    assert _held(services) == 4
    waits = [lifecycle.get_render(services, u, r).queue for u, r in started[2:]]
    assert [w.ahead for w in waits] == [0, 1, 2]
    assert 0 < waits[0].estimated_start_seconds <= waits[1].estimated_start_seconds <= waits[2].estimated_start_seconds

    _end(services, *started[0])
    assert services.store.get_render(*started[2]).status is RenderStatus.RENDERING
    assert services.store.get_render(*started[3]).status is RenderStatus.QUEUED
    assert lifecycle.get_render(services, *started[3]).queue.ahead == 0
    for user, render_id in started[1:]:
        if services.store.get_render(user, render_id).status is RenderStatus.RENDERING:
            _end(services, user, render_id)
    for user, render_id in started[1:]:
        if services.store.get_render(user, render_id).status is RenderStatus.RENDERING:
            _end(services, user, render_id)
    # Everyone rendered once, in the order they pressed Export, and the budget is whole again.
    assert backend.started == [render_id for _, render_id in started]
    records = [services.store.get_render(u, r) for u, r in started]
    assert [r.started_at for r in records] == sorted(r.started_at for r in records)
    assert all(r.status is RenderStatus.SUCCEEDED and not r.refunded for r in records)
    assert _held(services) == 0


def test_dispatchers_at_once_admit_each_export_once_and_never_past_the_budget(queue):
    services, backend = queue
    backend.budget = 6  # three renders at a time
    holding = [_start(services) for _ in range(3)]
    waiting = [_start(services) for _ in range(6)]
    for user, render_id in holding:  # three end at once: their budget goes to the next three
        record = services.store.get_render(user, render_id)
        lifecycle.finish(services, record, RenderStatus.SUCCEEDED)
    barrier = threading.Barrier(8)

    def dispatcher():
        barrier.wait()
        lifecycle.dispatch(services)

    threads = [threading.Thread(target=dispatcher) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(backend.started) == len(set(backend.started)) == 6
    assert set(backend.started[3:]) == {render_id for _, render_id in waiting[:3]}
    assert _held(services) == 6
    assert [services.store.get_render(u, r).status for u, r in waiting[3:]] == [RenderStatus.QUEUED] * 3


def test_a_throttled_start_goes_back_to_its_place_and_nobody_passes_it(queue, monkeypatch):
    services, backend = queue
    backend.throttles = 1
    first = _start(services)
    record = services.store.get_render(*first)
    assert (record.status, record.requeues, record.refunded) == (RenderStatus.QUEUED, 1, False)
    assert services.store.used_today(first[0], record.quota_day) == 1  # accepted: counted once, not refunded
    assert _held(services) == 0
    second = _start(services)  # room for it, but the first waits out its backoff at the head
    assert services.store.get_render(*second).status is RenderStatus.QUEUED
    assert lifecycle.get_render(services, *second).queue.ahead == 1

    later = clock.now() + 5
    monkeypatch.setattr(clock, "now", lambda: later)
    lifecycle.dispatch(services)
    assert backend.started == [first[1], second[1]]
    assert services.store.used_today(first[0], record.quota_day) == 1


def test_cancelling_a_queued_export_spends_no_quota_and_frees_its_place(queue):
    services, backend = queue
    holding = [_start(services) for _ in range(2)]
    user, render_id = _start(services)
    behind = _start(services)
    assert lifecycle.get_render(services, *behind).queue.ahead == 1
    cancelled = lifecycle.cancel_render(services, user, render_id)
    assert (cancelled.status, cancelled.quota_counted) == (RenderStatus.CANCELLED, False)
    assert services.store.used_today(user, clock.day(clock.now())) == 0
    assert lifecycle.get_render(services, *behind).queue.ahead == 0
    assert render_id not in backend.started and render_id not in backend.cancelled
    _end(services, *holding[0])
    assert backend.started[-1] == behind[1]


def test_an_export_that_alone_needs_more_than_the_whole_budget_is_refused_at_start(queue):
    services, backend = queue
    backend.share = 5
    user = f"q-{uuid.uuid4().hex[:8]}"
    created = projects.create_project(services.store, user, project(scene(SCENE, duration=30)), services.limits)
    with pytest.raises(InvalidRender) as refused:
        lifecycle.start_render(services, user, created.project_id, OutputFormat.MP4, Quality.LOW)
    assert refused.value.status == 422 and "5 renderers" in refused.value.message
    assert services.store.used_today(user, clock.day(clock.now())) == 0
    assert services.store.all_renders(user) == []


def test_the_sweeper_reclaims_a_lost_share_and_ends_a_wait_past_the_queue_timeout(queue, monkeypatch):
    services, backend = queue
    running = [_start(services) for _ in range(2)]
    waiting = [_start(services) for _ in range(2)]
    # A share lost by a crash between steps: the budget counts 2 more than the renders hold.
    services.store.dynamodb.transact_write_items(TransactItems=[services.store._budget_change(2, 0)])
    assert _held(services) == 6
    assert admission.reclaim(services) == 2
    assert _held(services) == 4

    later = clock.now() + services.settings.queue_timeout_seconds + 5
    monkeypatch.setattr(clock, "now", lambda: later)
    swept = lifecycle.sweep(services)
    # The running renders, silent since, and the two that waited too long all end as ours.
    assert swept["timed_out"] == 4
    for user, render_id in running + waiting:
        ended = services.store.get_render(user, render_id)
        assert (ended.status, ended.refunded) == (RenderStatus.TIMED_OUT, True)
    assert "not counted" in services.store.get_render(*waiting[0]).error
    assert _held(services) == 0
    assert services.store.queue(10) == []
