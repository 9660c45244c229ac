from dataclasses import dataclass, field
from typing import Protocol

from functions.models.composition import CompositionProps
from functions.models.records import RenderRecord
from functions.render_settings import RenderSettings


class BackendRefused(Exception):
    """The backend would not start the render (throttled, misconfigured, down): our failure, refunded."""


@dataclass(frozen=True)
class RenderRequest:
    record: RenderRecord
    props: CompositionProps
    settings: RenderSettings
    download_name: str
    webhook_url: str
    webhook_secret: str


@dataclass(frozen=True)
class BackendStart:
    backend_render_id: str
    bucket_name: str


@dataclass(frozen=True)
class BackendProgress:
    progress: float  # 0.0-1.0
    done: bool = False
    fatal_error: str | None = None
    output_key: str | None = None
    size_bytes: int | None = None
    costs: dict | None = None
    warnings: list[str] = field(default_factory=list)
    render_seconds: float | None = None


class RenderBackend(Protocol):
    def start(self, request: RenderRequest) -> BackendStart: ...

    def progress(self, record: RenderRecord) -> BackendProgress | None: ...

    def cancel(self, record: RenderRecord) -> None: ...
