"""The webhook Lambda: Remotion's completion webhook, verified over the raw body."""

import base64
import json

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain import renders
from functions.errors import FramecastError
from functions.webhook_signature import InvalidSignature, validate
from functions.wiring import services_from_env

logger = Logger(service="framecast-webhook")
metrics = Metrics(namespace="Framecast", service="framecast-webhook")


def _answer(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _error(status: int, code: str, message: str) -> dict:
    return _answer(status, {"error": {"code": code, "message": message}})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    services = services_from_env()
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    try:
        validate(services.webhook_secret, body, headers.get("x-remotion-signature"))
    except InvalidSignature as error:
        logger.warning("webhook rejected: %s", error)
        return _error(401, "bad_signature", str(error))
    try:
        payload = json.loads(body)
    except ValueError:
        return _error(400, "malformed_json", "the webhook body is not valid JSON")
    try:
        changed = renders.apply_webhook(services, payload)
    except FramecastError as error:
        return _error(error.status, error.code, error.message)
    if changed:
        kind = payload.get("type")
        metrics.add_metric(name="ExportSucceeded" if kind == "success" else "ExportFailed",
                           unit=MetricUnit.Count, value=1)
        if kind == "success" and payload.get("timeToFinish"):
            metrics.add_metric(name="RenderSeconds", unit=MetricUnit.Seconds, value=payload["timeToFinish"] / 1000)
    return _answer(200, {"received": True, "duplicate": not changed})
