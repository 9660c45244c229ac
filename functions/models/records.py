"""What the service keeps in DynamoDB."""

from enum import StrEnum
from typing import Any

from pydantic import Field

from functions.contract import ENDED_STATUSES
from functions.models.base import CamelModel
from functions.models.project import ProjectFormat, SceneInput
from functions.render_settings import OutputFormat, Quality


class RenderStatus(StrEnum):
    QUEUED = "queued"
    RENDERING = "rendering"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset(RenderStatus(status) for status in ENDED_STATUSES)
ACTIVE = (RenderStatus.QUEUED, RenderStatus.RENDERING)


class ProjectRecord(CamelModel):
    project_id: str
    user_id: str
    title: str
    format: ProjectFormat
    width: int | None = None
    height: int | None = None
    scenes: list[SceneInput] = Field(default_factory=list)
    created_at: str
    updated_at: str


class RenderRecord(CamelModel):
    render_id: str
    user_id: str
    project_id: str
    title: str
    format: OutputFormat
    quality: Quality
    status: RenderStatus = RenderStatus.QUEUED
    progress: float = 0  # 0-100, never goes down
    width: int
    height: int
    video_seconds: float
    estimated_render_seconds: float
    created_at: str
    completed_at: str | None = None
    last_news_at: int  # epoch seconds of the last progress or state change
    progress_checked_at: float = 0
    lock_slot: int
    quota_day: str
    backend_render_id: str | None = None
    bucket_name: str | None = None
    output_key: str | None = None
    size_bytes: int | None = None
    render_seconds: float | None = None
    error: str | None = None
    warnings: list[str] = Field(default_factory=list)
    costs: dict[str, Any] | None = None
    downloads: int = 0
    # What decides the file (props, format, quality): an export with the same key reuses the file.
    content_key: str | None = None
    # A still of the export (its thumbnail in the history), in the export's bucket.
    thumbnail_key: str | None = None
    # The file of an earlier identical export, returned at once: no render, no quota spent.
    reused: bool = False
    # The export ended for a reason that is ours and its quota was given back.
    refunded: bool = False
    # Admission control (functions/domain/admission.py): the render budget this export holds while
    # it renders (its Lambdas, or pool processes), its place in the queue while it waits, when it
    # left the queue, and how often a throttle sent it back.
    budget_share: int = 1
    queue_order: str | None = None
    started_at: str | None = None
    requeues: int = 0
    # Wall-clock seconds the render may take once started (functions/time_budget.py).
    time_budget_seconds: float | None = None


class QueueEntry(CamelModel):
    """An export waiting for the render budget, in the queue's order (oldest first)."""

    order: str
    render_id: str
    user_id: str
    share: int
    estimated_render_seconds: float
    not_before: float = 0  # epoch seconds: a throttled export waits this out at the head


class DownloadEvent(CamelModel):
    render_id: str
    at: str
    user_agent: str
    ip_hash: str
