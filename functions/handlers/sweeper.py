"""The sweeper Lambda, on a schedule: ends renders with no news for too long and frees their locks."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain import renders
from functions.wiring import services_from_env

logger = Logger(service="framecast-sweeper")
metrics = Metrics(namespace="Framecast", service="framecast-sweeper")


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    ended = renders.sweep(services_from_env())
    if ended.get("timed_out"):
        metrics.add_metric(name="ExportTimedOut", unit=MetricUnit.Count, value=ended["timed_out"])
    logger.info("sweep done", extra=ended)
    return ended
