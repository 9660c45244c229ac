"""The sweeper Lambda, on a schedule: ends renders with no news for too long and frees their locks."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain import lifecycle
from functions.domain.services import Services
from functions.error_tracking import init_error_tracking
from functions.wiring import get_services

init_error_tracking()  # Sentry, when the stack names a DSN secret; nothing otherwise
logger = Logger(service="framecast-sweeper")
metrics = Metrics(namespace="Framecast", service="framecast-sweeper")


def sweep_once(services: Services) -> dict[str, int]:
    """One sweep; the local stack calls it on its own schedule with its own services."""
    ended = lifecycle.sweep(services)
    if ended["timed_out"]:
        metrics.add_metric(name="ExportTimedOut", unit=MetricUnit.Count, value=ended["timed_out"])
    logger.info("sweep done", extra=ended)
    return ended


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return sweep_once(get_services())
