"""Quality presets (design section 4) turned into concrete render settings.

The same settings drive the local worker and Remotion Lambda, so a `high` mp4 is the same file
whichever backend made it.
"""

from dataclasses import dataclass
from enum import StrEnum

from functions.contract import FPS, OUTPUT_SIZE_MULTIPLE
from functions.contract import PRESETS as CONTRACT_PRESETS
from functions.errors import InvalidRender
from functions.limits import Limits
from functions.models.project import Project, ProjectFormat


class OutputFormat(StrEnum):
    MP4 = "mp4"
    WEBM = "webm"
    GIF = "gif"


class Quality(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Preset:
    short_side: int
    h264_crf: int
    vp8_crf: int
    jpeg_quality: int
    gif_short_side: int
    gif_fps: int


# From functions/contract.json, which the page reads too (web/src/lib/presets.ts).
PRESETS: dict[Quality, Preset] = {
    quality: Preset(
        short_side=preset["shortSide"],
        h264_crf=preset["crf"]["h264"],
        vp8_crf=preset["crf"]["vp8"],
        jpeg_quality=preset["jpegQuality"],
        gif_short_side=preset["gif"]["shortSide"],
        gif_fps=preset["gif"]["fps"],
    )
    for quality in Quality
    for preset in [CONTRACT_PRESETS[quality.value]]
}

# The size scenes are written for, per project format; custom projects bring their own.
DESIGN_SIZES: dict[ProjectFormat, tuple[int, int]] = {
    ProjectFormat.LANDSCAPE: (1920, 1080),
    ProjectFormat.PORTRAIT: (1080, 1920),
    ProjectFormat.SQUARE: (1080, 1080),
}

CODECS = {OutputFormat.MP4: "h264", OutputFormat.WEBM: "vp8", OutputFormat.GIF: "gif"}


@dataclass(frozen=True)
class RenderSettings:
    codec: str  # Remotion's codec name
    crf: int | None  # None for gif
    jpeg_quality: int
    width: int
    height: int
    every_nth_frame: int  # 1 for video; FPS / gif fps for gif
    fps: int  # frames per second of the output file
    extension: str


def design_size(project: Project) -> tuple[int, int]:
    if project.width is not None and project.height is not None:
        return project.width, project.height
    return DESIGN_SIZES[project.format]


def _nearest_multiple(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest multiple of OUTPUT_SIZE_MULTIPLE, halves up, at least
    one multiple. In integers, so that the page's TypeScript copy of this rule (web/src/lib/presets.ts)
    gets the same answer for every size: Python's round() takes halves to even, Math.round() up, and
    floats can land either side of a half (tests/integration/test_preset_parity.py)."""
    m = OUTPUT_SIZE_MULTIPLE
    return max(m, m * ((2 * numerator + m * denominator) // (2 * m * denominator)))


def output_size(design: tuple[int, int], short_side: int) -> tuple[int, int]:
    """Scale so the short side meets the preset; each side to the nearest even number, halves up
    (contract.json's outputSize; docs/decisions.md, "Output sizes")."""
    width, height = design
    short = min(width, height)
    return _nearest_multiple(width * short_side, short), _nearest_multiple(height * short_side, short)


def render_settings(project: Project, fmt: OutputFormat, quality: Quality) -> RenderSettings:
    preset = PRESETS[quality]
    design = design_size(project)
    if fmt is OutputFormat.GIF:
        width, height = output_size(design, preset.gif_short_side)
        return RenderSettings(
            codec=CODECS[fmt],
            crf=None,
            jpeg_quality=preset.jpeg_quality,
            width=width,
            height=height,
            every_nth_frame=FPS // preset.gif_fps,
            fps=preset.gif_fps,
            extension="gif",
        )
    width, height = output_size(design, preset.short_side)
    crf = preset.h264_crf if fmt is OutputFormat.MP4 else preset.vp8_crf
    return RenderSettings(
        codec=CODECS[fmt],
        crf=crf,
        jpeg_quality=preset.jpeg_quality,
        width=width,
        height=height,
        every_nth_frame=1,
        fps=FPS,
        extension=fmt.value,
    )


def check_duration(total_frames: int, fmt: OutputFormat, limits: Limits) -> None:
    """The video-length limits: MAX_RENDER_DURATION_MINUTES for any export, 60 s for gif."""
    seconds = total_frames / FPS
    if total_frames > limits.max_render_frames:
        raise InvalidRender(
            f"the project is {seconds / 60:.1f} minutes long; an export may be at most "
            f"{limits.max_render_duration_minutes:g} minutes",
            [{"field": "durationInFrames", "limit": limits.max_render_frames, "actual": total_frames}],
        )
    if fmt is OutputFormat.GIF and seconds > limits.max_gif_seconds:
        raise InvalidRender(
            f"the project is {seconds:.1f} s long; a gif may be at most {limits.max_gif_seconds} s "
            "(export it as mp4 or webm instead)",
            [{"field": "format", "limit": limits.max_gif_seconds * FPS, "actual": total_frames}],
        )
