"""Request and response bodies of the HTTP API; the OpenAPI document is generated from these."""

from typing import Any, Self

from pydantic import Field

from functions.models.base import CamelModel
from functions.models.composition import CompositionProps
from functions.models.project import ProjectFormat, SceneInput
from functions.models.records import ProjectRecord, RenderRecord, RenderStatus
from functions.render_settings import OutputFormat, Quality


class ErrorDetail(CamelModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(CamelModel):
    error: ErrorDetail


class ProjectSummary(CamelModel):
    project_id: str
    title: str
    format: ProjectFormat
    width: int | None = None
    height: int | None = None
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, record: ProjectRecord) -> Self:
        return cls.model_validate(record.model_dump(include=set(cls.model_fields)))


class ProjectResponse(ProjectSummary):
    scenes: list[SceneInput]


class ProjectList(CamelModel):
    items: list[ProjectSummary]


class PutScenesRequest(CamelModel):
    scenes: list[SceneInput]


class SceneDiagnostic(CamelModel):
    scene_id: str
    scene_name: str | None = None
    line: int
    column: int
    message: str


class PutScenesResponse(CamelModel):
    project: ProjectResponse
    diagnostics: list[SceneDiagnostic]
    warnings: list[str]


class Preview(CamelModel):
    """What the page needs to preview a project and estimate its exports.

    A project with scenes that do not compile still previews: `props` holds the scenes that do (None
    when none does) and `diagnostics` says where the others fail; it cannot be exported until fixed."""

    props: CompositionProps | None  # at the design size: the player scales it
    diagnostics: list[SceneDiagnostic] = Field(default_factory=list)
    # Per format and quality: an identical export's file exists and would be returned at once, free.
    ready_at_once: dict[OutputFormat, dict[Quality, bool]] = Field(default_factory=dict)
    video_seconds: float
    render_seconds: dict[OutputFormat, dict[Quality, float]]
    # Per format and quality: the file's expected size in bytes (functions/domain/size_estimate.py).
    size_bytes: dict[OutputFormat, dict[Quality, int]] = Field(default_factory=dict)
    max_gif_seconds: int
    max_render_minutes: float
    warnings: list[str]


class StartRenderRequest(CamelModel):
    project_id: str = Field(min_length=1, max_length=64)
    format: OutputFormat
    quality: Quality


class Estimate(CamelModel):
    video_seconds: float
    render_seconds: float


class QuotaState(CamelModel):
    used_today: int
    daily_limit: int


class StartRenderResponse(CamelModel):
    render_id: str
    status: RenderStatus
    estimate: Estimate
    quota: QuotaState


class QueueState(CamelModel):
    """Where a queued export stands: exports waiting before it, and when it should start."""

    ahead: int = Field(ge=0)
    estimated_start_seconds: float = Field(ge=0)


class RenderResponse(CamelModel):
    render_id: str
    project_id: str
    title: str
    format: OutputFormat
    quality: Quality
    status: RenderStatus
    progress: float = Field(ge=0, le=100)
    width: int
    height: int
    video_seconds: float
    estimated_render_seconds: float
    output_url: str | None = None
    size_bytes: int | None = None
    error: str | None = None
    warnings: list[str]
    downloads: int
    created_at: str
    completed_at: str | None = None
    costs: dict[str, Any] | None = None
    # The file of an identical earlier export, returned at once ("ready at once").
    reused: bool = False
    # False when this export does not count against the daily quota: reused, or failed for a
    # reason that is ours (refunded). A cancelled export counts.
    quota_counted: bool = True
    # A signed link to a still of the export (made with its own composition), once it exists.
    thumbnail_url: str | None = None
    # When it left the queue and began rendering.
    started_at: str | None = None
    # While it is queued: its place and estimated start.
    queue: QueueState | None = None

    @classmethod
    def of(
        cls,
        record: RenderRecord,
        output_url: str | None,
        thumbnail_url: str | None = None,
        queue: QueueState | None = None,
    ) -> "RenderResponse":
        derived = {"output_url", "quota_counted", "thumbnail_url", "queue"}
        data = record.model_dump(include=set(cls.model_fields) - derived)
        return cls.model_validate(
            {
                **data,
                "output_url": output_url,
                "quota_counted": not (record.reused or record.refunded),
                "thumbnail_url": thumbnail_url,
                "queue": queue,
            }
        )


class RenderList(CamelModel):
    items: list[RenderResponse]
    next_cursor: str | None = None


class DownloadResponse(CamelModel):
    url: str
    expires_at: str


class StatsResponse(CamelModel):
    total: int
    by_status: dict[str, int]
    by_format: dict[str, int]
    by_quality: dict[str, int]
    downloads: int
    mean_render_seconds: float | None = None
    # Exports answered with an identical earlier file, at no render and no quota.
    reused: int = 0
    # What the renders cost, from Remotion's reports (0 for the local renderer).
    total_cost_usd: float = 0
    used_today: int
    daily_limit: int
    concurrent_limit: int
    # When the daily count starts again (midnight UTC).
    quota_resets_at: str


class Health(CamelModel):
    status: str
