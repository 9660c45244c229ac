"""The limits of design sections 2 and 4. The duration limit comes from the environment."""

from pydantic import BaseModel, Field

from functions.contract import FPS
from functions.settings import LimitSettings


class Limits(BaseModel):
    max_render_duration_minutes: float = Field(default=30, gt=0)
    max_gif_seconds: int = 60
    max_scenes: int = 100
    max_scene_source_bytes: int = 256 * 1024
    # After minifying and inlining icons; keeps the render payload well inside what Lambda takes.
    max_scene_compiled_bytes: int = 512 * 1024

    @classmethod
    def from_env(cls) -> "Limits":
        return cls(max_render_duration_minutes=LimitSettings.from_env().max_render_duration_minutes)

    @property
    def max_render_frames(self) -> int:
        return int(self.max_render_duration_minutes * 60 * FPS)
