"""An export's life: start, the queue, progress, and every way it ends (design section 6).

Every end (webhook, a poll that finds it done, cancel, the sweeper) goes through `finish`: one
idempotent transition that also releases the lock and what the export held of the queue or the
render budget and, when the failure is ours, refunds the quota. Every end is followed by a
`dispatch`, so the budget it gave back goes to the next export in the queue at once.
"""

import logging
from typing import Any
from urllib.parse import unquote, urlsplit

from functions.backends import (
    BackendProgress,
    Failed,
    Running,
    Succeeded,
)
from functions.domain import admission, clock
from functions.domain.export_plan import plan_export
from functions.domain.naming import ascii_download_name, download_name, new_render_id
from functions.domain.projects import as_project, get_project
from functions.domain.public_text import public_text
from functions.domain.services import Services
from functions.domain.thumbnails import ask_for_thumbnail, reused_thumbnail, thumbnail_url
from functions.errors import BackendUnavailable, Conflict, InvalidRender, InvalidWebhook, NotFound, QuotaExceeded
from functions.models.api import Estimate, QueueState, QuotaState, RenderResponse, StartRenderResponse
from functions.models.records import RenderRecord, RenderStatus
from functions.models.webhook import ErrorWebhook, RemotionWebhook, SuccessWebhook
from functions.render_settings import OutputFormat, Quality
from functions.store import StartRefused
from functions.tables import RENDERS_PREFIX
from functions.time_budget import time_budget_seconds

logger = logging.getLogger(__name__)

# Lock expiry: the longest an export may wait in the queue and then render, plus the sweeper's
# margin; a crashed render frees its user's slot by itself when this passes, whether or not anything ran.
_LOCK_MARGIN_SECONDS = 300
QUEUE_TIMEOUT_MESSAGE = (
    "no render slot became free in time; this export was not counted against your quota, please try again"
)
REFUSED_MESSAGE = (
    "the render service could not start this export; it was not counted against your quota, please try again"
)


def describe(services: Services, record: RenderRecord, waiting: admission.Waiting | None = None) -> RenderResponse:
    queue = (
        QueueState(ahead=waiting.ahead, estimated_start_seconds=waiting.estimated_start_seconds) if waiting else None
    )
    response = RenderResponse.of(record, services.locate_output(record), thumbnail_url(services, record), queue)
    # Every render a user reads passes here. finish() has written its end scrubbed already; this
    # covers the plan's warnings and records ended before that.
    return response.model_copy(
        update={
            "error": public_text(response.error) if response.error else response.error,
            "warnings": [public_text(warning) for warning in response.warnings],
        }
    )


