"""Optional error tracking with Sentry: on only when the stack names a DSN secret.

The DSN lives in Secrets Manager (context `sentryDsnSecretName`, docs/deploy.md); the stack passes
its name as SENTRY_DSN_SECRET_NAME and lets the functions read it. Unset, nothing is imported or
called, so the local stack and deployments without Sentry pay nothing.
"""

import os
from collections.abc import Callable

SECRET_NAME_VARIABLE = "SENTRY_DSN_SECRET_NAME"

_initialized = False


def _secret_from_secrets_manager(name: str) -> str:
    from aws_lambda_powertools.utilities.parameters import get_secret

    return get_secret(name, force_fetch=True)  # read once, at start-up


def init_error_tracking(read_secret: Callable[[str], str] = _secret_from_secrets_manager) -> bool:
    """Start Sentry once per process when SENTRY_DSN_SECRET_NAME is set; True when it is on."""
    global _initialized
    name = os.environ.get(SECRET_NAME_VARIABLE, "").strip()
    if not name:
        return False
    if _initialized:
        return True
    dsn = read_secret(name).strip()
    if not dsn:
        raise ValueError(f"the secret {name} ({SECRET_NAME_VARIABLE}) holds no Sentry DSN")
    import sentry_sdk
    from sentry_sdk.integrations.aws_lambda import AwsLambdaIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[AwsLambdaIntegration(timeout_warning=True)],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        # Users' scene code and tokens stay out of error reports: no user, no request bodies (scenes),
        # no local variables (they hold scenes and tokens). Sentry's successor of send_default_pii.
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        traces_sample_rate=0.0,
    )
    _initialized = True
    return True
