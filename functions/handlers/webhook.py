"""The webhook Lambda: Remotion's completion webhook, verified over the raw body, then parsed.

Its own resolver, so that it shares the API's error envelope and gets its services by the same
injection (`Depends(get_services)`).
"""

import base64
import json
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Depends, Response
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from functions.domain import lifecycle
from functions.domain.services import Services
from functions.error_tracking import init_error_tracking
from functions.handlers.responses import error_response, register_error_handlers
from functions.models.webhook import SuccessWebhook, remotion_webhook
from functions.webhook_signature import InvalidSignature, validate
from functions.wiring import get_services

init_error_tracking()  # Sentry, when the stack names a DSN secret; nothing otherwise
logger = Logger(service="framecast-webhook")
metrics = Metrics(namespace="Framecast", service="framecast-webhook")
app = APIGatewayHttpResolver()
register_error_handlers(app)


def _raw_body() -> bytes:
    event = app.current_event
    raw = event.body or ""
    return base64.b64decode(raw) if event.is_base64_encoded else raw.encode()


@app.post("/webhooks/remotion")
def remotion_webhook_route(services: Annotated[Services, Depends(get_services)]) -> Response[str]:
    body = _raw_body()
    try:
        validate(services.webhook_secret, body, app.current_event.headers.get("x-remotion-signature"))
    except InvalidSignature as error:
        logger.warning("webhook rejected: %s", error)
        return error_response(401, "bad_signature", str(error))
    try:
        webhook = remotion_webhook.validate_json(body)
    except ValidationError as error:
        if any(problem["type"] == "json_invalid" for problem in error.errors()):
            return error_response(400, "malformed_json", "the webhook body is not valid JSON")
        details = [{"field": ".".join(map(str, p["loc"])), "message": p["msg"]} for p in error.errors()]
        return error_response(
            400,
            "invalid_webhook",
            "the body is not a Remotion webhook (success, error or timeout) for a Framecast render",
            details,
        )
    changed = lifecycle.apply_webhook(services, webhook)
    if changed:
        succeeded = isinstance(webhook, SuccessWebhook)
        metrics.add_metric(name="ExportSucceeded" if succeeded else "ExportFailed", unit=MetricUnit.Count, value=1)
        if isinstance(webhook, SuccessWebhook) and webhook.time_to_finish:
            metrics.add_metric(name="RenderSeconds", unit=MetricUnit.Seconds, value=webhook.time_to_finish / 1000)
    return Response(200, "application/json", json.dumps({"received": True, "duplicate": not changed}))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