def start_render(
    services: Services, user_id: str, project_id: str, fmt: OutputFormat, quality: Quality
) -> StartRenderResponse:
    """Plan (no quota spent on a project that cannot render), reuse an identical file, or take
    quota and lock in one transaction and start the backend."""
    settings = services.settings
    project = as_project(get_project(services.store, user_id, project_id))
    plan = plan_export(project, fmt, quality, services.limits)
    share = services.backend.budget_share(plan.total_frames, plan.output.every_nth_frame)
    budget = services.backend.render_budget()
    if share > budget:
        raise InvalidRender(
            f"this export needs {share} renderers at once and the render service has {budget} in all; "
            "make it shorter or split it"
        )
    at = clock.now()
    render_id = new_render_id(at)
    record = RenderRecord(
        render_id=render_id,
        user_id=user_id,
        project_id=project_id,
        title=project.title,
        format=fmt,
        quality=quality,
        width=plan.output.width,
        height=plan.output.height,
        video_seconds=plan.video_seconds,
        estimated_render_seconds=services.backend.estimate_seconds(plan.total_frames, plan.output.every_nth_frame),
        created_at=clock.iso(at),
        last_news_at=int(at),
        lock_slot=0,
        quota_day=clock.day(at),
        warnings=plan.warnings,
        content_key=plan.content_key,
        budget_share=share,
        queue_order=admission.queue_order(at, render_id),
    )
    reused = _reuse_identical(services, record)
    if reused is not None:
        return reused
    slot = services.store.free_lock_slot(user_id, settings.concurrent_render_limit, int(at))
    if slot is None:
        raise _render_in_progress(services, user_id)
    record = record.model_copy(update={"lock_slot": slot})
    # Remotion writes this name into the file's own header, percent-encoded when it is not plain
    # ASCII: it gets the ASCII name; our download links ask for the title itself (downloads.py).
    filename = ascii_download_name(download_name(project.title, plan.output.extension))
    # Kept before the export is accepted: whoever admits it renders exactly this, whatever the
    # project becomes meanwhile.
    services.store.put_render_request(record.render_id, admission.stored_request(plan.props, plan.output, filename))
    # The lock outlives the longest this render may run: the function's timeout, or locally its
    # time budget, which a long export's exceeds (functions/time_budget.py).
    runs_for = time_budget_seconds(plan.total_frames, plan.output.every_nth_frame, quality, settings.time_budget_scale)
    record = record.model_copy(update={"time_budget_seconds": runs_for})
    longest = (
        settings.queue_timeout_seconds + max(settings.render_timeout_seconds, int(runs_for)) + _LOCK_MARGIN_SECONDS
    )
    try:
        used = services.store.start_render(
            record, settings.daily_export_limit, lock_expires_at=int(at) + longest, now=int(at)
        )
    except StartRefused as refused:
        if refused.reason == "daily_limit":
            raise QuotaExceeded(
                "daily_limit",
                f"you have used all {settings.daily_export_limit} exports of today "
                "(UTC); the count starts again at midnight UTC",
                retry_after=clock.seconds_to_next_day(at),
            ) from None
        raise _render_in_progress(services, user_id) from None
    outcome = dispatch(services).get(record.render_id)
    if isinstance(outcome, admission.Refused):
        raise BackendUnavailable(REFUSED_MESSAGE)
    current = services.store.get_render(user_id, record.render_id) or record
    return StartRenderResponse(
        render_id=record.render_id,
        status=current.status,
        estimate=Estimate(video_seconds=record.video_seconds, render_seconds=record.estimated_render_seconds),
        quota=QuotaState(used_today=used, daily_limit=settings.daily_export_limit),
    )


def _reuse_identical(services: Services, record: RenderRecord) -> StartRenderResponse | None:
    """The file of an identical earlier export, as a new export that is done at once and free."""
    assert record.content_key
    earlier = services.store.find_output(record.user_id, record.content_key)
    if earlier is None or not services.store.output_exists(earlier.bucket_name, earlier.output_key):
        return None  # never made, or its file has expired: render it again
    now = clock.now()
    reused = record.model_copy(
        update={
            "status": RenderStatus.SUCCEEDED,
            "progress": 100,
            "reused": True,
            "completed_at": clock.iso(now),
            "output_key": earlier.output_key,
            "bucket_name": earlier.bucket_name,
            "size_bytes": earlier.size_bytes,
            "thumbnail_key": reused_thumbnail(services, earlier.render_id, record.user_id),
            "render_seconds": 0,
            "estimated_render_seconds": 0,
        }
    )
    services.store.put_ended_render(reused)
    if reused.thumbnail_key is None:
        # The earlier export's still is not made yet (or could not be): this one gets its own.
        ask_for_thumbnail(services, reused)
    used = services.store.used_today(record.user_id, record.quota_day)
    return StartRenderResponse(
        render_id=reused.render_id,
        status=RenderStatus.SUCCEEDED,
        estimate=Estimate(video_seconds=reused.video_seconds, render_seconds=0),
        quota=QuotaState(used_today=used, daily_limit=services.settings.daily_export_limit),
    )


def dispatch(services: Services) -> dict[str, admission.Outcome]:
    """Start what the budget has room for; end the exports the backend refused (ours: refunded),
    and hand the budget they gave back to the next ones."""
    outcomes: dict[str, admission.Outcome] = {}
    while True:
        round_ = admission.dispatch(services)
        outcomes |= round_
        refused = [o for o in round_.values() if isinstance(o, admission.Refused)]
        for outcome in refused:
            finish(services, outcome.record, RenderStatus.FAILED, error=REFUSED_MESSAGE, refund=True)
        if not refused:
            return outcomes


