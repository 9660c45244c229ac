"""Exports: start, progress, every way one ends, downloads and statistics (design section 6)."""

import hashlib
import logging
import math
import re
import secrets
from collections import Counter
from dataclasses import dataclass

from functions.backends import BackendProgress, BackendRefused, RenderBackend, RenderRequest
from functions.domain import clock
from functions.domain.projects import as_project, get_project
from functions.errors import BackendUnavailable, Conflict, NotFound, QuotaExceeded
from functions.limits import FPS, Limits
from functions.models.composition import CompositionProps
from functions.models.records import DownloadEvent, RenderRecord, RenderStatus
from functions.preprocess.compile import compile_project
from functions.render_settings import OutputFormat, Quality, check_duration, design_size, render_settings
from functions.settings import RenderMode, ServiceSettings
from functions.store import StartRefused, Store

logger = logging.getLogger(__name__)

# Lock expiry: the longest a render may take, plus the sweeper's margin; a crashed render frees its
# user's slot by itself when this passes, whether or not anything ran.
_LOCK_MARGIN_SECONDS = 300
# Render speed for estimates: frames per second of wall time (docs/benchmarks.md for local; Remotion
# Lambda fans out, so it is bound by start-up and stitching more than by length).
_LOCAL_FRAMES_PER_SECOND = 14.0
_LAMBDA_SECONDS = (15.0, 0.01)  # fixed, per frame


@dataclass(frozen=True)
class Services:
    store: Store
    backend: RenderBackend
    settings: ServiceSettings
    webhook_secret: str

    @property
    def limits(self) -> Limits:
        return Limits(max_render_duration_minutes=self.settings.max_render_duration_minutes)


def new_render_id(at: float) -> str:
    # Time first, so that renders sort newest first by their id.
    return f"rnd_{int(at * 1000):012x}{secrets.token_hex(4)}"


def estimate_render_seconds(frames: int, every_nth_frame: int, mode: RenderMode) -> float:
    encoded = math.ceil(frames / every_nth_frame)
    if mode is RenderMode.LOCAL:
        return round(3 + encoded / _LOCAL_FRAMES_PER_SECOND, 1)
    fixed, per_frame = _LAMBDA_SECONDS
    return round(fixed + encoded * per_frame, 1)


def download_name(title: str, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "", title).strip().replace(" ", "-") or "framecast"
    return f"{stem[:80]}.{extension}"


def preview(services: Services, user_id: str, project_id: str) -> dict:
    """The compiled project at its design size, with the estimates the export modal shows."""
    project = as_project(get_project(services.store, user_id, project_id))
    compiled = compile_project(project, services.limits)
    design_width, design_height = design_size(project)
    props = CompositionProps(title=project.title, width=design_width, height=design_height,
                             design_width=design_width, design_height=design_height, scenes=compiled.scenes)
    mode = services.settings.render_mode
    return {
        "props": props,
        "videoSeconds": round(compiled.total_frames / FPS, 3),
        "renderSeconds": {fmt.value: {q.value: estimate_render_seconds(
            compiled.total_frames, render_settings(project, fmt, q).every_nth_frame, mode) for q in Quality}
            for fmt in OutputFormat},
        "maxGifSeconds": services.limits.max_gif_seconds,
        "maxRenderMinutes": services.limits.max_render_duration_minutes,
        "warnings": compiled.warnings,
    }


