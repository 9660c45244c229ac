"""How the render worker finds its browser when the machine has none of its own."""

import json
import subprocess

import pytest

from functions import REPO_ROOT

pytestmark = pytest.mark.render


def test_a_machine_without_chromium_or_network_hears_what_to_install_and_keeps_its_worker(tmp_path):
    # Remotion looks for the browser it downloads under the nearest package.json: an empty project
    # of its own, so a browser downloaded on this machine before is not found.
    (tmp_path / "package.json").write_text("{}")
    run = subprocess.run(
        [
            "node",
            str(REPO_ROOT / "tests/render/no_browser_check.mjs"),
            str(REPO_ROOT / "render/worker/browser.mjs"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Before, Remotion's failed download ended the process (an unhandled rejection): the pool saw
    # "a render worker process died", and nothing said a browser was missing.
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["alive"] and found["downloadTried"]
    assert "no system Chromium was found" in found["message"]
    assert "apt-get install chromium-headless-shell" in found["message"]
    assert "REMOTION_BROWSER_EXECUTABLE" in found["message"]
    assert "ENOTFOUND" in found["message"]  # the cause, kept
