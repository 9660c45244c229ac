"""A render's time budget (functions/time_budget.py) and the reason it fails with past it
(render/scene_clock.py)."""

from functions.render_settings import Quality
from functions.time_budget import CEILING_SECONDS, FLOOR_SECONDS, START_SECONDS, time_budget_seconds
from render.chunks import Chunk, ScenePart
from render.scene_clock import SceneClock, over_budget_reason


def test_the_budget_grows_with_captured_frames_and_quality_between_its_floor_and_ceiling():
    ten_seconds = 300
    low, high = (time_budget_seconds(ten_seconds, 1, quality) for quality in (Quality.LOW, Quality.HIGH))
    assert low == START_SECONDS + 0.5 * 300 and high == START_SECONDS + 1.0 * 300
    # A gif captures every 3rd frame: a third of the allowance for frames.
    assert time_budget_seconds(2 * ten_seconds, 3, Quality.LOW) == START_SECONDS + 0.5 * 200
    assert time_budget_seconds(15, 1, Quality.HIGH) == FLOOR_SECONDS
    assert time_budget_seconds(54_000, 1, Quality.HIGH) == CEILING_SECONDS
    assert time_budget_seconds(15, 1, Quality.HIGH, scale=0.25) == FLOOR_SECONDS / 4


def _chunk(index: int, start: int, end: int, *parts: tuple[int, str, int, int]) -> Chunk:
    return Chunk(index, start, end, tuple(ScenePart(i, sid, sid.title(), a, b) for i, sid, a, b in parts))


def test_the_slowest_scene_is_the_one_with_the_most_seconds_a_frame_running_chunks_included():
    clock = SceneClock()
    clock.add(_chunk(0, 0, 300, (0, "long", 0, 300)), seconds=12.0, frames=300)  # 0.04 s a frame
    # The slow scene's chunk is still on its process: 30 s and 3 frames so far.
    now = clock.with_running([(_chunk(1, 300, 330, (1, "slow", 0, 30)), 30.0, 3)])
    slowest = now.slowest()
    assert slowest is not None and slowest.label == 'scene "slow" (Slow)' and slowest.seconds_a_frame == 10.0
    assert clock.slowest() is not None and clock.slowest().label == 'scene "long" (Long)'  # the copy left it
    reason = over_budget_reason(24.0, now)
    assert reason.startswith("the render ran past its time budget of 24 s")
    assert 'scene "slow" (Slow): 30 s for 3 frames (10.0 s a frame)' in reason


def test_a_scene_whose_first_frame_never_comes_counts_its_time_as_one_frame():
    clock = SceneClock().with_running([(_chunk(0, 0, 30, (0, "stuck", 0, 30)), 20.0, 0)])
    slowest = clock.slowest()
    assert slowest is not None and slowest.seconds_a_frame == 20.0


def test_a_chunk_across_two_scenes_shares_its_time_by_frames():
    clock = SceneClock()
    clock.add(_chunk(0, 0, 40, (0, "a", 0, 10), (1, "b", 0, 30)), seconds=8.0, frames=40)
    clock.add(_chunk(1, 40, 70, (1, "b", 30, 60)), seconds=1.0, frames=30)
    # a: 2 s for its 10 frames; b: 6 s for 30, then 1 s for 30 more.
    slowest = clock.slowest()
    assert slowest is not None and slowest.label == 'scene "a" (A)'
    assert (round(slowest.seconds, 1), round(slowest.frames)) == (2.0, 10)
