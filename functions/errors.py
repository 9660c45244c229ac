"""Domain errors. Each knows the HTTP status and error code the API answers with (design section 5)."""

from typing import Any


class FramecastError(Exception):
    status = 400
    code = "bad_request"
    retry_after: int | None = None  # seconds, sent as Retry-After

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class LimitExceeded(FramecastError):
    """A size limit of the design (scenes, source bytes, compiled bytes)."""

    status = 413
    code = "too_large"


class InvalidRender(FramecastError):
    """A valid request that asks for what a render may not be (too long, too long for gif)."""

    status = 422
    code = "invalid_render"


class SceneCompileError(FramecastError):
    """One or more scenes do not compile; details hold {sceneId, line, column, message} each."""

    status = 422
    code = "compile_error"


class NotFound(FramecastError):
    status = 404
    code = "not_found"


class QuotaExceeded(FramecastError):
    """429: `daily_limit` or `render_in_progress`, with Retry-After seconds."""

    status = 429

    def __init__(self, code: str, message: str, retry_after: int, details: list[dict[str, Any]] | None = None):
        super().__init__(message, details)
        self.code = code
        self.retry_after = retry_after


class BackendUnavailable(FramecastError):
    status = 503
    code = "backend_unavailable"


class Conflict(FramecastError):
    status = 409
    code = "conflict"


class InvalidWebhook(FramecastError):
    """A verified webhook that does not fit the render it names (another file, another render)."""

    status = 400
    code = "invalid_webhook"


class InvalidCursor(FramecastError):
    status = 400
    code = "invalid_cursor"


class IdempotencyInFlight(FramecastError):
    """The first request with this Idempotency-Key is still being answered."""

    status = 409
    code = "idempotency_in_flight"
    retry_after = 2


class IdempotencyKeyReused(FramecastError):
    status = 422
    code = "idempotency_key_reused"
