"""An export's thumbnail: a still of its own composition and props, made after the export ends.

Whoever ends an export with a success (its webhook, or the sweeper when the webhook never came)
only asks for it (`ask_for_thumbnail`); the thumbnailer makes it later (`make_thumbnail`): the
thumbnailer function, invoked asynchronously, on AWS; a thread of the stack here. A still takes
seconds (a cold render function on Lambda), which the webhook, answering within Remotion's 10 s
and starting the next queued export, should not spend on a nicety.

`renderStill()` on this machine, `render_still_on_lambda` on AWS (the backend's `render_still`).
A thumbnail is a nicety: when it cannot be made, the export is no less done, and the history
shows a placeholder.
"""

import logging

from functions.backends import BackendRefused, StillRequest
from functions.domain.export_plan import plan_export
from functions.domain.projects import as_project
from functions.domain.services import Services
from functions.models.composition import CompositionProps
from functions.models.records import RenderRecord, RenderStatus
from functions.models.thumbnail import ThumbnailRequest

logger = logging.getLogger(__name__)

# The long side of a thumbnail, in pixels: sharp in the history at twice its displayed size.
THUMBNAIL_LONG_SIDE = 320
THUMBNAIL_FILENAME = "thumbnail.jpg"


def poster_frame(props: CompositionProps) -> int:
    """Halfway into the first scene, where scenes have usually faded in (frame 0 is often an empty
    background): the frame the page's preview shows before it plays, too."""
    total = sum(scene.duration_in_frames for scene in props.scenes)
    return min(total - 1, props.scenes[0].duration_in_frames // 2)


def ask_for_thumbnail(services: Services, record: RenderRecord) -> None:
    """Have the still of an export that has just succeeded made, later. Never raises: the export
    has succeeded whatever happens to its thumbnail."""
    try:
        services.request_thumbnail(ThumbnailRequest(user_id=record.user_id, render_id=record.render_id))
    except Exception:
        logger.warning("no thumbnail asked for render %s", record.render_id, exc_info=True)


def make_thumbnail(services: Services, request: ThumbnailRequest) -> str | None:
    """The thumbnailer's work: the still of the export the request names, if it is a success with
    none yet (a request repeated, or for an export that has not succeeded, makes nothing)."""
    record = services.store.get_render(request.user_id, request.render_id)
    if record is None or record.status is not RenderStatus.SUCCEEDED:
        return None
    return record.thumbnail_key or add_thumbnail(services, record)


def add_thumbnail(services: Services, record: RenderRecord) -> str | None:
    """Make and name the still of a render that has succeeded; the key, or None when it was not
    made. Raises only when the render function was throttled, which is worth another try (Lambda
    retries the thumbnailer's invocation); any other failure leaves the export as it is."""
    try:
        key = _still_key(services, record)
        if key is not None and services.store.set_thumbnail(record, key):
            return key
    except BackendRefused as error:
        if error.throttled:
            raise
        logger.warning("no thumbnail for render %s: %s", record.render_id, error)
    except Exception:
        logger.warning("no thumbnail for render %s", record.render_id, exc_info=True)
    return None


def _still_key(services: Services, record: RenderRecord) -> str | None:
    stored = services.store.get_project(record.user_id, record.project_id)
    if stored is None or not record.content_key:
        return None  # the project was deleted while it rendered
    plan = plan_export(as_project(stored), record.format, record.quality, services.limits)
    if plan.content_key != record.content_key:
        # Edited while it rendered: today's scenes are not the ones in the file.
        logger.info("render %s: the project changed while it rendered; no thumbnail", record.render_id)
        return None
    scale = min(1.0, THUMBNAIL_LONG_SIDE / max(plan.output.width, plan.output.height))
    return services.backend.render_still(
        StillRequest(record=record, props=plan.props, frame=poster_frame(plan.props), scale=scale)
    )


def thumbnail_url(services: Services, record: RenderRecord) -> str | None:
    if not record.thumbnail_key:
        return None
    bucket = record.bucket_name or services.settings.bucket_name
    seconds = services.settings.download_url_seconds
    return services.sign_download(bucket, record.thumbnail_key, THUMBNAIL_FILENAME, seconds)


def reused_thumbnail(services: Services, earlier_render_id: str, user_id: str) -> str | None:
    """The still of the earlier export whose file an identical export reuses."""
    earlier = services.store.get_render(user_id, earlier_render_id)
    return earlier.thumbnail_key if earlier else None
