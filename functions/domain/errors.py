"""Errors of the service's domain, with their HTTP answers (design section 5)."""

from functions.errors import FramecastError


class NotFound(FramecastError):
    status = 404
    code = "not_found"


class QuotaExceeded(FramecastError):
    """429: `daily_limit` or `render_in_progress`, with Retry-After seconds."""

    status = 429

    def __init__(self, code: str, message: str, retry_after: int, details: list | None = None):
        super().__init__(message, details)
        self.code = code
        self.retry_after = retry_after


class BackendUnavailable(FramecastError):
    status = 503
    code = "backend_unavailable"


class Conflict(FramecastError):
    status = 409
    code = "conflict"
