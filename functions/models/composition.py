"""The input props of the Remotion composition `Main`.

Mirrors `remotion_site/src/schema.ts` (zod); tests/integration/test_props_schema.py keeps the two in step.
"""

from pydantic import Field

from functions.models.base import CamelModel


class IconData(CamelModel):
    """One Iconify icon as inline SVG: the `<svg>` body and its viewBox."""

    body: str
    left: int | float = 0
    top: int | float = 0
    width: int | float
    height: int | float


class CompiledScene(CamelModel):
    id: str
    name: str
    duration_in_frames: int = Field(ge=1)
    js_code: str
    # Icons whose names the scene only knows at run time (held in variables, arrays, objects).
    icons: dict[str, IconData] = Field(default_factory=dict)


class CompositionProps(CamelModel):
    title: str
    # Output size in pixels (the quality preset applied to the design size).
    width: int = Field(ge=2)
    height: int = Field(ge=2)
    # The size scenes are laid out in; the composition scales it to the output size.
    design_width: int = Field(ge=2)
    design_height: int = Field(ge=2)
    scenes: list[CompiledScene] = Field(min_length=1)
