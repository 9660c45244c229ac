import pytest

from functions.models.project import Project
from functions.render_settings import OutputFormat, Quality, output_size, render_settings

LANDSCAPE = Project(title="t", format="landscape")
PORTRAIT = Project(title="t", format="portrait")
SQUARE = Project(title="t", format="square")


@pytest.mark.parametrize(
    ("project", "quality", "size"),
    [
        (LANDSCAPE, "low", (854, 480)),
        (LANDSCAPE, "medium", (1280, 720)),
        (LANDSCAPE, "high", (1920, 1080)),
        (PORTRAIT, "low", (480, 854)),
        (PORTRAIT, "medium", (720, 1280)),
        (PORTRAIT, "high", (1080, 1920)),
        (SQUARE, "low", (480, 480)),
        (SQUARE, "medium", (720, 720)),
        (SQUARE, "high", (1080, 1080)),
    ],
)
def test_video_dimensions_follow_the_preset_short_side(project, quality, size):
    for fmt in (OutputFormat.MP4, OutputFormat.WEBM):
        settings = render_settings(project, fmt, Quality(quality))
        assert (settings.width, settings.height) == size


@pytest.mark.parametrize(
    ("quality", "h264", "vp8", "jpeg"),
    [("low", 28, 30, 70), ("medium", 23, 20, 80), ("high", 18, 10, 90)],
)
def test_codecs_and_quality_settings(quality, h264, vp8, jpeg):
    mp4 = render_settings(LANDSCAPE, OutputFormat.MP4, Quality(quality))
    webm = render_settings(LANDSCAPE, OutputFormat.WEBM, Quality(quality))
    assert (mp4.codec, mp4.crf, mp4.jpeg_quality, mp4.fps, mp4.every_nth_frame) == ("h264", h264, jpeg, 30, 1)
    assert (webm.codec, webm.crf, webm.jpeg_quality, webm.extension) == ("vp8", vp8, jpeg, "webm")


@pytest.mark.parametrize(
    ("quality", "size", "fps", "nth"),
    [("low", (426, 240), 10, 3), ("medium", (640, 360), 15, 2), ("high", (854, 480), 15, 2)],
)
def test_gif_preset(quality, size, fps, nth):
    gif = render_settings(LANDSCAPE, OutputFormat.GIF, Quality(quality))
    assert (gif.codec, gif.crf, gif.extension) == ("gif", None, "gif")
    assert ((gif.width, gif.height), gif.fps, gif.every_nth_frame) == (size, fps, nth)


def test_custom_size_is_scaled_to_the_short_side_with_even_sides():
    custom = Project(title="t", width=1000, height=701)
    settings = render_settings(custom, OutputFormat.MP4, Quality.LOW)
    assert settings.height == 480
    assert settings.width == 684  # 1000 * 480 / 701 = 684.7 -> nearest even
    assert settings.width % 2 == 0 and settings.height % 2 == 0


def test_a_side_on_a_half_goes_to_the_even_number_above():
    """1400 × 480 / 1280 = 525, as near 524 as 526: halves go up (the page says 526 too)."""
    custom = Project(title="t", width=1400, height=1280)
    settings = render_settings(custom, OutputFormat.MP4, Quality.LOW)
    assert (settings.width, settings.height) == (526, 480)
    assert output_size((1280, 1400), 480) == (480, 526)
    assert output_size((1000, 1001), 240) == (240, 240)  # 240.24: not a half, to the nearest


def test_output_size_never_odd():
    for w in range(100, 400, 7):
        for h in range(100, 400, 11):
            ow, oh = output_size((w, h), 480)
            assert ow % 2 == 0 and oh % 2 == 0
            assert min(ow, oh) in (480, 478, 482)


def test_width_without_height_is_rejected():
    with pytest.raises(ValueError, match="width and height go together"):
        Project(title="t", width=800)
