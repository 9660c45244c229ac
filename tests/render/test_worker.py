"""Real renders through the local render pool: Remotion, the bundle and Chromium, no mocks."""

import threading

import pytest

from cli.main import render_job
from functions import REPO_ROOT
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.render_settings import OutputFormat, Quality
from render import RenderFailed, RenderJob, RenderPool
from tests.helpers.media import ffprobe, mean_rgb_at
from tests.helpers.projects import project, scene

pytestmark = pytest.mark.render

GREEN = """import {AbsoluteFill} from 'remotion';
export default () => <AbsoluteFill style={{backgroundColor: '#00ff00'}} />;"""

BOOM = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default function Boom() {
  const frame = useCurrentFrame();
  if (frame >= 5) throw new Error('kaboom from the scene');
  return <AbsoluteFill style={{backgroundColor: '#0000ff'}} />;
}"""


def job_for(proj, fmt: OutputFormat, quality: Quality, out) -> tuple[RenderJob, list[str]]:
    plan = plan_export(proj, fmt, quality, Limits())
    return render_job(plan, out), plan.warnings


def test_mp4_is_h264_at_30_fps_with_every_frame_of_every_scene(worker, tmp_path):
    proj = project(scene(GREEN, id="a", duration=20), scene(GREEN, id="b", duration=25))
    job, _ = job_for(proj, OutputFormat.MP4, Quality.LOW, tmp_path / "two.mp4")
    progress: list[float] = []
    result = worker.render(job, on_progress=progress.append)
    [video] = ffprobe(result.output_path)["streams"]
    assert (video["codec_name"], video["width"], video["height"], video["r_frame_rate"]) == ("h264", 854, 480, "30/1")
    assert int(video["nb_read_frames"]) == 45
    assert progress and progress == sorted(progress) and progress[-1] == 1.0
    assert result.warnings == []


def test_a_scene_that_throws_gets_a_fallback_frame_and_a_warning(worker, tmp_path):
    proj = project(scene(GREEN, id="first", duration=15), scene(BOOM, id="boom", name="Boom scene", duration=30))
    job, _ = job_for(proj, OutputFormat.MP4, Quality.LOW, tmp_path / "boom.mp4")
    result = worker.render(job)
    assert int(ffprobe(result.output_path)["streams"][0]["nb_read_frames"]) == 45
    assert result.warnings == [
        'scene "boom" (Boom scene) threw while rendering: kaboom from the scene; a fallback frame was shown'
    ]
    before = mean_rgb_at(result.output_path, (15 + 2) / 30)
    assert before[2] > 200 and before[0] < 40  # the scene's own blue, before it throws
    fallback = mean_rgb_at(result.output_path, (15 + 20) / 30)
    assert all(channel < 90 for channel in fallback) and fallback[2] >= fallback[1]  # the dark fallback card


def test_every_allowlisted_module_and_global_works_at_render_time(worker, tmp_path):
    source = """import React, {useMemo} from 'react';
import {AbsoluteFill, useCurrentFrame, useVideoConfig} from 'remotion';
import {Circle} from '@remotion/shapes';
import {TransitionSeries, linearTiming} from '@remotion/transitions';
import {fade} from '@remotion/transitions/fade';
import {slide} from '@remotion/transitions/slide';
import {wipe} from '@remotion/transitions/wipe';
import {flip} from '@remotion/transitions/flip';
import {clockWipe} from '@remotion/transitions/clock-wipe';
import {none} from '@remotion/transitions/none';
import {getLength} from '@remotion/paths';
import {noise2D} from '@remotion/noise';
import {Icon} from '@iconify/react';

export default function All() {
  const {width, height} = useVideoConfig();
  const frame = useCurrentFrame();
  const length = useMemo(() => getLength('M 0 0 L 100 0'), []);
  if (width !== 1920 || height !== 1080) throw new Error(`scenes see the design size, not ${width}x${height}`);
  if (length !== 100 || typeof noise2D('s', 1, 2) !== 'number') throw new Error('paths or noise broken');
  [fade, slide, wipe, flip, clockWipe, none].forEach((make) => make({width, height} as any));
  const G = window.Remotion, R = window.React, F = window.RemotionGoogleFonts, I = window.IconifyIcon;
  if (!G.AbsoluteFill || !R.createElement || !F.loadFont || !I) throw new Error('a global is missing');
  return (
    <AbsoluteFill>
      <TransitionSeries>
        <TransitionSeries.Sequence durationInFrames={10}><Circle radius={frame + 10} fill="red" /></TransitionSeries.Sequence>
      </TransitionSeries>
      <Icon icon="mdi:home" width={40} />
    </AbsoluteFill>
  );
}"""
    job, _ = job_for(project(scene(source, duration=6)), OutputFormat.MP4, Quality.LOW, tmp_path / "all.mp4")
    assert worker.render(job).warnings == []


def test_an_icon_named_only_at_run_time_and_found_nowhere_is_a_placeholder_and_a_warning(worker, tmp_path):
    source = """const parts = ['mdi', 'no-such-icon-anywhere'];
export default () => <IconifyIcon icon={parts.join(':')} width={200} />;"""
    job, _ = job_for(project(scene(source, id="rt", duration=3)), OutputFormat.MP4, Quality.LOW, tmp_path / "rt.mp4")
    result = worker.render(job)
    assert result.warnings == ['scene "rt": icon "mdi:no-such-icon-anywhere" was not found; a placeholder is drawn']


def test_google_font_loads_where_the_network_allows_and_only_warns_where_not(worker, tmp_path):
    source = """const {fontFamily} = window.RemotionGoogleFonts.loadFont('Inter', {weights: ['400', '700']});
export default () => <div style={{fontFamily, fontSize: 80}}>Hello</div>;"""
    job, _ = job_for(project(scene(source, duration=3)), OutputFormat.MP4, Quality.LOW, tmp_path / "font.mp4")
    result = worker.render(job)
    assert result.output_path.is_file()
    # Offline, the only acceptable complaint is the font warning; online there is none.
    assert all(w.startswith('font "Inter" could not be loaded') for w in result.warnings)


def test_a_cancelled_render_leaves_no_file(worker, tmp_path):
    proj = project(scene(GREEN, duration=900))
    job, _ = job_for(proj, OutputFormat.MP4, Quality.LOW, tmp_path / "cancelled.mp4")
    started = threading.Event()

    def on_progress(fraction: float) -> None:
        if fraction > 0 and not started.is_set():
            started.set()
            worker.cancel(job.id)

    with pytest.raises(RenderFailed) as failed:
        worker.render(job, on_progress=on_progress)
    assert failed.value.cancelled
    assert list(tmp_path.iterdir()) == []  # neither the output nor a partial file


def test_the_bundle_is_built_once_and_reused(worker):
    assert worker.info["bundle"].startswith(str(REPO_ROOT / ".cache/bundle"))
    assert not worker.info["browserVersion"].startswith("unknown")  # part of every chunk's key
    with RenderPool(size=1, cache=None) as second:
        assert second.info["bundleCached"] is True
        assert second.info["bundle"] == worker.info["bundle"]
