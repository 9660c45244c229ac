"""Projects: what a user keeps to export."""

from functions.domain import clock
from functions.domain.naming import new_project_id
from functions.errors import NotFound, SceneCompileError
from functions.limits import Limits
from functions.models.api import ProjectResponse, PutScenesResponse, SceneDiagnostic
from functions.models.project import Project, SceneInput
from functions.models.records import ProjectRecord
from functions.preprocess.compile import check_sizes, compile_project
from functions.store import Store


def create_project(store: Store, user_id: str, project: Project, limits: Limits) -> ProjectRecord:
    if project.scenes:
        check_sizes(project, limits)
    at = clock.iso(clock.now())
    record = ProjectRecord(
        project_id=new_project_id(),
        user_id=user_id,
        title=project.title,
        format=project.format,
        width=project.width,
        height=project.height,
        scenes=project.scenes,
        created_at=at,
        updated_at=at,
    )
    store.put_project(record)
    return record


def list_projects(store: Store, user_id: str) -> list[ProjectRecord]:
    """Most recently changed first."""
    return sorted(store.list_projects(user_id), key=lambda r: r.updated_at, reverse=True)


def get_project(store: Store, user_id: str, project_id: str) -> ProjectRecord:
    record = store.get_project(user_id, project_id)
    if record is None:
        raise NotFound(f"project {project_id} was not found")
    return record


def as_project(record: ProjectRecord) -> Project:
    return Project(
        title=record.title, format=record.format, width=record.width, height=record.height, scenes=record.scenes
    )


def replace_scenes(
    store: Store, user_id: str, project_id: str, scenes: list[SceneInput], limits: Limits
) -> PutScenesResponse:
    """Store the new scenes and say how each compiles: diagnostics do not block saving work."""
    record = get_project(store, user_id, project_id)
    updated = record.model_copy(update={"scenes": scenes, "updated_at": clock.iso(clock.now())})
    project = Project.model_validate(as_project(updated).model_dump())  # re-checks unique scene ids
    diagnostics: list[SceneDiagnostic] = []
    warnings: list[str] = []
    if scenes:
        check_sizes(project, limits)
        try:
            warnings = compile_project(project, limits).warnings
        except SceneCompileError as error:
            diagnostics = [SceneDiagnostic.model_validate(d) for d in error.details]
    store.put_project(updated)
    return PutScenesResponse(project=ProjectResponse.of(updated), diagnostics=diagnostics, warnings=warnings)


def delete_project(store: Store, user_id: str, project_id: str) -> None:
    if not store.delete_project(user_id, project_id):
        raise NotFound(f"project {project_id} was not found")
