"""How big an export's file will be, before it is made.

A file's size is roughly proportional to the pixels it encodes (width × height × frames in the
file) at a rate set by the codec, its quality preset and how busy the scenes are. The rate comes
from the user's own finished exports of the same format and quality where there are some (their
scenes tend to look alike), else from the examples' exports (docs/decisions.md, "file sizes").
"""

import math
import statistics

from functions.contract import FPS
from functions.models.records import RenderRecord, RenderStatus
from functions.render_settings import PRESETS, OutputFormat, Quality, RenderSettings

# Bytes per encoded pixel of the three examples' exports (the median of the three for each format
# and quality), measured with `framecast render` on 2026-11-25. The examples differ by up to 3×.
DEFAULT_BYTES_PER_PIXEL: dict[OutputFormat, dict[Quality, float]] = {
    OutputFormat.MP4: {Quality.LOW: 0.00121, Quality.MEDIUM: 0.00122, Quality.HIGH: 0.00129},
    OutputFormat.WEBM: {Quality.LOW: 0.00206, Quality.MEDIUM: 0.00114, Quality.HIGH: 0.00074},
    OutputFormat.GIF: {Quality.LOW: 0.0579, Quality.MEDIUM: 0.0394, Quality.HIGH: 0.0276},
}
# How many of the user's latest exports of a format and quality the rate is taken from.
HISTORY_SAMPLES = 5


def _file_fps(fmt: OutputFormat, quality: Quality) -> int:
    return PRESETS[quality].gif_fps if fmt is OutputFormat.GIF else FPS


def _pixels(width: int, height: int, video_seconds: float, fps: int) -> int:
    return width * height * max(1, math.ceil(video_seconds * fps))


def bytes_per_pixel(history: list[RenderRecord], fmt: OutputFormat, quality: Quality) -> float:
    """The rate for this format and quality: the median of the user's latest rendered exports of it
    (a reused file says nothing new), else the examples' rate."""
    rates = [
        r.size_bytes / _pixels(r.width, r.height, r.video_seconds, _file_fps(fmt, quality))
        for r in history
        if r.status is RenderStatus.SUCCEEDED
        and not r.reused
        and r.format is fmt
        and r.quality is quality
        and r.size_bytes
    ][:HISTORY_SAMPLES]
    return statistics.median(rates) if rates else DEFAULT_BYTES_PER_PIXEL[fmt][quality]


def estimate_bytes(settings: RenderSettings, video_seconds: float, rate: float) -> int:
    return round(rate * _pixels(settings.width, settings.height, video_seconds, settings.fps))
