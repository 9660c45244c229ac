"""The data-access module's transactions against the emulated DynamoDB, through boto3 over HTTP."""

import time
import uuid

import pytest

from functions.domain import lifecycle
from functions.domain.naming import new_render_id
from functions.models.records import RenderRecord, RenderStatus
from functions.settings import ServiceSettings
from functions.store import StartRefused, Store
from functions.wiring import compose
from local.stack import BUCKET_NAME
from tests.helpers.stores import fresh_store


@pytest.fixture
def store(stack) -> Store:
    return fresh_store(stack)


def record(user: str, slot: int = 0, at: int | None = None, **extra) -> RenderRecord:
    at = at or int(time.time())
    return RenderRecord(
        render_id=new_render_id(at + len(extra)) + uuid.uuid4().hex[:4],
        user_id=user,
        project_id="prj",
        title="T",
        format="mp4",
        quality="low",
        width=854,
        height=480,
        video_seconds=1,
        estimated_render_seconds=5,
        created_at="2026-11-24T00:00:00.000Z",
        last_news_at=at,
        lock_slot=slot,
        quota_day="2026-11-24",
        **extra,
    )


def user() -> str:
    return f"store-{uuid.uuid4().hex[:8]}"


def test_start_is_all_or_nothing(store):
    who, now = user(), int(time.time())
    first = record(who)
    assert store.start_render(first, daily_limit=10, lock_expires_at=now + 900, now=now) == 1
    second = record(who)
    with pytest.raises(StartRefused) as refused:
        store.start_render(second, daily_limit=10, lock_expires_at=now + 900, now=now)
    assert refused.value.reason == "render_in_progress"
    assert store.get_render(who, second.render_id) is None  # no record written
    assert store.used_today(who, "2026-11-24") == 1  # no quota taken


def test_daily_limit_refuses_without_writing(store):
    who, now = user(), int(time.time())
    for slot in range(3):
        store.start_render(record(who, slot=slot), daily_limit=3, lock_expires_at=now + 900, now=now)
    fourth = record(who, slot=3)
    with pytest.raises(StartRefused) as refused:
        store.start_render(fourth, daily_limit=3, lock_expires_at=now + 900, now=now)
    assert refused.value.reason == "daily_limit"
    assert store.get_render(who, fourth.render_id) is None
    assert store.free_lock_slot(who, limit=4, now=now) == 3  # slot 3 was not taken either


def test_an_expired_lock_is_free_whatever_ttl_has_done(store):
    who, now = user(), int(time.time())
    store.start_render(record(who), daily_limit=10, lock_expires_at=now + 10, now=now)
    assert store.free_lock_slot(who, limit=1, now=now) is None
    later = now + 11  # the lock item still exists (TTL never ran); its stored expiry decides
    assert store.free_lock_slot(who, limit=1, now=later) == 0
    assert store.start_render(record(who), daily_limit=10, lock_expires_at=later + 900, now=later) == 2


def test_finish_is_idempotent_releases_the_lock_and_refunds_when_asked(store):
    who, now = user(), int(time.time())
    started = record(who)
    store.start_render(started, daily_limit=10, lock_expires_at=now + 900, now=now)
    assert store.finish_render(started, RenderStatus.FAILED, {"error": "ours"}, refund=True, now=now)
    assert not store.finish_render(started, RenderStatus.SUCCEEDED, {}, refund=True, now=now)  # terminal stays
    ended = store.get_render(who, started.render_id)
    assert (ended.status, ended.error) == (RenderStatus.FAILED, "ours")
    assert store.used_today(who, "2026-11-24") == 0  # refunded once, not twice
    assert store.free_lock_slot(who, limit=1, now=now) == 0


def test_progress_never_goes_down_and_ended_renders_do_not_move(store):
    who, now = user(), int(time.time())
    started = record(who)
    store.start_render(started, daily_limit=10, lock_expires_at=now + 900, now=now)
    assert store.update_render(started, {"progress": 40}, now=now)
    assert not store.update_render(started, {"progress": 30}, now=now)
    assert store.get_render(who, started.render_id).progress == 40
    store.finish_render(started, RenderStatus.CANCELLED, {}, refund=False, now=now)
    assert not store.update_render(started, {"progress": 90}, now=now)


class _SilentBackend:
    """The edge this test cannot reach: a render function that never answers again."""

    enforces_time_budget = False  # as Remotion Lambda: the service holds renders to their budget

    def __init__(self):
        self.cancelled = []

    def progress(self, record):
        return None

    def cancel(self, record):
        self.cancelled.append(record.render_id)

    def render_budget(self):
        return 4

    def budget_share(self, frames, every_nth_frame):
        return 1


def test_the_sweeper_times_out_renders_without_news_and_frees_their_locks(store):
    settings = ServiceSettings(TABLE_NAME=store.table_name, BUCKET_NAME=BUCKET_NAME, RENDER_MODE="local")
    backend = _SilentBackend()
    services = compose(settings, store=store, backend=backend, sign_download=lambda *_: "unused")
    who, now = user(), int(time.time())
    stale = record(who, at=now - settings.render_timeout_seconds - 120, status=RenderStatus.RENDERING)
    store.start_render(stale, daily_limit=10, lock_expires_at=now + 600, now=now)
    fresh_user = user()
    fresh = record(fresh_user, status=RenderStatus.RENDERING)
    store.start_render(fresh, daily_limit=10, lock_expires_at=now + 900, now=now)

    assert lifecycle.sweep(services) == {"finalized": 0, "timed_out": 1, "over_budget": 0, "reclaimed": 0}
    swept = store.get_render(who, stale.render_id)
    assert swept.status is RenderStatus.TIMED_OUT and swept.completed_at
    assert store.free_lock_slot(who, limit=1, now=now) == 0
    assert store.used_today(who, "2026-11-24") == 0  # the time-out is ours: refunded
    assert store.get_render(fresh_user, fresh.render_id).status is RenderStatus.RENDERING
    assert backend.cancelled == [stale.render_id]
    assert lifecycle.sweep(services) == {
        "finalized": 0,
        "timed_out": 0,
        "over_budget": 0,
        "reclaimed": 0,
    }  # nothing twice
