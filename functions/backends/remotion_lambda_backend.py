"""Remotion Lambda through the official `remotion_lambda` client."""

import math

from botocore.exceptions import BotoCoreError, ClientError
from remotion_lambda import RemotionClient, RenderMediaParams, RenderStillParams, ShouldDownload, Webhook
from remotion_lambda.exception import RemotionException
from remotion_lambda.models import DeleteAfter, Privacy, ValidStillImageFormats

from functions.backends.base import (
    BackendProgress,
    BackendRefused,
    BackendStart,
    Failed,
    RenderRequest,
    Running,
    StillRequest,
    Succeeded,
    remotion_failure_is_ours,
)
from functions.contract import COMPOSITION_ID
from functions.models.records import RenderRecord
from functions.settings import ServiceSettings

# Remotion's own estimate of a warm render: start-up and stitching, then frames spread over many
# Lambdas (docs/benchmarks.md: 1 minute of 1080p in about 19 s warm).
_FIXED_SECONDS = 8.0
_SECONDS_PER_FRAME_PER_LAMBDA = 0.25
# Remotion never gives a Lambda fewer frames than this (serverless-client MINIMUM_FRAMES_PER_FUNCTION).
_MINIMUM_FRAMES_PER_LAMBDA = 5


def remotion_frames_per_lambda(frames: int) -> int:
    """Remotion's default split (bestFramesPerFunctionParam in @remotion/serverless-client 4.0.527):
    75 Lambdas for a short video up to 150 for 10 minutes and more, at least 20 frames each."""
    concurrency = 75 + 75 * min(frames, 18000) / 18000
    per_function = max(frames / concurrency, 20)
    return math.ceil(frames / math.ceil(frames / per_function))


def frames_per_lambda(frames: int, max_concurrency: int) -> int:
    """Remotion's default, widened so that one render's renderers and its main function never ask
    for more Lambdas than we allow it."""
    renderers = max(1, max_concurrency - 1)
    return max(remotion_frames_per_lambda(frames), math.ceil(frames / renderers), _MINIMUM_FRAMES_PER_LAMBDA)


def render_budget(concurrency: int) -> int:
    """What renders may hold together of the render function's concurrency. The rest is kept for
    the function's short calls that are not renders (progress reads, cancels, thumbnails' stills):
    with every slot rendering, those would be throttled. A tenth, at least 3: each start overlaps its
    render's main function for a moment, and each success's thumbnail holds a Lambda for seconds."""
    return max(1, concurrency - max(3, math.ceil(concurrency / 10)))


def lambdas_of(frames: int, max_concurrency: int) -> int:
    """The Lambdas one render runs at once: a renderer per `frames_per_lambda` frames, and its main
    function."""
    return math.ceil(frames / frames_per_lambda(frames, max_concurrency)) + 1


def render_lambdas(concurrency: int) -> int:
    """The most Lambdas one render may run at once: the budget less the one its start and its still take."""
    return max(2, render_budget(concurrency) - 1)


def share_of(frames: int, concurrency: int) -> int:
    """What one render holds of the render budget: its Lambdas and one for its start and its still."""
    return lambdas_of(frames, render_lambdas(concurrency)) + 1


# Lambda's own error types for a throttled invocation (botocore's error codes, never message text).
THROTTLE_ERRORS = frozenset({"TooManyRequestsException", "ThrottlingException", "EC2ThrottledException"})


# Remotion's deleteAfter choices, in days (each is a lifecycle rule on its own prefix of the bucket).
_DELETE_AFTER = {
    1: DeleteAfter.ONE_DAY,
    3: DeleteAfter.THREE_DAYS,
    7: DeleteAfter.SEVEN_DAYS,
    30: DeleteAfter.THIRTY_DAYS,
}


def delete_after(retention_days: int) -> str:
    """The longest of Remotion's deleteAfter choices that keeps a render no longer than we promise."""
    return str(_DELETE_AFTER[max(days for days in _DELETE_AFTER if days <= retention_days)].value)


def render_params(
    request: RenderRequest, bucket_name: str, max_concurrency: int, retention_days: int = 30
) -> RenderMediaParams:
    """Everything Remotion Lambda needs for one export; tested through construct_render_request."""
    output, record = request.settings, request.record
    frames = sum(scene.duration_in_frames for scene in request.props.scenes)
    return RenderMediaParams(
        composition=COMPOSITION_ID,
        input_props=request.props.to_json_dict(),
        bucket_name=bucket_name,
        codec=output.codec,
        crf=output.crf,
        jpeg_quality=output.jpeg_quality,
        image_format=ValidStillImageFormats.JPEG,
        every_nth_frame=output.every_nth_frame,
        number_of_gif_loops=0 if output.codec == "gif" else None,  # 0: loop forever
        # The composition sizes itself from the props; forcing the same size makes the payload say it.
        force_width=output.width,
        force_height=output.height,
        frames_per_lambda=frames_per_lambda(frames, max_concurrency),
        privacy=Privacy.PRIVATE,
        download_behavior=ShouldDownload(type="download", fileName=request.download_name),
        webhook=Webhook(
            secret=request.webhook_secret,
            url=request.webhook_url,
            customData={"renderId": record.render_id, "userId": record.user_id},
        ),
        enable_cancellation=True,
        delete_after=delete_after(retention_days),
        max_retries=1,
    )


