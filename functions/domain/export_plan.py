"""One export, planned: the project compiled and checked, its output settings and the props.

The service (start, preview), the CLI and the benchmarks all plan an export here, so what the
CLI renders is what the API would have rendered.
"""

import hashlib
import json
from dataclasses import asdict, dataclass

from functions.contract import FPS
from functions.limits import Limits
from functions.models.composition import CompiledScene, CompositionProps
from functions.models.project import Project
from functions.preprocess.compile import compile_project
from functions.render_settings import (
    OutputFormat,
    Quality,
    RenderSettings,
    check_duration,
    design_size,
    render_settings,
)


@dataclass(frozen=True)
class ExportPlan:
    props: CompositionProps
    output: RenderSettings
    warnings: list[str]

    @property
    def total_frames(self) -> int:
        return sum(scene.duration_in_frames for scene in self.props.scenes)

    @property
    def video_seconds(self) -> float:
        return round(self.total_frames / FPS, 3)

    @property
    def content_key(self) -> str:
        """What decides the file: the compiled scenes and sizes (the props) and the output settings."""
        decided = {"props": self.props.to_json_dict(), "output": asdict(self.output)}
        return hashlib.sha256(json.dumps(decided, sort_keys=True).encode()).hexdigest()


def plan_export(project: Project, fmt: OutputFormat, quality: Quality, limits: Limits) -> ExportPlan:
    """Preprocess and check a project for one export: everything before the renderer starts.

    Raises the domain's 413/422 errors for a project that may not be exported as asked.
    """
    compiled = compile_project(project, limits)
    return plan_compiled(project, compiled.scenes, compiled.warnings, fmt, quality, limits)


def plan_compiled(
    project: Project,
    scenes: list[CompiledScene],
    warnings: list[str],
    fmt: OutputFormat,
    quality: Quality,
    limits: Limits,
) -> ExportPlan:
    """The plan for scenes already compiled (one compile serves every format and quality)."""
    check_duration(sum(scene.duration_in_frames for scene in scenes), fmt, limits)
    output = render_settings(project, fmt, quality)
    design_width, design_height = design_size(project)
    props = CompositionProps(
        title=project.title,
        width=output.width,
        height=output.height,
        design_width=design_width,
        design_height=design_height,
        scenes=scenes,
    )
    return ExportPlan(props=props, output=output, warnings=warnings)


def design_props(project: Project, limits: Limits) -> tuple[CompositionProps, list[str]]:
    """The project at its design size, as the page's player previews it (no output preset)."""
    compiled = compile_project(project, limits)
    design_width, design_height = design_size(project)
    props = CompositionProps(
        title=project.title,
        width=design_width,
        height=design_height,
        design_width=design_width,
        design_height=design_height,
        scenes=compiled.scenes,
    )
    return props, compiled.warnings
