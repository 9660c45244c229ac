"""A render placed in flight through the store exactly as the start transaction places it."""

from functions.domain import clock
from functions.domain.naming import new_render_id
from functions.models.records import RenderRecord, RenderStatus
from functions.render_settings import OutputFormat, Quality


def place_in_flight(
    store,
    user_id: str,
    project_id: str = "prj_test",
    status: RenderStatus = RenderStatus.RENDERING,
    output_key: str | None = None,
    daily_limit: int = 10,
    title: str = "In flight",
) -> RenderRecord:
    """A render as `start_render` leaves it: record, daily count and lock taken in one transaction, the
    backend's render id its own (as the local backend's); `{render_id}` in `output_key` is filled in."""
    at = clock.now()
    now = int(at)
    render_id = new_render_id(at)
    output_key = output_key.format(render_id=render_id) if output_key else None
    record = RenderRecord(
        render_id=render_id,
        backend_render_id=render_id,
        user_id=user_id,
        project_id=project_id,
        title=title,
        format=OutputFormat.MP4,
        quality=Quality.LOW,
        width=480,
        height=480,
        video_seconds=1.0,
        estimated_render_seconds=4.0,
        created_at=clock.iso(at),
        last_news_at=now,
        lock_slot=0,
        quota_day=clock.day(at),
        status=status,
        bucket_name=store.bucket_name,
        output_key=output_key,
    )
    store.start_render(record, daily_limit, lock_expires_at=now + 1200, now=now)
    return record
