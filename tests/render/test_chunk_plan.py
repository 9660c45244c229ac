"""How exports are cut into chunks and keyed (no rendering)."""

import shutil
from dataclasses import replace

from functions.render_settings import OutputFormat, Quality, render_settings
from render.chunks import (
    MAX_PIECES_PER_SCENE,
    WORKER_DIR,
    Renderer,
    keyed_chunks,
    plan_chunks,
    worker_scripts_fingerprint,
)
from tests.helpers.projects import project, scene

RENDERER = Renderer(bundle="b1", site_data="none", worker_scripts="w1", browser="Chromium 156.0.8078.129")


def covered(chunks) -> list[int]:
    return [frame for chunk in chunks for frame in range(chunk.start, chunk.end)]


def test_chunks_cover_every_frame_once_and_never_cross_a_scene_edge():
    chunks = plan_chunks([90, 100, 120], chunk_frames=60)
    assert covered(chunks) == list(range(310))
    assert [(c.start, c.end) for c in chunks] == [(0, 45), (45, 90), (90, 140), (140, 190), (190, 250), (250, 310)]
    assert all(len(c.parts) == 1 for c in chunks)
    assert [(p.scene_index, p.start, p.end) for c in chunks[2:4] for p in c.parts] == [(1, 0, 50), (1, 50, 100)]


def test_gif_chunks_start_on_the_frames_a_single_pass_picks():
    # Every 3rd frame (10 fps gif): a single pass renders frames 0, 3, 6, ...
    chunks = plan_chunks([20, 25, 16], every_nth_frame=3, chunk_frames=15)
    assert covered(chunks) == list(range(61))
    assert all(c.start % 3 == 0 for c in chunks)
    picked = [f for c in chunks for f in range(c.start, c.end) if (f - c.start) % 3 == 0]
    assert picked == list(range(0, 61, 3))


def test_gif_chunks_hold_as_many_encoded_frames_as_other_formats():
    # chunk_frames counts captures: at every 3rd frame a 90-frame scene is 30 captures, one chunk,
    # and 400 frames (134 captures) are three; every chunk still starts on a picked frame.
    gif = plan_chunks([90, 100, 120], every_nth_frame=3, chunk_frames=60)
    assert [(c.start, c.end) for c in gif] == [(0, 90), (90, 192), (192, 310)]
    assert [(c.start, c.end) for c in plan_chunks([400], every_nth_frame=3, chunk_frames=60)] == [
        (0, 135),
        (135, 270),
        (270, 400),
    ]


def test_a_long_scene_is_cut_into_a_bounded_number_of_pieces():
    chunks = plan_chunks([54000], chunk_frames=60)
    assert len(chunks) == MAX_PIECES_PER_SCENE and covered(chunks) == list(range(54000))


def _keys(*scenes, fmt=OutputFormat.MP4, quality=Quality.LOW, renderer=RENDERER):
    proj = project(*scenes)
    settings = render_settings(proj, fmt, quality)
    props = {
        "scenes": [
            {"id": s.id, "name": s.name, "durationInFrames": s.duration_in_frames, "jsCode": s.tsx_code, "icons": {}}
            for s in scenes
        ],
        "designWidth": 1920,
        "designHeight": 1080,
    }
    chunks = plan_chunks([s.duration_in_frames for s in scenes], settings.every_nth_frame, 60)
    return [c.key for c in keyed_chunks(chunks, props, settings, renderer)]


def test_keys_follow_the_scene_not_its_place():
    a, b, c = scene("A", id="a", duration=30), scene("B", id="b", duration=30), scene("C", id="c", duration=30)
    first = _keys(a, b, c)
    assert len(set(first)) == 3
    assert sorted(_keys(c, a, b)) == sorted(first)  # reordered: every chunk reusable
    edited = _keys(a, scene("B2", id="b", duration=30), c)
    assert edited[0] == first[0] and edited[2] == first[2] and edited[1] != first[1]


def test_keys_change_with_everything_else_that_decides_the_frames():
    a = scene("A", id="a", duration=30)
    base = _keys(a)
    assert _keys(a, quality=Quality.MEDIUM) != base
    assert _keys(a, fmt=OutputFormat.WEBM) != base
    assert _keys(a, renderer=replace(RENDERER, bundle="b2")) != base
    assert _keys(a, renderer=replace(RENDERER, site_data="new font")) != base
    assert _keys(scene("A", id="a", name="Renamed", duration=30)) != base  # the fallback card shows the name


def test_keys_change_with_the_worker_scripts_and_the_browser():
    a = scene("A", id="a", duration=30)
    base = _keys(a)
    assert _keys(a, renderer=replace(RENDERER, browser="Chromium 157.0.1.2")) != base
    assert _keys(a, renderer=replace(RENDERER, worker_scripts="w2")) != base
    assert _keys(a, renderer=replace(RENDERER)) == base


def test_the_worker_scripts_fingerprint_follows_every_script(tmp_path):
    shutil.copytree(WORKER_DIR, tmp_path / "worker")
    base = worker_scripts_fingerprint(tmp_path / "worker")
    assert base == worker_scripts_fingerprint(WORKER_DIR)
    for script in sorted((tmp_path / "worker").glob("*.mjs")):
        original = script.read_bytes()
        script.write_bytes(original + b"\n// edited\n")
        assert worker_scripts_fingerprint(tmp_path / "worker") != base, script.name
        script.write_bytes(original)
    assert {p.name for p in (tmp_path / "worker").glob("*.mjs")} >= {"worker.mjs", "browser.mjs", "protocol.mjs"}


def test_the_renderer_is_what_the_worker_answered_when_ready():
    ready = {"type": "ready", "bundle": "/b", "bundleHash": "h", "bundleCached": True, "browserVersion": "Chromium 1"}
    renderer = Renderer.of(ready, "site")
    assert (renderer.bundle, renderer.browser, renderer.site_data) == ("h", "Chromium 1", "site")
    assert renderer.worker_scripts == worker_scripts_fingerprint()


def test_a_chunk_knows_how_many_frames_remotion_captures_for_it():
    # What the pool waits for before it lets the chunk's process take the next one.
    for every_nth in (1, 2, 3):
        for chunk in plan_chunks([20, 25, 16], every_nth_frame=every_nth, chunk_frames=7):
            picked = [f for f in range(chunk.start, chunk.end) if (f - chunk.start) % every_nth == 0]
            assert chunk.captures(every_nth) == len(picked)