def _render_in_progress(services: Services, user_id: str) -> QuotaExceeded:
    active = [r for r in services.store.list_renders(user_id, 20, None)[0] if not r.status.terminal]
    details = [{"renderId": r.render_id, "status": r.status.value} for r in active]
    limit = services.settings.concurrent_render_limit
    return QuotaExceeded(
        "render_in_progress",
        f"{'a render is' if limit == 1 else f'{limit} renders are'} already running; "
        "wait for it to finish or cancel it",
        retry_after=10,
        details=details,
    )


def finish(
    services: Services,
    record: RenderRecord,
    status: RenderStatus,
    *,
    error: str | None = None,
    refund: bool = False,
    report: Succeeded | Failed | None = None,
) -> bool:
    """The one way a render ends. Idempotent: only the first caller changes anything."""
    at = clock.now()
    fields: dict[str, Any] = {"completedAt": clock.iso(at)}
    # Every end of a render passes here, on both backends: the one place its error and warnings
    # are written for the user to read, so the one place they lose internal hosts, ports and paths.
    if error:
        fields["error"] = public_text(error)
    if refund:
        fields["refunded"] = True
    match report:
        case Succeeded():
            fields |= {
                k: v
                for k, v in {
                    "outputKey": report.output_key,
                    "sizeBytes": report.size_bytes,
                    "costs": report.costs,
                    "renderSeconds": report.render_seconds,
                }.items()
                if v is not None
            }
    if report is not None and report.warnings:
        fields["warnings"] = sorted(set(record.warnings) | {public_text(w) for w in report.warnings})
    if status is RenderStatus.SUCCEEDED:
        fields["progress"] = 100
        fields.setdefault("renderSeconds", round(at - clock.epoch(record.created_at), 3))
    changed = services.store.finish_render(record, status, fields, refund=refund, now=int(at))
    if changed:
        logger.info("render %s ended: %s", record.render_id, status.value)
        if status in (RenderStatus.FAILED, RenderStatus.TIMED_OUT):
            _stop_backend(services, record)  # whatever still runs of it renders for nobody
    return changed


def _stop_backend(services: Services, record: RenderRecord) -> None:
    try:
        services.backend.cancel(record)
    except Exception:
        logger.warning("the backend could not stop %s", record.render_id, exc_info=True)


def _backend_report(services: Services, record: RenderRecord) -> BackendProgress | None:
    """What the backend says of a render, or None when it cannot say (a read is no reason to fail)."""
    try:
        return services.backend.progress(record)
    except Exception:
        logger.exception("progress of %s could not be read", record.render_id)
        return None


def apply_progress(services: Services, record: RenderRecord, report: BackendProgress) -> bool:
    """A backend's report on a render, applied: progress, or the end it reached."""
    match report:
        case Failed(error=error, ours=ours):
            return finish(services, record, RenderStatus.FAILED, error=error, refund=ours, report=report)
        case Succeeded():
            return finish(services, record, RenderStatus.SUCCEEDED, report=report)
        case Running(progress=progress):
            percent = round(min(progress, 0.99) * 100, 1)  # 100 is for a finished file only
            return services.store.update_render(
                record,
                {"progress": max(percent, record.progress), "progressCheckedAt": clock.now()},
                now=int(clock.now()),
            )


def _owned_render(services: Services, user_id: str, render_id: str) -> RenderRecord:
    record = services.store.get_render(user_id, render_id)
    if record is None:
        raise NotFound(f"render {render_id} was not found")
    return record


