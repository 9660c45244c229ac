"""What a render backend is: start a render, report on it, stop it, estimate it.

A report is a tagged union (`Running | Succeeded | Failed`), so a caller matches on what happened
instead of reading a bag of flags.
"""

from dataclasses import dataclass, field
from typing import Any, Protocol

from functions.models.composition import CompositionProps
from functions.models.records import RenderRecord
from functions.render_settings import RenderSettings


class BackendRefused(Exception):
    """The backend would not start the render (throttled, misconfigured, down): our failure, refunded.
    `throttled` (set from the SDK's error type, never from text) sends the export back to the queue."""

    def __init__(self, message: str, *, throttled: bool = False):
        super().__init__(message)
        self.throttled = throttled


@dataclass(frozen=True)
class RenderRequest:
    record: RenderRecord
    props: CompositionProps
    settings: RenderSettings
    download_name: str
    webhook_url: str
    webhook_secret: str


@dataclass(frozen=True)
class StillRequest:
    """One frame of a finished export's composition, as a small JPEG (its thumbnail)."""

    record: RenderRecord
    props: CompositionProps
    frame: int
    scale: float


@dataclass(frozen=True)
class BackendStart:
    backend_render_id: str
    bucket_name: str


@dataclass(frozen=True)
class Running:
    progress: float  # 0.0-1.0


@dataclass(frozen=True)
class Succeeded:
    output_key: str
    size_bytes: int | None = None
    costs: dict[str, Any] | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    render_seconds: float | None = None


@dataclass(frozen=True)
class Failed:
    error: str
    # True when the failure is ours (our worker, emulator or backend call crashed, refused or was
    # throttled): the quota is refunded. False when the scene itself failed: it counts.
    ours: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)


BackendProgress = Running | Succeeded | Failed

# Where Remotion Lambda itself caught a failure (`errors[].type` in its progress, @remotion/serverless
# 4.0.527). "renderer" (and "browser") entries are written by a renderer function that caught an
# exception while it ran the composition: the scene's code was running, so the failure may be the
# scene's, whatever its name or message say. The other types ("stitcher": the main function's own
# work; "webhook", "artifact": its uploads) are set by where Remotion's code stood, not by anything a
# scene can write. Names, messages and stacks are never read: a scene chooses its error's class name
# (Remotion copies the page's `className`) and its text, and Remotion derives `isFatal`,
# `willRetry` and `explanation` from that text (isFlakyError, inspectErrors).
_SCENE_RAN_ERROR_TYPES = frozenset({"renderer", "browser"})


def remotion_failure_is_ours(errors: list[Any], artifacts: list[Any] | None = None) -> bool:
    """Refund rule for a render Remotion Lambda reports as failed (docs/reliability.md, "Who pays").

    Ours only when Remotion's structured record shows the failure outside any renderer: no entry of
    a type where the scene ran, and no artifact received (a scene can make the main function fail
    on its own by emitting two artifacts of one name). Anything else, or nothing to go on, counts.
    """
    entries = [error for error in errors if isinstance(error, dict)]
    if not entries or artifacts:
        return False
    return not any(entry.get("type") in _SCENE_RAN_ERROR_TYPES for entry in entries) and all(
        isinstance(entry.get("type"), str) for entry in entries
    )


class RenderBackend(Protocol):
    # True when the backend ends a render past its time budget itself (the local pool, naming the
    # slowest scene); otherwise the service does (functions/domain/lifecycle.py).
    enforces_time_budget: bool

    def start(self, request: RenderRequest) -> BackendStart: ...

    def progress(self, record: RenderRecord) -> BackendProgress | None: ...

    def cancel(self, record: RenderRecord) -> None: ...

    def render_still(self, request: StillRequest) -> str:
        """Render the still into the record's bucket; the key it was written to."""
        ...

    def estimate_seconds(self, frames: int, every_nth_frame: int) -> float:
        """Wall-clock seconds a render of `frames` composition frames should take on this backend."""
        ...

    def render_budget(self) -> int:
        """What renders running at once may hold together (admission control): the render function's
        concurrency on Lambda, the pool's processes locally."""
        ...

    def budget_share(self, frames: int, every_nth_frame: int) -> int:
        """What one render of `frames` composition frames holds of the budget while it runs."""
        ...