def start_render(services: Services, user_id: str, project_id: str, fmt: OutputFormat, quality: Quality) -> dict:
    """Preprocess (no quota spent on a project that cannot render), take quota and lock, start."""
    settings = services.settings
    project_record = get_project(services.store, user_id, project_id)
    project = as_project(project_record)
    compiled = compile_project(project, services.limits)
    check_duration(compiled.total_frames, fmt, services.limits)
    render = render_settings(project, fmt, quality)
    design_width, design_height = design_size(project)
    props = CompositionProps(title=project.title, width=render.width, height=render.height,
                             design_width=design_width, design_height=design_height, scenes=compiled.scenes)

    at = clock.now()
    now = int(at)
    slot = services.store.free_lock_slot(user_id, settings.concurrent_render_limit, now)
    if slot is None:
        raise _render_in_progress(services, user_id)
    record = RenderRecord(
        render_id=new_render_id(at), user_id=user_id, project_id=project_id, title=project.title,
        format=fmt, quality=quality, width=render.width, height=render.height,
        video_seconds=round(compiled.total_frames / FPS, 3),
        estimated_render_seconds=estimate_render_seconds(compiled.total_frames, render.every_nth_frame,
                                                         settings.render_mode),
        created_at=clock.iso(at), last_news_at=now, lock_slot=slot, quota_day=clock.day(at),
        warnings=compiled.warnings,
    )
    try:
        used = services.store.start_render(record, settings.daily_export_limit,
                                           lock_expires_at=now + settings.render_timeout_seconds + _LOCK_MARGIN_SECONDS,
                                           now=now)
    except StartRefused as refused:
        if refused.reason == "daily_limit":
            raise QuotaExceeded("daily_limit", f"you have used all {settings.daily_export_limit} exports of today "
                                "(UTC); the count starts again at midnight UTC",
                                retry_after=clock.seconds_to_next_day(at)) from None
        raise _render_in_progress(services, user_id) from None

    request = RenderRequest(record=record, props=props, settings=render,
                            download_name=download_name(project.title, render.extension),
                            webhook_url=settings.webhook_url, webhook_secret=services.webhook_secret)
    try:
        started = services.backend.start(request)
    except BackendRefused as refused:
        logger.warning("render backend refused %s: %s", record.render_id, refused)
        finish(services, record, RenderStatus.FAILED, error=str(refused), refund=True)
        raise BackendUnavailable("the render service could not start this export; it was not counted "
                                 "against your quota, please try again") from None
    services.store.update_render(record, {"status": RenderStatus.RENDERING,
                                          "backendRenderId": started.backend_render_id,
                                          "bucketName": started.bucket_name}, now=int(clock.now()))
    return {
        "renderId": record.render_id,
        "status": RenderStatus.RENDERING.value,
        "estimate": {"videoSeconds": record.video_seconds, "renderSeconds": record.estimated_render_seconds},
        "quota": {"usedToday": used, "dailyLimit": settings.daily_export_limit},
    }


def _render_in_progress(services: Services, user_id: str) -> QuotaExceeded:
    active = [r for r in services.store.list_renders(user_id, 20, None)[0] if not r.status.terminal]
    details = [{"renderId": r.render_id, "status": r.status.value} for r in active]
    limit = services.settings.concurrent_render_limit
    return QuotaExceeded("render_in_progress",
                         f"{'a render is' if limit == 1 else f'{limit} renders are'} already running; "
                         "wait for it to finish or cancel it", retry_after=10, details=details)


def finish(services: Services, record: RenderRecord, status: RenderStatus, *, error: str | None = None,
           refund: bool = False, outcome: BackendProgress | None = None) -> bool:
    """The one way a render ends (webhook, poll, cancel, sweeper). Idempotent; releases the lock."""
    at = clock.now()
    fields: dict = {"completedAt": clock.iso(at)}
    if status is RenderStatus.SUCCEEDED:
        fields["progress"] = 100
    if error:
        fields["error"] = error
    if outcome:
        fields |= {k: v for k, v in {
            "outputKey": outcome.output_key, "sizeBytes": outcome.size_bytes, "costs": outcome.costs,
            "renderSeconds": outcome.render_seconds,
        }.items() if v is not None}
        if outcome.warnings:
            fields["warnings"] = sorted(set(record.warnings) | set(outcome.warnings))
    if "renderSeconds" not in fields and status is RenderStatus.SUCCEEDED:
        fields["renderSeconds"] = round(at - clock.epoch(record.created_at), 3)
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


def apply_outcome(services: Services, record: RenderRecord, outcome: BackendProgress) -> bool:
    """What the backend says of a render, applied: progress, or the end it reached."""
    if outcome.fatal_error:
        return finish(services, record, RenderStatus.FAILED, error=outcome.fatal_error, outcome=outcome)
    if outcome.done:
        return finish(services, record, RenderStatus.SUCCEEDED, outcome=outcome)
    progress = round(min(outcome.progress, 0.99) * 100, 1)  # 100 is for a finished file only
    return services.store.update_render(record, {"progress": max(progress, record.progress),
                                                 "progressCheckedAt": clock.now()}, now=int(clock.now()))


def get_render(services: Services, user_id: str, render_id: str) -> RenderRecord:
    """The render, its progress refreshed from the backend at most every few seconds."""
    record = services.store.get_render(user_id, render_id)
    if record is None:
        raise NotFound(f"render {render_id} was not found")
    if record.status.terminal or clock.now() - record.progress_checked_at < services.settings.progress_refresh_seconds:
        return record
    try:
        outcome = services.backend.progress(record)
    except Exception:  # a poll that cannot reach the backend is no reason to fail the read
        logger.exception("progress of %s could not be read", render_id)
        return record
    if outcome is not None:
        apply_outcome(services, record, outcome)
        record = services.store.get_render(user_id, render_id) or record
    return record


def list_renders(services: Services, user_id: str, limit: int, cursor: str | None) -> tuple[list[RenderRecord], str | None]:
    return services.store.list_renders(user_id, limit, cursor)