def over_time_budget(services: Services, record: RenderRecord) -> str | None:
    """Why a render that is still rendering must end as its scenes' fault: it ran past its time
    budget. Only where the backend does not hold renders to it itself (Remotion Lambda, whose
    progress names no scene: the message cannot name the slowest one)."""
    budget = record.time_budget_seconds
    if services.backend.enforces_time_budget or budget is None or record.started_at is None:
        return None
    ran = clock.now() - clock.epoch(record.started_at)
    if ran <= budget:
        return None
    return (
        f"the render ran past its time budget of {budget:.0f} s for this length and quality: "
        "a scene takes far longer per frame than it should"
    )


def _end_over_budget(services: Services, record: RenderRecord, reason: str) -> bool:
    """Stop it spending, and end it as the scene's: counted, not refunded."""
    _stop_backend(services, record)
    return finish(services, record, RenderStatus.FAILED, error=reason, refund=False)


def get_render(services: Services, user_id: str, render_id: str) -> RenderResponse:
    """The render, its progress refreshed from the backend at most every few seconds; where it
    stands in the queue while it waits."""
    record = _owned_render(services, user_id, render_id)
    if record.status is RenderStatus.QUEUED:
        return describe(services, record, admission.waiting(services, record, clock.now()))
    if record.status.terminal or clock.now() - record.progress_checked_at < services.settings.progress_refresh_seconds:
        return describe(services, record)
    report = _backend_report(services, record)
    reason = over_time_budget(services, record) if isinstance(report, Running) else None
    if reason is not None and _end_over_budget(services, record, reason):
        dispatch(services)
        record = services.store.get_render(user_id, render_id) or record
    elif report is not None and apply_progress(services, record, report):
        if isinstance(report, Succeeded | Failed):
            dispatch(services)
        record = services.store.get_render(user_id, render_id) or record
    return describe(services, record)


def cancel_render(services: Services, user_id: str, render_id: str) -> RenderResponse:
    record = _owned_render(services, user_id, render_id)
    if record.status.terminal:
        raise Conflict(f"render {render_id} has already ended: {record.status.value}")
    # The render is ours to end whatever the backend says; its output is never used. A cancel
    # counts, unless the export never left the queue (nothing was spent on it).
    queued = record.status is RenderStatus.QUEUED
    if not queued:
        _stop_backend(services, record)
    if finish(services, record, RenderStatus.CANCELLED, error="cancelled by the user", refund=queued):
        dispatch(services)
    return describe(services, services.store.get_render(user_id, render_id) or record)


def apply_webhook(services: Services, webhook: RemotionWebhook) -> bool:
    """Remotion's completion webhook, already verified and parsed. False for a duplicate."""
    changed = _end_by_webhook(services, webhook)
    if changed:
        dispatch(services)
    return changed


def _end_by_webhook(services: Services, webhook: RemotionWebhook) -> bool:
    custom = webhook.custom_data
    record = services.store.get_render(custom.user_id, custom.render_id)
    if record is None:
        raise NotFound(f"no export for render {custom.render_id}")
    if record.backend_render_id and webhook.render_id != record.backend_render_id:
        raise InvalidWebhook(
            f"the webhook names render {webhook.render_id}, not the one export {record.render_id} started"
        )
    match webhook:
        case SuccessWebhook():
            changed = finish(
                services, record, RenderStatus.SUCCEEDED, report=_success_report(services, record, webhook)
            )
            if (changed or record.status is RenderStatus.SUCCEEDED) and not record.thumbnail_key:
                # Asked for here rather than in finish(): a user's poll that finds the render done
                # first has nothing to do with stills. Made later: the webhook never waits for it.
                ask_for_thumbnail(services, record)
            return changed
        case ErrorWebhook(errors=errors):
            # The webhook's errors are the failure's name, message and stack: text a scene writes
            # (docs/reliability.md, "Who pays"). Whether it is ours is the backend's structured
            # report alone (our pool's RenderFailed.ours locally, Remotion's progress fields on
            # Lambda); with no such report, the failure counts.
            message = "; ".join(e.message for e in errors if e.message) or "the render failed"
            details = _backend_report(services, record)
            failed = details if isinstance(details, Failed) else None
            return finish(
                services,
                record,
                RenderStatus.FAILED,
                error=message,
                refund=failed is not None and failed.ours,
                report=failed,
            )
        case _:  # timeout: the render function ran out of time
            # Past the render's own budget that is its scenes' doing; within it, ours to fix.
            if (reason := over_time_budget(services, record)) is not None:
                return finish(services, record, RenderStatus.FAILED, error=reason, refund=False)
            return finish(services, record, RenderStatus.TIMED_OUT, error="the render timed out", refund=True)


