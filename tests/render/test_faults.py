"""Scenes that stall or grow, and worker processes that die: who fails, how fast, who goes on."""

import os
import signal
import threading
import time

import pytest

from cli.main import render_job
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.render_settings import OutputFormat, Quality
from render import RenderFailed, RenderPool
from tests.helpers.media import video_stream
from tests.helpers.projects import project, scene

pytestmark = pytest.mark.render

FINE = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default () => <AbsoluteFill style={{backgroundColor: '#0ea5e9', fontSize: 200}}>{useCurrentFrame()}</AbsoluteFill>;"""

ENDLESS = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default function Spinner() {
  if (useCurrentFrame() >= 3) { while (true) {} }
  return <AbsoluteFill style={{backgroundColor: 'black'}} />;
}"""

NEVER_READY = """import {AbsoluteFill, delayRender} from 'remotion';
delayRender('waiting for nothing');
export default () => <AbsoluteFill style={{backgroundColor: 'black'}} />;"""

NAVIGATES = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default function Away() {
  if (useCurrentFrame() === 2) window.location.href = 'about:blank';
  return <AbsoluteFill style={{backgroundColor: 'black'}} />;
}"""

GREEDY = """import {AbsoluteFill} from 'remotion';
const hoard = [];
export default function Greedy() {
  for (let i = 0; i < 48; i++) hoard.push(new Uint8Array(64 * 1024 * 1024).fill(7));  // 3 GiB, touched
  return <AbsoluteFill style={{backgroundColor: 'black'}}>{hoard.length}</AbsoluteFill>;
}"""


def job(proj, out, fmt=OutputFormat.MP4):
    return render_job(plan_export(proj, fmt, Quality.LOW, Limits()), out)


def test_an_endless_loop_fails_its_own_render_in_time_while_another_export_finishes(tmp_path):
    with RenderPool(size=2, cache=None) as pool:
        outcome: dict = {}

        def stuck() -> None:
            started = time.monotonic()
            try:
                pool.render(job(project(scene(ENDLESS, id="spin", name="Spinner", duration=60)), tmp_path / "spin.mp4"))
            except RenderFailed as error:
                outcome["error"], outcome["seconds"] = error, time.monotonic() - started

        thread = threading.Thread(target=stuck)
        thread.start()
        time.sleep(3)
        other = pool.render(job(project(scene(FINE, id="other", duration=45)), tmp_path / "other.mp4"))
        thread.join(timeout=120)
        assert video_stream(other.output_path)["nb_read_frames"] == "45"
        error = outcome["error"]
        assert outcome["seconds"] < 60
        assert 'scene "spin" (Spinner)' in str(error) and "stopped making frames" in str(error)
        assert error.ours is False and not error.cancelled
        assert not (tmp_path / "spin.mp4").exists()
        # The user's next export works at once, on processes that replaced the killed one.
        again = pool.render(job(project(scene(FINE, id="next", duration=10)), tmp_path / "next.mp4"))
        assert video_stream(again.output_path)["nb_read_frames"] == "10"
        assert pool.replaced >= 1


def test_a_scene_that_never_gets_ready_fails_naming_itself(tmp_path):
    with RenderPool(size=1, cache=None, stall_seconds=8, first_frame_seconds=15) as pool:
        started = time.monotonic()
        with pytest.raises(RenderFailed) as failed:
            pool.render(
                job(
                    project(scene(FINE, id="fine", duration=10), scene(NEVER_READY, id="waits", duration=20)),
                    tmp_path / "out.mp4",
                )
            )
        assert time.monotonic() - started < 60
        assert 'scene "waits"' in str(failed.value) and failed.value.ours is False
        again = pool.render(job(project(scene(FINE, duration=5)), tmp_path / "next.mp4"))
        assert again.output_path.is_file()


def test_a_scene_that_navigates_away_cannot_and_its_render_goes_on(tmp_path):
    """The render page refuses the navigation (remotion_site/src/runtime/sandbox/guards.ts), so the
    page is never lost: the render finishes in its normal time and says what was refused."""
    with RenderPool(size=1, cache=None, stall_seconds=8, first_frame_seconds=15) as pool:
        started = time.monotonic()
        result = pool.render(
            job(
                project(scene(FINE, id="fine", duration=10), scene(NAVIGATES, id="away", duration=20)),
                tmp_path / "out.mp4",
            )
        )
        assert time.monotonic() - started < 60
        assert video_stream(result.output_path)["nb_read_frames"] == "30"
        assert any("refused to navigate the page to about:blank" in w for w in result.warnings)


def test_a_scene_over_the_memory_cap_fails_as_its_own(tmp_path):
    with RenderPool(size=1, cache=None, memory_limit_mb=1024) as pool:
        with pytest.raises(RenderFailed) as failed:
            pool.render(job(project(scene(GREEDY, id="greedy", name="Greedy", duration=5)), tmp_path / "out.mp4"))
        assert 'scene "greedy" (Greedy) used more than 1024 MiB' in str(failed.value)
        assert failed.value.ours is False
        assert pool.render(job(project(scene(FINE, duration=5)), tmp_path / "next.mp4")).output_path.is_file()


def test_a_killed_worker_is_replaced_its_render_fails_as_ours_and_the_queued_one_is_rendered(tmp_path):
    with RenderPool(size=1, cache=None) as pool:
        victim = pool.processes[0].pid
        victim_tmp = pool.processes[0].tmp_dir
        results: dict = {}
        progressed = threading.Event()

        def first() -> None:
            try:
                pool.render(
                    job(project(scene(FINE, id="first", duration=300)), tmp_path / "first.mp4"),
                    on_progress=lambda p: p > 0.02 and progressed.set(),
                )
            except RenderFailed as error:
                results["first"] = error

        def queued() -> None:
            results["queued"] = pool.render(
                job(project(scene(FINE, id="queued", duration=30)), tmp_path / "q.webm", OutputFormat.WEBM)
            )

        threads = [threading.Thread(target=first)]
        threads[0].start()
        assert progressed.wait(120)
        threads.append(threading.Thread(target=queued))
        threads[1].start()
        time.sleep(1)
        # What Remotion and Chromium keep while rendering (asset dirs, the browser's profile) is in
        # the worker's own TMPDIR, and goes with it: a killed worker leaves nothing in /tmp.
        assert victim_tmp is not None and any(victim_tmp.iterdir())
        os.kill(victim, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=180)
        assert results["first"].ours is True and "died" in str(results["first"])
        assert video_stream(results["queued"].output_path)["nb_read_frames"] == "30"
        assert pool.processes[0].pid != victim and pool.replaced >= 1
        assert not victim_tmp.exists()
        last_tmp = pool.processes[0].tmp_dir
        assert last_tmp is not None and last_tmp.is_dir()
    assert not last_tmp.exists()


# Busy pixels, different every frame: slow to encode in vp8 at high quality.
NOISY = """import {AbsoluteFill, useCurrentFrame, random} from 'remotion';
export default function Noise() {
  const frame = useCurrentFrame();
  const cells = Array.from({length: 1200}, (_, i) => (
    <div key={i} style={{width: 48, height: 27, float: 'left',
      background: `hsl(${Math.floor(random(`${frame}-${i}`) * 360)}, 80%, ${Math.floor(random(`l${frame}-${i}`) * 100)}%)`}} />
  ));
  return <AbsoluteFill>{cells}</AbsoluteFill>;
}"""


def test_an_encoder_still_at_work_after_the_last_frame_is_not_a_stall(tmp_path):
    """The watchdog's news is frames captured or encoded: a slow encode ends well."""
    plan = plan_export(project(scene(NOISY, id="noise", duration=60)), OutputFormat.WEBM, Quality.HIGH, Limits())
    with RenderPool(size=1, cache=None, stall_seconds=2, first_frame_seconds=30) as pool:
        done = pool.render(render_job(plan, tmp_path / "noise.webm"))
    assert video_stream(done.output_path)["nb_read_frames"] == "60"
