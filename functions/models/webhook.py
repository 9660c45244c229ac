"""Remotion's completion webhook payloads (success, error, timeout), keyed on their `type`.

The shapes are those `@remotion/serverless` posts (docs: remotion.dev/docs/lambda/webhooks);
anything else is refused with a 400 before it can touch a render.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Payload(BaseModel):
    # Remotion may add fields in later versions; what we read is checked, the rest ignored.
    model_config = ConfigDict(extra="ignore", frozen=True)


class FramecastCustomData(_Payload):
    """What our backends put in `customData` when they start a render."""

    render_id: str = Field(alias="renderId", min_length=1, max_length=64)
    user_id: str = Field(alias="userId", min_length=1, max_length=256)


class WebhookError(_Payload):
    message: str = ""
    name: str = ""
    stack: str = ""


class _Webhook(_Payload):
    render_id: str = Field(alias="renderId")
    bucket_name: str = Field(alias="bucketName")
    expected_bucket_owner: str = Field(alias="expectedBucketOwner")
    custom_data: FramecastCustomData = Field(alias="customData")


class SuccessWebhook(_Webhook):
    type: Literal["success"]
    output_url: str | None = Field(None, alias="outputUrl")
    output_file: str | None = Field(None, alias="outputFile")
    time_to_finish: float | None = Field(None, alias="timeToFinish", ge=0)
    costs: dict[str, Any] | None = None
    lambda_errors: list[WebhookError] = Field(default_factory=list, alias="lambdaErrors")


class ErrorWebhook(_Webhook):
    type: Literal["error"]
    errors: list[WebhookError] = Field(default_factory=list)


class TimeoutWebhook(_Webhook):
    type: Literal["timeout"]


RemotionWebhook = Annotated[SuccessWebhook | ErrorWebhook | TimeoutWebhook, Field(discriminator="type")]
remotion_webhook = TypeAdapter(RemotionWebhook)