def cancel_render(services: Services, user_id: str, render_id: str) -> RenderRecord:
    record = services.store.get_render(user_id, render_id)
    if record is None:
        raise NotFound(f"render {render_id} was not found")
    if record.status.terminal:
        raise Conflict(f"render {render_id} has already ended: {record.status.value}")
    # The render is ours to end whatever the backend says; its output is never used.
    _stop_backend(services, record)
    finish(services, record, RenderStatus.CANCELLED, error="cancelled by the user")
    return services.store.get_render(user_id, render_id) or record


def apply_webhook(services: Services, payload: dict) -> bool:
    """Remotion's completion webhook: success, error or timeout. False for a duplicate."""
    custom = payload.get("customData") or {}
    user_id, render_id = custom.get("userId"), custom.get("renderId")
    record = services.store.get_render(user_id, render_id) if user_id and render_id else None
    if record is None:
        raise NotFound(f"no export for render {render_id or payload.get('renderId')}")
    kind = payload.get("type")
    if kind == "success":
        details = services.backend.progress(record)
        outcome = BackendProgress(
            progress=1.0, done=True,
            output_key=(details and details.output_key) or _key_of(payload.get("outputFile"), record),
            size_bytes=details.size_bytes if details else None,
            costs=payload.get("costs") or (details.costs if details else None),
            warnings=details.warnings if details else [],
            render_seconds=(payload.get("timeToFinish") or 0) / 1000 or None,
        )
        return finish(services, record, RenderStatus.SUCCEEDED, outcome=outcome)
    if kind == "timeout":
        return finish(services, record, RenderStatus.TIMED_OUT, error="the render timed out", refund=True)
    errors = payload.get("errors") or []
    message = "; ".join(str(e.get("message", e)) for e in errors) or "the render failed"
    return finish(services, record, RenderStatus.FAILED, error=message)


def _key_of(output_file: str | None, record: RenderRecord) -> str | None:
    if not output_file:
        return None
    marker = f"/{record.bucket_name}/" if record.bucket_name else None
    if marker and marker in output_file:
        return output_file.split(marker, 1)[1]
    return output_file.split(".amazonaws.com/", 1)[-1] if ".amazonaws.com/" in output_file else None


def sweep(services: Services) -> dict:
    """End renders with no news for longer than a render may take; free their locks."""
    now = int(clock.now())
    stale = services.store.stale_renders(news_before=now - services.settings.render_timeout_seconds - 60)
    ended = Counter()
    for record in stale:
        try:
            outcome = services.backend.progress(record)
        except Exception:
            logger.exception("progress of stale render %s could not be read", record.render_id)
            outcome = None
        if outcome is not None and (outcome.done or outcome.fatal_error):
            apply_outcome(services, record, outcome)
            ended["finalized"] += 1
        elif finish(services, record, RenderStatus.TIMED_OUT, error="no news from the renderer in time",
                    refund=True):
            ended["timed_out"] += 1
    return dict(ended)


def hash_ip(ip: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{ip}".encode()).hexdigest()[:32]


def record_download(services: Services, user_id: str, render_id: str, user_agent: str, ip: str,
                    url_for) -> dict:
    record = services.store.get_render(user_id, render_id)
    if record is None:
        raise NotFound(f"render {render_id} was not found")
    if record.status is not RenderStatus.SUCCEEDED or not record.output_key:
        raise Conflict(f"render {render_id} has no file to download: it is {record.status.value}")
    at = clock.now()
    event = DownloadEvent(render_id=render_id, at=clock.iso(at), user_agent=user_agent[:512],
                          ip_hash=hash_ip(ip, services.settings.ip_hash_salt))
    services.store.record_download(record, event, secrets.token_hex(4), now=int(at))
    seconds = services.settings.download_url_seconds
    url = url_for(record, download_name(record.title, record.format.value), seconds)
    return {"url": url, "expiresAt": clock.iso(at + seconds)}


def stats(services: Services, user_id: str) -> dict:
    renders = services.store.all_renders(user_id)
    done = [r.render_seconds for r in renders if r.status is RenderStatus.SUCCEEDED and r.render_seconds]
    settings = services.settings
    return {
        "total": len(renders),
        "byStatus": dict(Counter(r.status.value for r in renders)),
        "byFormat": dict(Counter(r.format.value for r in renders)),
        "byQuality": dict(Counter(r.quality.value for r in renders)),
        "downloads": sum(r.downloads for r in renders),
        "meanRenderSeconds": round(sum(done) / len(done), 2) if done else None,
        "usedToday": services.store.used_today(user_id, clock.day(clock.now())),
        "dailyLimit": settings.daily_export_limit,
        "concurrentLimit": settings.concurrent_render_limit,
    }
