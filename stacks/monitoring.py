"""Alarms on render failures, Lambda errors and throttles, and API 5xx, to one SNS topic."""

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        functions: dict[str, lambda_.IFunction],
        http_api: apigw.IHttpApi,
        queued_functions: dict[str, lambda_.IFunction] | None = None,
    ):
        """`queued_functions`: invoked asynchronously and throttled by design (their reservation is
        a queue): what is worth an alarm there is an event Lambda gave up on, not a throttle."""
        super().__init__(scope, id)
        key = kms.Key(self, "TopicKey", enable_key_rotation=True, description="Framecast alarm topic")
        key.grant_encrypt_decrypt(iam.ServicePrincipal("cloudwatch.amazonaws.com"))
        self.topic = sns.Topic(self, "Alarms", display_name="Framecast alarms", master_key=key, enforce_ssl=True)
        self.alarms: list[cloudwatch.Alarm] = []
        five_minutes = Duration.minutes(5)
        for name, function in functions.items():
            self._alarm(f"{name}Errors", function.metric_errors(period=five_minutes), f"{name} function errors")
            self._alarm(
                f"{name}Throttles", function.metric_throttles(period=five_minutes), f"{name} function throttled"
            )
        for name, function in (queued_functions or {}).items():
            self._alarm(f"{name}Errors", function.metric_errors(period=five_minutes), f"{name} function errors")
            dropped = function.metric("AsyncEventsDropped", statistic="Sum", period=five_minutes)
            self._alarm(f"{name}EventsDropped", dropped, f"{name} events dropped after Lambda's retries")
        self._alarm("Api5xx", http_api.metric_server_error(period=five_minutes), "API answered 5xx")
        failures = cloudwatch.Metric(
            namespace="Framecast",
            metric_name="ExportFailed",
            dimensions_map={"service": "framecast-webhook"},
            statistic="Sum",
            period=Duration.minutes(15),
        )
        self._alarm("RenderFailures", failures, "exports failed in the renderer", threshold=3)

    def _alarm(self, id: str, metric: cloudwatch.Metric, description: str, threshold: int = 1) -> None:
        alarm = metric.create_alarm(
            self,
            id,
            threshold=threshold,
            evaluation_periods=1,
            alarm_description=description,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
