"""The page announces the size the renderer makes: web/src/lib/presets.ts (bundled by esbuild, run
by Node) and functions/render_settings.py agree on every format, quality and custom size of a grid.

Both read the presets from functions/contract.json, but each implements the output-size rule
(contract.json's outputSize) itself; this is what ties the two. Python's round() and JavaScript's
Math.round() disagree on halves (1400×1280 at low: 524 against 526 before issue 21), so the grid
holds many sizes whose exact side falls on a half, and the test checks that it does.
"""

import itertools
import json
import subprocess
from fractions import Fraction

from functions.contract import OUTPUT_SIZE_MULTIPLE
from functions.models.project import Project
from functions.render_settings import PRESETS, OutputFormat, Quality, render_settings
from tests.helpers.node import bundle_for_node

# Custom sides a project may have (16 to 7680): odd and even, each side of the presets' short sides,
# the usual screen sizes, and a spread across the range.
SIDES = sorted(
    {16, 17, 31, 99, 240, 241, 359, 360, 361, 479, 480, 481, 525, 639, 640, 719, 720, 721, 853, 854, 999, 1000}
    | {1079, 1080, 1081, 1279, 1280, 1281, 1400, 1919, 1920, 1921, 2160, 2999, 3840, 4095, 5001, 7679, 7680}
    | set(range(16, 7681, 331))
)
SIZES = list(itertools.product(SIDES, SIDES))  # landscape, portrait and square, each side odd or even

NODE = """
const {outputSize} = require(process.argv[1]);
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(cases.map(([format, quality, width, height]) => outputSize(format, quality, width, height))));
"""


def _page_sizes(tmp_path, cases: list[tuple[str, str, int, int]]) -> list[dict]:
    bundle = bundle_for_node("web/src/lib/presets.ts", tmp_path / "presets.cjs")
    done = subprocess.run(
        ["node", "-e", NODE, str(bundle)], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_the_page_and_the_renderer_agree_on_every_size_of_the_grid(tmp_path):
    cases = [(f.value, q.value, w, h) for f in OutputFormat for q in Quality for w, h in SIZES]
    page = _page_sizes(tmp_path, cases)
    disagreements = []
    for (fmt, quality, width, height), shown in zip(cases, page, strict=True):
        made = render_settings(Project(title="t", width=width, height=height), OutputFormat(fmt), Quality(quality))
        if (shown["width"], shown["height"], shown["fps"]) != (made.width, made.height, made.fps):
            disagreements.append(f"{fmt} {quality} {width}×{height}: page {shown}, renderer {made.width}×{made.height}")
    assert disagreements == [], f"{len(disagreements)} of {len(cases)}, e.g. {disagreements[:5]}"


def test_the_grid_holds_sides_that_fall_on_a_half():
    """Without these, a rule that rounds halves differently on one side would pass."""
    halves = {
        (width, height, quality)
        for quality in Quality
        for width, height in SIZES
        for short_side in (PRESETS[quality].short_side, PRESETS[quality].gif_short_side)
        for side in (width, height)
        if (Fraction(side * short_side, min(width, height)) / OUTPUT_SIZE_MULTIPLE).denominator == 2
    }
    assert (1400, 1280, Quality.LOW) in halves
    assert len(halves) > 100
