"""The shared constants (functions/contract.json) are what every side reads, not copies of them."""

import json
import re
import subprocess

from functions import contract
from functions.models.records import TERMINAL
from tests.conftest import REPO_ROOT, bundle_for_node


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
    }


def test_python_reads_the_contract():
    assert {status.value for status in TERMINAL} == contract.ENDED_STATUSES
    raw = json.loads((REPO_ROOT / "functions/contract.json").read_text())
    assert (contract.COMPOSITION_ID, contract.FPS) == (raw["compositionId"], raw["fps"])


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
