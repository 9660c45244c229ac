"""Node from the tests: a module of the site bundled by esbuild for `require()`, and check scripts that
print their findings as JSON."""

import json
import subprocess
from pathlib import Path

from functions import REPO_ROOT


def bundle_for_node(source: str, out: Path) -> Path:
    """A TypeScript module of the site (`remotion_site/src/...`) bundled by esbuild for `require()`."""
    from functions.preprocess.esbuild import esbuild_binary

    subprocess.run(
        [
            esbuild_binary(),
            str(REPO_ROOT / source),
            "--bundle",
            "--platform=node",
            "--format=cjs",
            f"--outfile={out}",
            "--log-level=error",
        ],
        check=True,
        cwd=REPO_ROOT,
    )
    return out


def node_check(script: Path, *args: str, timeout: float = 120) -> dict:
    """Run a Node check script from the repository root; it prints its findings as JSON, last."""
    out = subprocess.run(
        ["node", str(script), *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])
