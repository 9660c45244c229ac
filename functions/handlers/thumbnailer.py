"""The thumbnailer Lambda, invoked asynchronously by whoever ends an export with a success: the
export's still, made while nobody waits for it (functions/domain/thumbnails.py).

Lambda retries an invocation that fails (twice, with backoff); a still that cannot be made is not a
failure (the history shows a placeholder), so only what another try may fix (the render function
throttled, the table unreachable) fails an invocation.
"""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain import thumbnails
from functions.domain.services import Services
from functions.error_tracking import init_error_tracking
from functions.models.thumbnail import ThumbnailRequest
from functions.wiring import get_services

init_error_tracking()  # Sentry, when the stack names a DSN secret; nothing otherwise
logger = Logger(service="framecast-thumbnailer")


def make_once(services: Services, request: ThumbnailRequest) -> str | None:
    """One request; the local stack calls it from its own thread with its own services."""
    key = thumbnails.make_thumbnail(services, request)
    logger.info("thumbnail", extra={"render_id": request.render_id, "thumbnail_key": key})
    return key


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    key = make_once(get_services(), ThumbnailRequest.model_validate(event))
    return {"thumbnailKey": key}
