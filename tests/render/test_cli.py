"""`framecast render` as a user runs it, checked with ffprobe."""

import json
import subprocess
import sys

import pytest

from functions import REPO_ROOT
from tests.helpers.media import ffprobe
from tests.helpers.projects import EXAMPLES

pytestmark = pytest.mark.render


def framecast(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=600
    )


def test_webm_low_is_vp8_in_webm_at_the_preset_size(tmp_path):
    out = tmp_path / "portrait.webm"
    result = framecast(
        "render", str(EXAMPLES / "portrait.json"), "--format", "webm", "--quality", "low", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    probe = ffprobe(out)
    [video] = probe["streams"]
    assert "webm" in probe["format"]["format_name"]
    assert video["codec_name"] in ("vp8", "vp9")
    assert (video["width"], video["height"]) == (480, 854)  # portrait 9:16 at the low preset
    assert video["r_frame_rate"] == "30/1"
    assert int(video["nb_read_frames"]) == 150 + 60
    assert str(out) in result.stdout


def test_gif_is_a_real_gif_at_the_gif_preset(tmp_path):
    out = tmp_path / "square.gif"
    result = framecast(
        "render", str(EXAMPLES / "square.json"), "--format", "gif", "--quality", "low", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:6] in (b"GIF87a", b"GIF89a")
    [video] = ffprobe(out)["streams"]
    assert video["codec_name"] == "gif"
    assert (video["width"], video["height"]) == (240, 240)
    assert video["r_frame_rate"] == "10/1"
    assert int(video["nb_read_frames"]) == 60 // 3  # 2 s at 10 fps


def test_a_custom_size_renders_at_the_size_the_page_announces(tmp_path):
    """1400×1280 at low: the long side is exactly 525, which the page and the renderer both take up to
    526 (issue 21; Python's round() used to make 524)."""
    source = tmp_path / "custom.json"
    scene = (
        "import {AbsoluteFill} from 'remotion';\nexport default () => <AbsoluteFill style={{background: 'teal'}} />;"
    )
    source.write_text(
        json.dumps(
            {
                "title": "Custom",
                "width": 1400,
                "height": 1280,
                "scenes": [{"id": "s1", "name": "Teal", "durationInFrames": 15, "tsxCode": scene}],
            }
        )
    )
    out = tmp_path / "custom.mp4"
    result = framecast("render", str(source), "--format", "mp4", "--quality", "low", "--out", str(out))
    assert result.returncode == 0, result.stderr
    [video] = ffprobe(out)["streams"]
    assert (video["width"], video["height"]) == (526, 480)


def test_scene_that_does_not_compile_exits_non_zero_with_its_place_and_writes_nothing(tmp_path):
    project = tmp_path / "broken.json"
    project.write_text(
        '{"title": "Broken", "format": "landscape", "scenes": ['
        '{"id": "fine", "name": "Fine", "tsxCode": "export default () => null;"},'
        '{"id": "oops", "name": "Oops", "tsxCode": "export default () => {\\n  return <div>{1 +}</div>;\\n};"}]}'
    )
    out = tmp_path / "broken.mp4"
    result = framecast("render", str(project), "--out", str(out))
    assert result.returncode == 1
    assert 'scene "oops", line 2, column 19: Unexpected "}"' in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [project]


def test_an_invalid_project_file_is_explained(tmp_path):
    project = tmp_path / "bad.json"
    project.write_text('{"title": "x", "format": "round", "scenes": []}')
    result = framecast("render", str(project))
    assert result.returncode != 0
    assert "format: Input should be 'landscape', 'portrait' or 'square'" in result.stderr
