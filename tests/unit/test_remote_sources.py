"""A scene that names a URL the render will refuse is told so when the export is planned."""

import pytest

from functions.preprocess.compile import compile_project
from functions.preprocess.remote_sources import refused_reason
from tests.helpers.projects import project, scene


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
        "https://[::1]:8000/a.mp3",
        "http://169.254.169.254/latest/meta-data",
        "https://10.0.0.5/video.mp4",
        "https://localhost:3000/song.mp3",
        "https://media.local/a.png",
        "https://db.internal/x",
        "https://metadata/computeMetadata",
        "https://app.localhost/a.mp3",
    ],
)
def test_urls_the_render_refuses(url):
    assert refused_reason(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a.mp3",
        "https://cdn.example.co.uk/v.mp4",
        "http://example.com",
        "https://s3.amazonaws.com/b/k",
    ],
)
def test_public_hosts_are_not_warned_about(url):
    assert refused_reason(url) is None


def test_the_plan_warns_naming_the_scene_and_ignores_comments():
    source = """import {AbsoluteFill, Audio} from 'remotion';
// copied from my machine: http://localhost:9999/old.mp3
export default () => <AbsoluteFill><Audio src="http://127.0.0.1:3000/song.mp3" />
  <Audio src={'https://localhost:3000/song.mp3'} /><p>https://example.com</p></AbsoluteFill>;"""
    compiled = compile_project(project(scene(source, id="intro", name="Intro")))
    assert compiled.warnings == [
        'scene "intro" (Intro) names http://127.0.0.1:3000/song.mp3: if it loads it, the render will not fetch it: '
        "an IP address is never fetched: media must come from a public host by name",
        'scene "intro" (Intro) names https://localhost:3000/song.mp3: if it loads it, the render will not fetch it: '
        "localhost is not a public host name",
    ]
