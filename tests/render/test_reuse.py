"""Re-exports through the chunk cache: only what changed is rendered again."""

import threading
from dataclasses import replace

import pytest

from cli.main import render_job
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.render_settings import OutputFormat, Quality
from render import RenderPool
from render.chunk_cache import ChunkCache
from tests.helpers.media import mean_rgb_at, psnr, video_stream
from tests.helpers.projects import project, scene

pytestmark = pytest.mark.render


def solid(color: str) -> str:
    return f"""import {{AbsoluteFill, useCurrentFrame}} from 'remotion';
export default () => <AbsoluteFill style={{{{backgroundColor: '{color}', fontSize: 200}}}}>{{useCurrentFrame()}}</AbsoluteFill>;"""


RED, GREEN, BLUE = solid("#ff0000"), solid("#00ff00"), solid("#0000ff")


@pytest.fixture
def cache(tmp_path):
    return ChunkCache(tmp_path / "cache")


@pytest.fixture(scope="module")
def pool():
    with RenderPool(cache=None, chunk_frames=20) as running:
        yield running


def render(pool, cache, proj, out, fmt=OutputFormat.MP4):
    pool.cache = cache
    return pool.render(render_job(plan_export(proj, fmt, Quality.LOW, Limits()), out))


def colour_at(path, frame: int) -> str:
    r, g, b = mean_rgb_at(path, (frame + 0.5) / 30)
    return max(("red", r), ("green", g), ("blue", b), key=lambda item: item[1])[0]


def test_after_an_edit_only_the_edited_scene_renders_again(pool, cache, tmp_path):
    first = render(
        pool,
        cache,
        project(scene(RED, id="a", duration=30), scene(GREEN, id="b", duration=30), scene(BLUE, id="c", duration=30)),
        tmp_path / "first.mp4",
    )
    assert (first.chunks_total, first.chunks_cached) == (6, 0)
    edited = render(
        pool,
        cache,
        project(scene(RED, id="a", duration=30), scene(RED, id="b", duration=30), scene(BLUE, id="c", duration=30)),
        tmp_path / "edited.mp4",
    )
    assert (edited.chunks_total, edited.chunks_cached) == (6, 4)  # scene b's two chunks rendered again
    assert [colour_at(edited.output_path, f) for f in (5, 45, 75)] == ["red", "red", "blue"]
    again = render(
        pool,
        cache,
        project(scene(RED, id="a", duration=30), scene(RED, id="b", duration=30), scene(BLUE, id="c", duration=30)),
        tmp_path / "again.mp4",
    )
    assert again.chunks_cached == again.chunks_total
    assert video_stream(again.output_path)["nb_read_frames"] == "90"
    assert again.output_path.read_bytes() == edited.output_path.read_bytes()


def test_a_new_browser_or_new_worker_scripts_render_again(pool, cache, tmp_path):
    """What the worker answered when it started (its browser's version) and the worker's scripts are
    part of every key: a cache filled before an upgrade is not replayed after it."""
    proj = project(scene(RED, id="a", duration=10))
    assert render(pool, cache, proj, tmp_path / "first.mp4").chunks_cached == 0
    assert render(pool, cache, proj, tmp_path / "again.mp4").chunks_cached == 1
    started_with = pool.renderer
    assert started_with is not None and started_with.browser == pool.info["browserVersion"]
    try:
        pool.renderer = replace(started_with, browser=f"{started_with.browser} (upgraded)")
        assert render(pool, cache, proj, tmp_path / "browser.mp4").chunks_cached == 0
        pool.renderer = replace(started_with, worker_scripts="edited")
        assert render(pool, cache, proj, tmp_path / "scripts.mp4").chunks_cached == 0
    finally:
        pool.renderer = started_with
    assert render(pool, cache, proj, tmp_path / "back.mp4").chunks_cached == 1


