"""The shared constants (functions/contract.json) are what every side reads, not copies of them."""

import json
import re
import subprocess

from functions import REPO_ROOT, contract
from functions.limits import Limits
from functions.models.records import TERMINAL
from functions.render_settings import PRESETS
from functions.settings import LimitSettings
from tests.helpers.node import bundle_for_node


def _site_constants(tmp_path) -> dict:
    """What the composition's TypeScript exports, bundled by esbuild and run by Node."""
    out = tmp_path / "contract.cjs"
    bundle_for_node("remotion_site/src/contract.ts", out)
    script = f"const c = require({json.dumps(str(out))}); console.log(JSON.stringify(c))"
    return json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)


def test_the_composition_exports_the_contract(tmp_path):
    site = _site_constants(tmp_path)
    assert site == {
        "COMPOSITION_ID": contract.COMPOSITION_ID,
        "FPS": contract.FPS,
        "REPORT_PREFIX": contract.REPORT_PREFIX,
        "ENDED_STATUSES": sorted(contract.ENDED_STATUSES, key=site["ENDED_STATUSES"].index),
        "PRESETS": contract.PRESETS,
        "OUTPUT_SIZE_MULTIPLE": contract.OUTPUT_SIZE_MULTIPLE,
    }


def test_python_reads_the_contract():
    assert {status.value for status in TERMINAL} == contract.ENDED_STATUSES
    raw = json.loads((REPO_ROOT / "functions/contract.json").read_text())
    assert (contract.COMPOSITION_ID, contract.FPS) == (raw["compositionId"], raw["fps"])
    for quality, preset in PRESETS.items():
        assert raw["presets"][quality.value] == {
            "shortSide": preset.short_side,
            "crf": {"h264": preset.h264_crf, "vp8": preset.vp8_crf},
            "jpegQuality": preset.jpeg_quality,
            "gif": {"shortSide": preset.gif_short_side, "fps": preset.gif_fps},
        }
    limits, settings = Limits(), LimitSettings()
    assert {k: v for k, v in raw["limits"].items() if not k.startswith("$")} == {
        "maxRenderDurationMinutes": limits.max_render_duration_minutes,
        "maxGifSeconds": limits.max_gif_seconds,
        "maxScenes": limits.max_scenes,
        "maxSceneSourceBytes": limits.max_scene_source_bytes,
    }
    assert settings.max_render_duration_minutes == raw["limits"]["maxRenderDurationMinutes"]


def test_no_side_keeps_its_own_copy():
    """The composition id, the frame rate and the report prefix appear as literals nowhere else."""
    sources = {
        "worker": REPO_ROOT / "render/worker/worker.mjs",
        "root": REPO_ROOT / "remotion_site/src/Root.tsx",
        "report": REPO_ROOT / "remotion_site/src/runtime/report.ts",
        "schema": REPO_ROOT / "remotion_site/src/schema.ts",
        "lambda backend": REPO_ROOT / "functions/backends/remotion_lambda_backend.py",
        "page queries": REPO_ROOT / "web/src/api/queries.ts",
    }
    for side, path in sources.items():
        text = path.read_text()
        assert not re.search(r"""['"]Main['"]|FPS\s*=\s*30|['"]\[framecast\]""", text), f"{side} keeps a copy"
        assert "'timed_out'" not in text, f"{side} lists the ended statuses itself"
    assert "functions/contract.json" in sources["worker"].read_text()


# The frame rate written as a number: `fps: 30`, `"fps": 30`, `/ 30`, `* 30`, `else 30` (not `2**30`).
FPS_LITERAL = re.compile(r"""fps['"]?\s*[:=]\s*30\b|(?<!\*)[/*]\s*30\b|\belse 30\b""")


def test_no_side_writes_the_frame_rate_or_a_preset_itself():
    """What used to hold a literal 30 fps or a copy of the presets reads the contract instead."""
    for path in (
        "render/pool.py",
        "cli/main.py",
        "tools/smoke.py",
        "tools/bench.py",
        "functions/domain/size_estimate.py",
        "functions/render_settings.py",
        "web/src/lib/presets.ts",
    ):
        text = (REPO_ROOT / path).read_text()
        assert not FPS_LITERAL.search(text), f"{path} writes the frame rate as a number"
    page = re.sub(r"//.*", "", (REPO_ROOT / "web/src/lib/presets.ts").read_text())  # code, not comments
    assert not re.search(r"\b(480|720|1080|240|360)\b", page), "the page keeps its own copy of the presets"
