"""The local worker's Chromium (local/render_worker/browser.mjs) behind the page's own guards."""

import json
import subprocess

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.render


def test_popups_are_blocked_and_one_that_opens_anyway_is_closed_at_once():
    out = subprocess.run(
        ["node", str(REPO_ROOT / "tests/sandbox/popup_check.mjs")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {
        "droppedFlagPassed": False,
        "blockedWithoutGesture": True,
        "openedWithGesture": True,
        "popupClosed": True,
        "extraPages": 0,
    }
