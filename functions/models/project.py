"""What a user writes: a project, an ordered list of TSX scenes (design section 3)."""

from enum import StrEnum

from pydantic import Field, model_validator

from functions.models.base import CamelModel


class ProjectFormat(StrEnum):
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"
    SQUARE = "square"


class SceneInput(CamelModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = Field(min_length=1, max_length=200)
    duration_in_frames: int | None = Field(default=None, ge=1)
    tsx_code: str


class Project(CamelModel):
    title: str = Field(min_length=1, max_length=200)
    format: ProjectFormat = ProjectFormat.LANDSCAPE
    # A custom design size; scaled so its short side meets the quality preset.
    width: int | None = Field(default=None, ge=16, le=7680)
    height: int | None = Field(default=None, ge=16, le=7680)
    scenes: list[SceneInput] = Field(default_factory=list)

    @model_validator(mode="after")
    def _both_or_neither_size(self) -> "Project":
        if (self.width is None) != (self.height is None):
            raise ValueError("width and height go together: give both or neither")
        return self

    @model_validator(mode="after")
    def _unique_scene_ids(self) -> "Project":
        seen: set[str] = set()
        for scene in self.scenes:
            if scene.id in seen:
                raise ValueError(f"scene id {scene.id!r} is used twice")
            seen.add(scene.id)
        return self
