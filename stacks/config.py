"""The stack's settings, read from CDK context (cdk.json, `-c key=value`) and checked before any synth.

app.py and the tests both build the config here, so what the tests synthesize is what a deploy gets.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functions.contract import MAX_RENDER_DURATION_MINUTES
from stacks.remotion_facts import RenderSize

# CloudFront does not deliver standard logs to buckets in these regions (AWS, "Configure standard
# logging (legacy)": "Don't choose an Amazon S3 bucket in any of the following Regions").
NO_CLOUDFRONT_LOGS_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ca-west-1",
        "eu-south-1",
        "eu-south-2",
        "eu-central-2",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
    }
)
# Remotion fans one render out over at most 200 functions (MAX_FUNCTIONS_PER_RENDER in
# @remotion/lambda-client) plus the one that orchestrates them.
MIN_RENDER_CONCURRENCY = 201


@dataclass(frozen=True)
class StackConfig:
    bundle_dir: Path
    layer_dir: Path
    web_dist_dir: Path
    public_key_pem: str
    render_retention_days: int = 30
    daily_export_limit: int = 10
    concurrent_render_limit: int = 1
    max_render_duration_minutes: int = MAX_RENDER_DURATION_MINUTES
    # Origins (besides the page's own CloudFront origin) allowed by CORS and as Cognito callbacks.
    web_origins: tuple[str, ...] = ()
    render_size: RenderSize = field(default_factory=RenderSize)
    render_concurrency_cap: int = 600
    api_reserved_concurrency: int = 50
    webhook_reserved_concurrency: int = 10
    # Stills made at once: each holds one render function, from the tenth of the cap the render
    # budget leaves beside renders (functions/backends/remotion_lambda_backend.py: render_budget).
    thumbnail_reserved_concurrency: int = 5
    api_provisioned_concurrency: int = 0
    render_function_import: str | None = None
    sentry_dsn_secret_name: str | None = None
    noncurrent_version_days: int = 7
    # "bucket@region": an existing, ACL-enabled bucket for CloudFront's logs, for stacks in a region
    # CloudFront cannot deliver them to.
    cloudfront_log_bucket: str | None = None


def _value(raw: object, kind: type, name: str) -> Any:
    if raw is None:
        return None
    if kind is tuple:
        values = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"context {name} must be a list of strings, got {raw!r}")
        return tuple(values)
    try:
        return kind(raw)
    except (TypeError, ValueError) as error:
        raise ValueError(f"context {name} must be a {kind.__name__}, got {raw!r}") from error


def config_from_context(
    context: Callable[[str], object],
    *,
    bundle_dir: Path,
    layer_dir: Path,
    web_dist_dir: Path,
    public_key_pem: str,
    region: str,
) -> StackConfig:
    """Every setting from context, or its default; wrong values fail here with the context key's name."""

    def get(name: str, kind: type, default: Any) -> Any:
        value = _value(context(name), kind, name)
        return default if value is None or value == "" else value

    defaults = StackConfig(bundle_dir, layer_dir, web_dist_dir, public_key_pem)
    size = RenderSize(
        memory_mb=get("renderMemoryMb", int, defaults.render_size.memory_mb),
        disk_mb=get("renderDiskMb", int, defaults.render_size.disk_mb),
        timeout_seconds=get("renderTimeoutSeconds", int, defaults.render_size.timeout_seconds),
        runtime_preference=get("renderRuntimePreference", str, defaults.render_size.runtime_preference),
    )
    config = StackConfig(
        bundle_dir=bundle_dir,
        layer_dir=layer_dir,
        web_dist_dir=web_dist_dir,
        public_key_pem=public_key_pem,
        render_retention_days=get("renderRetentionDays", int, defaults.render_retention_days),
        daily_export_limit=get("userDailyExportLimit", int, defaults.daily_export_limit),
        concurrent_render_limit=get("userConcurrentRenderLimit", int, defaults.concurrent_render_limit),
        max_render_duration_minutes=get("maxRenderDurationMinutes", int, defaults.max_render_duration_minutes),
        web_origins=get("webOrigins", tuple, defaults.web_origins),
        render_size=size,
        render_concurrency_cap=get("renderConcurrencyCap", int, defaults.render_concurrency_cap),
        api_reserved_concurrency=get("apiReservedConcurrency", int, defaults.api_reserved_concurrency),
        webhook_reserved_concurrency=get("webhookReservedConcurrency", int, defaults.webhook_reserved_concurrency),
        thumbnail_reserved_concurrency=get(
            "thumbnailReservedConcurrency", int, defaults.thumbnail_reserved_concurrency
        ),
        api_provisioned_concurrency=get("apiProvisionedConcurrency", int, defaults.api_provisioned_concurrency),
        render_function_import=get("renderFunctionImport", str, None),
        sentry_dsn_secret_name=get("sentryDsnSecretName", str, None),
        noncurrent_version_days=get("noncurrentVersionDays", int, defaults.noncurrent_version_days),
        cloudfront_log_bucket=get("cloudfrontLogBucket", str, None),
    )
    check(config, region)
    return config


def check(config: StackConfig, region: str) -> None:
    problems = []
    if config.render_retention_days < 1:
        problems.append("renderRetentionDays must be at least 1")
    if config.noncurrent_version_days < 1:
        problems.append("noncurrentVersionDays must be at least 1")
    if config.render_concurrency_cap < MIN_RENDER_CONCURRENCY:
        problems.append(
            f"renderConcurrencyCap must be at least {MIN_RENDER_CONCURRENCY}: one render may fan out "
            "over 200 functions plus its orchestrator"
        )
    if config.api_reserved_concurrency < 1 or config.webhook_reserved_concurrency < 1:
        problems.append("apiReservedConcurrency and webhookReservedConcurrency must be at least 1")
    if not 1 <= config.thumbnail_reserved_concurrency * 20 <= config.render_concurrency_cap:
        problems.append(
            "thumbnailReservedConcurrency must be at least 1 and at most a twentieth of renderConcurrencyCap: "
            "stills share the tenth of it that renders leave free with progress reads and starts"
        )
    if not 0 <= config.api_provisioned_concurrency <= config.api_reserved_concurrency:
        problems.append("apiProvisionedConcurrency must be between 0 and apiReservedConcurrency")
    for origin in config.web_origins:
        if not origin.startswith("https://") or origin.count("/") != 2:
            problems.append(
                f"webOrigins entry {origin!r} must be an https origin without a path "
                "(http://127.0.0.1 is for the local stack only)"
            )
    if config.cloudfront_log_bucket:
        name, _, bucket_region = config.cloudfront_log_bucket.partition("@")
        if not name or not bucket_region or bucket_region in NO_CLOUDFRONT_LOGS_REGIONS:
            problems.append("cloudfrontLogBucket must be `bucket@region`, in a region CloudFront delivers logs to")
    elif region in NO_CLOUDFRONT_LOGS_REGIONS:
        problems.append(
            f"CloudFront cannot deliver its standard logs to a bucket in {region}: set "
            "cloudfrontLogBucket=bucket@region to an existing ACL-enabled bucket elsewhere "
            "(docs/deploy.md)"
        )
    if problems:
        raise ValueError("; ".join(problems))
