"""What the page previews and estimates before an export: the compiled project and its costs in time."""

from functions.contract import FPS
from functions.domain.export_plan import design_props, plan_compiled
from functions.domain.projects import as_project, get_project
from functions.domain.services import Services
from functions.domain.size_estimate import bytes_per_pixel, estimate_bytes
from functions.errors import InvalidRender, SceneCompileError
from functions.models.api import Preview, SceneDiagnostic
from functions.models.composition import CompositionProps
from functions.models.project import Project
from functions.render_settings import OutputFormat, Quality, render_settings


def preview(services: Services, user_id: str, project_id: str) -> Preview:
    project = as_project(get_project(services.store, user_id, project_id))
    diagnostics: list[SceneDiagnostic] = []
    props: CompositionProps | None
    try:
        props, warnings = design_props(project, services.limits)
    except SceneCompileError as error:
        # Preview what works; say where the rest fails (the export stays refused until it is fixed).
        diagnostics = [SceneDiagnostic.model_validate(d) for d in error.details]
        failing = {d.scene_id for d in diagnostics}
        working = project.model_copy(update={"scenes": [s for s in project.scenes if s.id not in failing]})
        props, warnings = design_props(working, services.limits) if working.scenes else (None, [])
    frames = sum(scene.duration_in_frames for scene in props.scenes) if props else 0
    estimate = services.backend.estimate_seconds
    ready = _ready_at_once(services, user_id, project, props) if props and not diagnostics else {}
    video_seconds = round(frames / FPS, 3)
    history, _ = services.store.list_renders(user_id, _SIZE_HISTORY, None)
    return Preview(
        props=props,
        video_seconds=video_seconds,
        render_seconds={
            fmt: {q: estimate(frames, render_settings(project, fmt, q).every_nth_frame) for q in Quality}
            for fmt in OutputFormat
        },
        size_bytes={
            fmt: {
                q: estimate_bytes(render_settings(project, fmt, q), video_seconds, bytes_per_pixel(history, fmt, q))
                for q in Quality
            }
            for fmt in OutputFormat
        },
        max_gif_seconds=services.limits.max_gif_seconds,
        max_render_minutes=services.limits.max_render_duration_minutes,
        warnings=warnings,
        diagnostics=diagnostics,
        ready_at_once=ready,
    )


# The user's latest exports the file-size rates are learnt from (one query, newest first).
_SIZE_HISTORY = 50


def _ready_at_once(
    services: Services, user_id: str, project: Project, props: CompositionProps
) -> dict[OutputFormat, dict[Quality, bool]]:
    """For each format and quality, whether an identical export's file exists (it would be returned
    at once, at no quota): the same content key the start looks up."""
    ready: dict[OutputFormat, dict[Quality, bool]] = {}
    for fmt in OutputFormat:
        ready[fmt] = {}
        for quality in Quality:
            try:
                plan = plan_compiled(project, props.scenes, [], fmt, quality, services.limits)
            except InvalidRender:
                ready[fmt][quality] = False
                continue
            found = services.store.find_output(user_id, plan.content_key)
            ready[fmt][quality] = found is not None and services.store.output_exists(
                found.bucket_name, found.output_key
            )
    return ready