def _success_report(services: Services, record: RenderRecord, webhook: SuccessWebhook) -> Succeeded:
    """The webhook's outcome, checked: the file must be where this render was started to write it."""
    details = _backend_report(services, record)
    succeeded = details if isinstance(details, Succeeded) else None
    key = succeeded.output_key if succeeded else _key_in_bucket(webhook.output_file, record.bucket_name)
    expected_prefix = f"{RENDERS_PREFIX}{record.backend_render_id}/"
    if (
        not record.backend_render_id
        or webhook.bucket_name != record.bucket_name
        or not key
        or not key.startswith(expected_prefix)
        or ".." in key.split("/")
    ):
        raise InvalidWebhook(
            f"the output of render {record.render_id} must be under {record.bucket_name}/{expected_prefix}"
        )
    return Succeeded(
        output_key=key,
        size_bytes=succeeded.size_bytes if succeeded else None,
        costs=webhook.costs or (succeeded.costs if succeeded else None),
        warnings=succeeded.warnings if succeeded else (),
        render_seconds=(webhook.time_to_finish or 0) / 1000 or None,
    )


def _key_in_bucket(url: str | None, bucket: str | None) -> str | None:
    """The object key in `bucket` that an output URL names: s3://bucket/key, path-style
    https://s3.<region>.amazonaws.com/bucket/key (what Remotion sends) or virtual-hosted style."""
    if not url or not bucket:
        return None
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme == "s3":
        return path.lstrip("/") if parts.netloc == bucket else None
    if parts.scheme == "https" and parts.netloc.startswith(f"{bucket}.s3."):
        return path.lstrip("/")
    if parts.scheme == "https" and parts.netloc.startswith("s3.") and path.startswith(f"/{bucket}/"):
        return path[len(bucket) + 2 :]
    return None


def sweep(services: Services) -> dict[str, int]:
    """End renders with no news for longer than a render may take, and exports that waited in the
    queue longer than they may; free their locks; reclaim lost budget; start what has room."""
    now = int(clock.now())
    settings = services.settings
    ended = {"finalized": 0, "timed_out": 0, "over_budget": 0, "reclaimed": admission.reclaim(services)}
    news_before = now - settings.render_timeout_seconds - 60
    for record in services.store.active_renders():
        stale = record.last_news_at < news_before
        if record.status is RenderStatus.QUEUED:
            waited = now - clock.epoch(record.created_at)
            if (
                stale
                and waited > settings.queue_timeout_seconds
                and finish(services, record, RenderStatus.TIMED_OUT, error=QUEUE_TIMEOUT_MESSAGE, refund=True)
            ):
                ended["timed_out"] += 1
            continue
        # Whoever watches it or not, a render past its budget stops spending within a minute.
        over = over_time_budget(services, record) if record.status is RenderStatus.RENDERING else None
        if over is None and not stale:
            continue
        report = _backend_report(services, record)
        if isinstance(report, Succeeded | Failed):
            if apply_progress(services, record, report) and isinstance(report, Succeeded):
                ask_for_thumbnail(services, record)  # its webhook never came
            ended["finalized"] += 1
        elif over is not None and isinstance(report, Running):
            # Past its budget while the backend says it still renders: the scene's. Silence alone is
            # no sign of a slow scene; that is the no-news rule, ours.
            ended["over_budget"] += _end_over_budget(services, record, over)
        elif stale and finish(
            services, record, RenderStatus.TIMED_OUT, error="no news from the renderer in time", refund=True
        ):
            ended["timed_out"] += 1
    dispatch(services)
    return ended
