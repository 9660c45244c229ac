"""A render's wall-clock budget: how long the local pool lets one export run before it fails as the
scene's (docs/reliability.md, "Time budget"). The constants live here and nowhere else.

The allowances are about ten times what a frame costs on this repository's 2-core machine when the
render has one pool process to itself (its fair share beside another user): the pool makes 42
frames a second at low quality and 22 at high with both processes (docs/benchmarks.md), so 0.05 to
0.09 s a frame on one. Honest scenes that are several times heavier than the examples, on a loaded
machine, still fit; a scene that spends seconds of CPU on every frame does not.
"""

import math

from functions.render_settings import Quality

# Pool start, the browser's launch and every chunk's page load on a busy machine.
START_SECONDS = 60.0
# Per captured frame (a gif captures every 2nd or 3rd): the preset's size is most of a frame's cost.
FRAME_SECONDS: dict[Quality, float] = {Quality.LOW: 0.5, Quality.MEDIUM: 0.75, Quality.HIGH: 1.0}
# A tiny export still gets the time a loaded machine may need to start it at all.
FLOOR_SECONDS = 120.0
# The longest export allowed (30 minutes of 1080p, 54,000 frames) renders in about 80 minutes on one
# process here; 3 hours keeps twice that, and no render holds its share of the pool for longer.
CEILING_SECONDS = 3 * 3600.0


def time_budget_seconds(frames: int, every_nth_frame: int, quality: Quality, scale: float = 1.0) -> float:
    """The budget of an export of `frames` composition frames. `scale` (TIME_BUDGET_SCALE) stretches
    every allowance alike: a slower machine doubles it, a test shrinks it."""
    captures = math.ceil(frames / every_nth_frame)
    seconds = START_SECONDS + FRAME_SECONDS[quality] * captures
    return round(scale * min(CEILING_SECONDS, max(FLOOR_SECONDS, seconds)), 1)