def still_params(request: StillRequest, retention_days: int = 30) -> RenderStillParams:
    """A thumbnail: the export's composition and props at one frame, into the export's bucket, kept
    as long as the export."""
    return RenderStillParams(
        composition=COMPOSITION_ID,
        input_props=request.props.to_json_dict(),
        frame=request.frame,
        scale=request.scale,
        image_format=ValidStillImageFormats.JPEG,
        jpeg_quality=80,
        privacy=Privacy.PRIVATE,
        force_bucket_name=request.record.bucket_name,
        delete_after=delete_after(retention_days),
        max_retries=1,
    )


class RemotionLambdaBackend:
    # Remotion's function has only its own 900 s timeout; the service holds a render to its budget.
    enforces_time_budget = False

    def __init__(self, settings: ServiceSettings, client: RemotionClient | None = None):
        self.settings = settings
        self.client = client or RemotionClient(
            region=settings.region,
            serve_url=settings.remotion_serve_url,
            function_name=settings.remotion_function_name,
        )

    def start(self, request: RenderRequest) -> BackendStart:
        settings = self.settings
        params = render_params(
            request,
            settings.bucket_name,
            render_lambdas(settings.render_concurrency_limit),
            settings.render_retention_days,
        )
        try:
            response = self.client.render_media_on_lambda(params)
        except ClientError as error:
            throttled = error.response.get("Error", {}).get("Code") in THROTTLE_ERRORS
            raise BackendRefused(f"Remotion Lambda refused the render: {error}", throttled=throttled) from error
        except (RemotionException, BotoCoreError, ValueError) as error:
            # Whatever the function or the client refused (throttled, misconfigured, two
            # remotionlambda-* buckets in the region, ...) is ours: the caller refunds.
            raise BackendRefused(f"Remotion Lambda refused the render: {error}") from error
        if response is None:
            raise BackendRefused("Remotion Lambda gave no render id")
        return BackendStart(backend_render_id=response.render_id, bucket_name=response.bucket_name)

    def progress(self, record: RenderRecord) -> BackendProgress | None:
        if not record.backend_render_id or not record.bucket_name:
            return None
        status = self.client.get_render_progress(render_id=record.backend_render_id, bucket_name=record.bucket_name)
        if status is None:
            return None
        errors = list(status.errors or [])
        if status.fatalErrorEncountered:
            messages = [str(e.get("message", "")) if isinstance(e, dict) else str(e) for e in errors]
            # Who pays comes from Remotion's structured fields only; the message is for the user.
            ours = remotion_failure_is_ours(errors, getattr(status, "artifacts", None))
            return Failed(error=next((m for m in reversed(messages) if m), "the render failed"), ours=ours)
        if status.done and status.outKey:
            return Succeeded(
                output_key=status.outKey,
                size_bytes=status.outputSizeInBytes,
                costs=status.costs if isinstance(status.costs, dict) else None,
                render_seconds=(status.timeToFinish or 0) / 1000 or None,
            )
        return Running(progress=float(status.overallProgress or 0))

    def cancel(self, record: RenderRecord) -> None:
        if record.backend_render_id and record.bucket_name:
            self.client.cancel_render_on_lambda(render_id=record.backend_render_id, bucket_name=record.bucket_name)

    def render_still(self, request: StillRequest) -> str:
        try:
            response = self.client.render_still_on_lambda(still_params(request, self.settings.render_retention_days))
        except ClientError as error:
            throttled = error.response.get("Error", {}).get("Code") in THROTTLE_ERRORS
            raise BackendRefused(f"Remotion Lambda made no still: {error}", throttled=throttled) from error
        if response is None or not response.outKey:
            raise BackendRefused("Remotion Lambda made no still")
        return str(response.outKey)

    def estimate_seconds(self, frames: int, every_nth_frame: int) -> float:
        encoded = math.ceil(frames / every_nth_frame)
        per_lambda = frames_per_lambda(encoded, render_lambdas(self.settings.render_concurrency_limit))
        return round(_FIXED_SECONDS + per_lambda * _SECONDS_PER_FRAME_PER_LAMBDA, 1)

    def render_budget(self) -> int:
        return render_budget(self.settings.render_concurrency_limit)

    def budget_share(self, frames: int, every_nth_frame: int) -> int:
        # Remotion splits the composition's frames (render_params), whatever every_nth_frame is. One
        # more for the render's own short calls at its ends: its start, which overlaps its main
        # function (measured: without it, a burst on a small budget throttled renderers). Its
        # thumbnail's still runs after it ended, in the headroom render_budget keeps, at most the
        # thumbnailer's reserved concurrency at once.
        return share_of(frames, self.settings.render_concurrency_limit)
