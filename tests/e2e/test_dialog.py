"""The export dialog by keyboard and pointer: focus inside while open, Escape, backdrop, focus return."""

import pytest

from tests.helpers.page import assert_accessible

pytestmark = pytest.mark.render

INSIDE = "() => !!document.querySelector('dialog[open]')?.contains(document.activeElement)"
FOCUSED = "() => document.activeElement.textContent.trim()"
BACK_ON_EXPORT = "() => document.activeElement.textContent.trim() === 'Export'"


def test_dialog_keyboard_path(user, open_page):
    page = open_page(user)
    page.get_by_role("heading", name="Sparkle loop").wait_for()
    page.get_by_role("button", name="Play").first.wait_for()
    export = page.get_by_role("button", name="Export", exact=True)
    export.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Export “Sparkle loop”")
    dialog.wait_for()
    page.wait_for_function(INSIDE, timeout=3000)  # focus moves into the dialog
    visited = set()
    for _ in range(10):  # more than the dialog has: Tab wraps around, never reaching the page behind
        page.keyboard.press("Tab")
        assert page.evaluate(INSIDE), "Tab left the dialog"
        visited.add(page.evaluate(FOCUSED))
    assert {"Close", "Start export"} <= visited
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(INSIDE), "Shift+Tab left the dialog"
    assert_accessible(page, "the dialog from the keyboard")

    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    page.wait_for_function(BACK_ON_EXPORT, timeout=3000)  # focus goes back to the Export button

    page.keyboard.press("Enter")
    dialog.wait_for()
    page.mouse.click(5, 5)  # the backdrop
    dialog.wait_for(state="detached")
    page.wait_for_function(BACK_ON_EXPORT, timeout=3000)

    export.click()
    dialog.get_by_label("WebM (VP8)").check()
    dialog.get_by_role("button", name="Close").click()
    dialog.wait_for(state="detached")
    page.wait_for_function(BACK_ON_EXPORT, timeout=3000)
    export.click()
    assert dialog.get_by_label("WebM (VP8)").is_checked(), "the choice is kept while on the same project"


def test_dark_theme_follows_the_system_and_stays_readable(user, open_page):
    page = open_page(user, color_scheme="dark")
    page.get_by_role("heading", name="Sparkle loop").wait_for()
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(11, 15, 25)", background
    assert page.evaluate("document.querySelector('link[rel=icon]').href").endswith("favicon.svg")
    assert_accessible(page, "the page, dark")
    page.get_by_role("button", name="Export", exact=True).click()
    page.get_by_role("dialog").wait_for()
    assert_accessible(page, "the dialog, dark")