def test_a_reordered_project_reuses_every_scene(pool, cache, tmp_path):
    a, b, c = scene(RED, id="a", duration=30), scene(GREEN, id="b", duration=25), scene(BLUE, id="c", duration=35)
    render(pool, cache, project(a, b, c), tmp_path / "abc.mp4")
    reordered = render(pool, cache, project(c, a, b), tmp_path / "cab.mp4")
    assert reordered.chunks_cached == reordered.chunks_total
    assert [colour_at(reordered.output_path, f) for f in (10, 40, 70)] == ["blue", "red", "green"]
    fresh = render(pool, ChunkCache(tmp_path / "fresh"), project(c, a, b), tmp_path / "fresh.mp4")
    assert fresh.chunks_cached == 0
    assert psnr(reordered.output_path, fresh.output_path) >= 35


def test_a_corrupt_entry_is_rendered_again_and_the_video_is_right(pool, cache, tmp_path):
    proj = project(scene(RED, id="a", duration=20), scene(GREEN, id="b", duration=20))
    render(pool, cache, proj, tmp_path / "first.webm", OutputFormat.WEBM)
    [victim, *_] = sorted(cache.entries.glob("*/*/video.webm"))
    victim.write_bytes(victim.read_bytes()[:-500] + bytes(500))
    second = render(pool, cache, proj, tmp_path / "second.webm", OutputFormat.WEBM)
    assert (second.chunks_total, second.chunks_cached) == (2, 1)
    assert psnr(second.output_path, tmp_path / "first.webm") >= 35
    assert [colour_at(second.output_path, f) for f in (5, 25)] == ["red", "green"]


def test_concurrent_exports_of_shared_scenes_through_one_cache(pool, cache, tmp_path):
    shared = scene(GREEN, id="shared", duration=30)
    projects = [project(scene(RED, id="a", duration=20), shared), project(shared, scene(BLUE, id="b", duration=20))]
    results: dict[int, object] = {}

    def export(i: int) -> None:
        results[i] = render(pool, cache, projects[i], tmp_path / f"p{i}.mp4")

    threads = [threading.Thread(target=export, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [colour_at(results[0].output_path, f) for f in (5, 35)] == ["red", "green"]
    assert [colour_at(results[1].output_path, f) for f in (5, 35)] == ["green", "blue"]
    assert all(video_stream(results[i].output_path)["nb_read_frames"] == "50" for i in range(2))
    again = render(pool, cache, projects[1], tmp_path / "again.mp4")
    assert again.chunks_cached == again.chunks_total


MATH_RANDOM = """import {AbsoluteFill} from 'remotion';
const hue = Math.floor(Math.random() * 360);  // not deterministic: differs in every tab and every render
export default () => <AbsoluteFill style={{backgroundColor: `hsl(${hue}, 90%, 50%)`}} />;"""

REMOTION_RANDOM = """import {AbsoluteFill, random} from 'remotion';
const hue = Math.floor(random('background') * 360);  // deterministic: the same in every render
export default () => <AbsoluteFill style={{backgroundColor: `hsl(${hue}, 90%, 50%)`}} />;"""


def test_math_random_is_not_deterministic_and_the_cache_keeps_the_first_draw(pool, tmp_path):
    """docs/decisions.md: scenes must be deterministic. A scene drawing Math.random() gets a new
    colour in each uncached render (and its chunks could even disagree); the cache then replays
    whichever draw it kept. Remotion's random(seed) is the same every time."""
    proj = project(scene(MATH_RANDOM, id="dice", duration=10))
    caches = [ChunkCache(tmp_path / f"cache{i}") for i in range(3)]
    draws = [mean_rgb_at(render(pool, c, proj, tmp_path / f"r{i}.mp4").output_path, 0.1) for i, c in enumerate(caches)]
    assert len({tuple(round(v / 8) for v in draw) for draw in draws}) > 1  # three renders, not one colour
    replay = render(pool, caches[0], proj, tmp_path / "replay.mp4")
    assert replay.chunks_cached == 1 and replay.output_path.read_bytes() == (tmp_path / "r0.mp4").read_bytes()

    seeded = project(scene(REMOTION_RANDOM, id="seeded", duration=10))
    first = render(pool, ChunkCache(tmp_path / "s1"), seeded, tmp_path / "s1.mp4")
    second = render(pool, ChunkCache(tmp_path / "s2"), seeded, tmp_path / "s2.mp4")
    assert psnr(first.output_path, second.output_path) >= 50
