import pytest

from functions.errors import InvalidRender, LimitExceeded
from functions.limits import Limits
from functions.preprocess.compile import check_sizes
from functions.render_settings import OutputFormat, check_duration
from tests.helpers.projects import project, scene

LIMITS = Limits()


def test_thirty_minutes_is_the_default_and_allowed():
    assert LIMITS.max_render_frames == 30 * 60 * 30
    check_duration(30 * 60 * 30, OutputFormat.MP4, LIMITS)


def test_over_thirty_minutes_is_refused_with_the_limit_named():
    with pytest.raises(InvalidRender, match="at most 30 minutes") as error:
        check_duration(30 * 60 * 30 + 1, OutputFormat.WEBM, LIMITS)
    assert error.value.status == 422
    assert error.value.details[0]["limit"] == 54000


def test_duration_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MAX_RENDER_DURATION_MINUTES", "1")
    limits = Limits.from_env()
    check_duration(1800, OutputFormat.MP4, limits)
    with pytest.raises(InvalidRender, match="at most 1 minutes"):
        check_duration(1801, OutputFormat.MP4, limits)


def test_gif_is_limited_to_sixty_seconds():
    check_duration(60 * 30, OutputFormat.GIF, LIMITS)
    with pytest.raises(InvalidRender, match="a gif may be at most 60 s"):
        check_duration(60 * 30 + 1, OutputFormat.GIF, LIMITS)
    check_duration(60 * 30 + 1, OutputFormat.MP4, LIMITS)  # the same length is fine as video


def test_at_most_one_hundred_scenes():
    hundred = [scene("export default () => null", id=f"s{i}") for i in range(100)]
    check_sizes(project(*hundred), LIMITS)
    with pytest.raises(LimitExceeded, match="101 scenes; at most 100") as error:
        check_sizes(project(*hundred, scene("export default () => null", id="s100")), LIMITS)
    assert error.value.status == 413


def test_scene_source_is_limited_to_256_kib_in_bytes():
    body = "export default () => null;\n"
    fits = body + "//" + "x" * (256 * 1024 - len(body) - 2)
    check_sizes(project(scene(fits)), LIMITS)
    # Multi-byte characters count as the bytes they take.
    too_big = body + "//" + "é" * (128 * 1024)
    with pytest.raises(LimitExceeded, match='scene "s1" has 262173 bytes of source') as error:
        check_sizes(project(scene(too_big)), LIMITS)
    assert error.value.details == [{"sceneId": "s1", "limit": 262144, "actual": 262173}]


def test_a_project_needs_a_scene():
    with pytest.raises(InvalidRender, match="no scenes"):
        check_sizes(project(), LIMITS)
