"""What the page previews and estimates before an export: the compiled project and its costs in time."""


from functions.contract import FPS
from functions.domain.export_plan import design_props
from functions.domain.projects import as_project, get_project
from functions.domain.services import Services
from functions.models.api import Preview
from functions.render_settings import OutputFormat, Quality, render_settings


def preview(services: Services, user_id: str, project_id: str) -> Preview:
    project = as_project(get_project(services.store, user_id, project_id))
    props, warnings = design_props(project, services.limits)
    frames = sum(scene.duration_in_frames for scene in props.scenes)
    estimate = services.backend.estimate_seconds
    return Preview(
        props=props,
        video_seconds=round(frames / FPS, 3),
        render_seconds={fmt: {q: estimate(frames, render_settings(project, fmt, q).every_nth_frame) for q in Quality}
                        for fmt in OutputFormat},
        max_gif_seconds=services.limits.max_gif_seconds,
        max_render_minutes=services.limits.max_render_duration_minutes,
        warnings=warnings,
    )
