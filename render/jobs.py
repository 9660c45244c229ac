"""What the rest of the code hands the render pool and gets back from it."""

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from functions.render_settings import RenderSettings
from render.protocol import JsonObject

_job_ids = itertools.count(1)


@dataclass(frozen=True)
class RenderJob:
    input_props: JsonObject
    settings: RenderSettings
    output_path: Path
    id: str = field(default_factory=lambda: f"job-{next(_job_ids)}")
    # Whose render it is (the user): the pool shares its processes fairly between owners.
    owner: str = "local"
    # Wall-clock seconds the render may take in the pool before it fails as the scene's
    # (functions/time_budget.py); None: no limit.
    time_budget_seconds: float | None = None


@dataclass(frozen=True)
class StillJob:
    """One frame of the composition as a JPEG, `scale` times the props' size."""

    input_props: JsonObject
    frame: int
    output_path: Path
    scale: float = 1.0
    jpeg_quality: int = 80
    id: str = field(default_factory=lambda: f"still-{next(_job_ids)}")


@dataclass(frozen=True)
class RenderResult:
    output_path: Path
    size_bytes: int
    warnings: list[str]
    duration_in_frames: int
    width: int
    height: int
    render_seconds: float
    chunks_total: int = 0
    chunks_cached: int = 0  # taken from the chunk cache, not rendered


class RenderFailed(Exception):
    """A render that did not produce its file.

    `ours` is True when our infrastructure failed it (a worker process died, or was killed for a
    reason that is not the scene's, the browser or ffmpeg could not start): the quota is refunded.
    False for the scene's own failures (it stalled, ran past its memory cap, failed to render).
    """

    def __init__(self, message: str, cancelled: bool = False, warnings: list[str] | None = None, ours: bool = False):
        super().__init__(message)
        self.cancelled = cancelled
        self.warnings = warnings or []
        self.ours = ours
