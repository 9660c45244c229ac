"""File-size estimates: the user's own exports of a format and quality, else the examples' rate."""

import pytest

from functions.domain.size_estimate import DEFAULT_BYTES_PER_PIXEL, bytes_per_pixel, estimate_bytes
from functions.models.records import RenderRecord, RenderStatus
from functions.render_settings import OutputFormat, Quality, render_settings
from tests.helpers.projects import project, scene


def _render(size: int, fmt: str = "mp4", quality: str = "medium", **fields) -> RenderRecord:
    return RenderRecord.model_validate(
        {
            "render_id": f"rnd_{size}",
            "user_id": "u",
            "project_id": "p",
            "title": "T",
            "format": fmt,
            "quality": quality,
            "status": RenderStatus.SUCCEEDED,
            "width": 1280,
            "height": 720,
            "video_seconds": 10,
            "estimated_render_seconds": 20,
            "created_at": "2026-11-25T00:00:00.000Z",
            "last_news_at": 0,
            "lock_slot": 0,
            "quota_day": "2026-11-25",
            "size_bytes": size,
            **fields,
        }
    )


PIXELS = 1280 * 720 * 300  # ten seconds at 30 fps


def test_without_history_the_examples_rate_is_used():
    assert (
        bytes_per_pixel([], OutputFormat.WEBM, Quality.HIGH) == DEFAULT_BYTES_PER_PIXEL[OutputFormat.WEBM][Quality.HIGH]
    )


def test_the_users_own_exports_of_that_format_and_quality_decide_by_their_median():
    history = [
        _render(PIXELS * 1),
        _render(PIXELS * 3),
        _render(PIXELS * 2),
        _render(PIXELS * 50, fmt="gif"),  # another format
        _render(PIXELS * 50, quality="low"),  # another quality
        _render(PIXELS * 50, reused=True),  # a reused file was not made for this estimate
        _render(PIXELS * 50, status=RenderStatus.FAILED),
    ]
    assert bytes_per_pixel(history, OutputFormat.MP4, Quality.MEDIUM) == pytest.approx(2)


def test_a_gif_counts_the_frames_in_its_file():
    proj = project(scene("export default () => null", duration=300))
    gif = render_settings(proj, OutputFormat.GIF, Quality.LOW)  # 10 frames a second
    assert estimate_bytes(gif, 10, 1.0) == gif.width * gif.height * 100
    mp4 = render_settings(proj, OutputFormat.MP4, Quality.LOW)
    assert estimate_bytes(mp4, 10, 1.0) == mp4.width * mp4.height * 300
