"""The limits of design sections 2 and 4, from functions/contract.json. The duration limit's default
is the contract's; the environment (MAX_RENDER_DURATION_MINUTES) may set another."""

from pydantic import BaseModel, Field

from functions.contract import (
    FPS,
    MAX_GIF_SECONDS,
    MAX_RENDER_DURATION_MINUTES,
    MAX_SCENE_SOURCE_BYTES,
    MAX_SCENES,
)
from functions.settings import LimitSettings


class Limits(BaseModel):
    max_render_duration_minutes: float = Field(default=MAX_RENDER_DURATION_MINUTES, gt=0)
    max_gif_seconds: int = MAX_GIF_SECONDS
    max_scenes: int = MAX_SCENES
    max_scene_source_bytes: int = MAX_SCENE_SOURCE_BYTES
    # After minifying and inlining icons; keeps the render payload well inside what Lambda takes.
    # Not in the contract: only the server compiles, so no other side needs it.
    max_scene_compiled_bytes: int = 512 * 1024

    @classmethod
    def from_env(cls) -> "Limits":
        return cls(max_render_duration_minutes=LimitSettings.from_env().max_render_duration_minutes)

    @property
    def max_render_frames(self) -> int:
        return int(self.max_render_duration_minutes * 60 * FPS)
