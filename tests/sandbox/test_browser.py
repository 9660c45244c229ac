"""The local worker's Chromium (render/worker/browser.mjs) behind the page's own guards."""

import pytest

from functions import REPO_ROOT
from tests.helpers.node import node_check

pytestmark = pytest.mark.render


def test_popups_are_blocked_and_one_that_opens_anyway_is_closed_at_once():
    result = node_check(REPO_ROOT / "tests/sandbox/popup_check.mjs")
    # A full Chromium blocks a pop-up without a gesture itself; a headless shell (the browser taken
    # first, as Remotion's own) has no pop-up blocker, and the closer is the wall behind the page's guard.
    assert result == {
        "chromeMode": result["chromeMode"],
        "droppedFlagPassed": False,
        "blockedWithoutGesture": result["chromeMode"] != "headless-shell",
        "openedWithGesture": True,
        "popupClosed": True,
        "extraPages": 0,
    }
