"""Projects and scenes as the tests write them, and the examples."""

from functions import REPO_ROOT
from functions.models.project import Project, SceneInput

EXAMPLES = REPO_ROOT / "examples"


def scene(tsx: str, id: str = "s1", name: str = "Scene", duration: int | None = None) -> SceneInput:
    return SceneInput(id=id, name=name, duration_in_frames=duration, tsx_code=tsx)


def project(*scenes: SceneInput, format: str = "landscape", **extra) -> Project:
    return Project(title="Test", format=format, scenes=list(scenes), **extra)


def load_example(name: str) -> Project:
    return Project.model_validate_json((EXAMPLES / f"{name}.json").read_bytes())
