"""Each function's environment, as pydantic models: read once at start-up, wrong values fail loudly."""

import os
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from functions.contract import MAX_RENDER_DURATION_MINUTES


class RenderMode(StrEnum):
    LOCAL = "local"
    LAMBDA = "lambda"


class _EnvModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    @classmethod
    def from_env(cls) -> Self:
        return cls.model_validate(dict(os.environ))


class LimitSettings(_EnvModel):
    """The one place MAX_RENDER_DURATION_MINUTES and TIME_BUDGET_SCALE are read (the CLI has only
    this, the functions more)."""

    max_render_duration_minutes: float = Field(MAX_RENDER_DURATION_MINUTES, alias="MAX_RENDER_DURATION_MINUTES", gt=0)
    # Stretches every allowance of a render's time budget (functions/time_budget.py).
    time_budget_scale: float = Field(1.0, alias="TIME_BUDGET_SCALE", gt=0)


class ServiceSettings(LimitSettings):
    """What the API, webhook, sweeper and thumbnailer functions share."""

    table_name: str = Field(alias="TABLE_NAME")
    bucket_name: str = Field(alias="BUCKET_NAME")
    # Required in Lambda (a function deployed without it fails with a settings error, not later);
    # the local stack sets it for its own process.
    render_mode: RenderMode = Field(alias="RENDER_MODE")
    daily_export_limit: int = Field(10, alias="USER_DAILY_EXPORT_LIMIT", ge=1)
    concurrent_render_limit: int = Field(1, alias="USER_CONCURRENT_RENDER_LIMIT", ge=1)
    # Remotion Lambda's render function times out at 900 s; past this with no news, a render is over.
    render_timeout_seconds: int = Field(900, alias="RENDER_TIMEOUT_SECONDS", ge=10)
    # The longest an accepted export waits in the queue for the render budget before it ends,
    # refunded (functions/domain/admission.py).
    queue_timeout_seconds: int = Field(3600, alias="QUEUE_TIMEOUT_SECONDS", ge=60)
    progress_refresh_seconds: float = Field(3, alias="PROGRESS_REFRESH_SECONDS", ge=0)
    webhook_url: str = Field("", alias="WEBHOOK_URL")
    # The secret itself (local stack) or its Secrets Manager name (AWS).
    webhook_secret: str = Field("", alias="WEBHOOK_SECRET")
    webhook_secret_name: str = Field("", alias="WEBHOOK_SECRET_NAME")
    download_url_seconds: int = Field(3600, alias="DOWNLOAD_URL_SECONDS", ge=60)
    ip_hash_salt: str = Field("framecast", alias="IP_HASH_SALT")
    # RENDER_MODE=lambda
    region: str = Field("us-east-1", alias="AWS_REGION")
    remotion_function_name: str = Field("", alias="REMOTION_FUNCTION_NAME")
    remotion_serve_url: str = Field("", alias="REMOTION_SERVE_URL")
    # The function that makes finished exports' stills (the webhook's and the sweeper's: they end exports).
    thumbnailer_function_name: str = Field("", alias="THUMBNAILER_FUNCTION_NAME")
    # How long a render's file is kept (the bucket's lifecycle rule for renders/, from the stack).
    render_retention_days: int = Field(30, alias="RENDER_RETENTION_DAYS", ge=1)
    # The most Lambdas one render may fan out to (the render function's concurrency cap).
    render_concurrency_limit: int = Field(200, alias="RENDER_CONCURRENCY_LIMIT", ge=1)
    cloudfront_domain: str = Field("", alias="CLOUDFRONT_DOMAIN")
    cloudfront_key_pair_id: str = Field("", alias="CLOUDFRONT_KEY_PAIR_ID")
    cloudfront_private_key_secret_name: str = Field("", alias="CLOUDFRONT_PRIVATE_KEY_SECRET_NAME")
    # The API function's (an Idempotency-Key needs it; the webhook and sweeper have none).
    idempotency_table_name: str = Field("", alias="IDEMPOTENCY_TABLE_NAME")
