"""Remotion Lambda through the official `remotion_lambda` client."""

from botocore.exceptions import BotoCoreError, ClientError
from remotion_lambda import RemotionClient, RenderMediaParams, ShouldDownload, Webhook
from remotion_lambda.models import DeleteAfter, Privacy, ValidStillImageFormats

from functions.backends.base import BackendProgress, BackendRefused, BackendStart, RenderRequest
from functions.models.records import RenderRecord
from functions.settings import ServiceSettings

COMPOSITION_ID = "Main"


def render_params(request: RenderRequest, bucket_name: str) -> RenderMediaParams:
    """Everything Remotion Lambda needs for one export; tested through construct_render_request."""
    settings, record = request.settings, request.record
    return RenderMediaParams(
        composition=COMPOSITION_ID,
        input_props=request.props.to_json_dict(),
        bucket_name=bucket_name,
        codec=settings.codec,
        crf=settings.crf,
        jpeg_quality=settings.jpeg_quality,
        image_format=ValidStillImageFormats.JPEG,
        every_nth_frame=settings.every_nth_frame,
        number_of_gif_loops=0 if settings.codec == "gif" else None,  # 0: loop forever
        # The composition sizes itself from the props; forcing the same size makes the payload say it.
        force_width=settings.width,
        force_height=settings.height,
        privacy=Privacy.PRIVATE,
        download_behavior=ShouldDownload(type="download", fileName=request.download_name),
        webhook=Webhook(secret=request.webhook_secret, url=request.webhook_url,
                        customData={"renderId": record.render_id, "userId": record.user_id}),
        enable_cancellation=True,
        delete_after=DeleteAfter.THIRTY_DAYS.value,
        max_retries=1,
    )


class RemotionLambdaBackend:
    def __init__(self, settings: ServiceSettings, client: RemotionClient | None = None):
        self.settings = settings
        self.client = client or RemotionClient(
            region=settings.region, serve_url=settings.remotion_serve_url, function_name=settings.remotion_function_name,
        )

    def start(self, request: RenderRequest) -> BackendStart:
        try:
            response = self.client.render_media_on_lambda(render_params(request, self.settings.bucket_name))
        except (ClientError, BotoCoreError, ValueError) as error:
            raise BackendRefused(f"Remotion Lambda refused the render: {error}") from error
        if response is None:
            raise BackendRefused("Remotion Lambda gave no render id")
        return BackendStart(backend_render_id=response.render_id, bucket_name=response.bucket_name)

    def progress(self, record: RenderRecord) -> BackendProgress | None:
        if not record.backend_render_id or not record.bucket_name:
            return None
        status = self.client.get_render_progress(
            render_id=record.backend_render_id, bucket_name=record.bucket_name,
        )
        if status is None:
            return None
        errors = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in status.errors or []]
        return BackendProgress(
            progress=float(status.overallProgress or 0),
            done=bool(status.done),
            fatal_error=(errors[-1] if errors else "the render failed") if status.fatalErrorEncountered else None,
            output_key=status.outKey,
            size_bytes=status.outputSizeInBytes,
            costs=status.costs if isinstance(status.costs, dict) else None,
            render_seconds=(status.timeToFinish or 0) / 1000 or None,
        )

    def cancel(self, record: RenderRecord) -> None:
        if record.backend_render_id and record.bucket_name:
            self.client.cancel_render_on_lambda(render_id=record.backend_render_id, bucket_name=record.bucket_name)

