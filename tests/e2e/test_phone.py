"""The page on phones: no sideways scrolling, Export within reach, the dialog a full-width sheet."""

import pytest

from tests.helpers.page import assert_accessible, shoot

pytestmark = pytest.mark.render

OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize(("width", "height"), [(390, 844), (360, 780)])
def test_phone_layout_export_reachable_and_dialog_as_a_sheet(user, open_page, width, height):
    page = open_page(user, width=width, height=height, is_mobile=True, has_touch=True)
    page.get_by_role("heading", name="Sparkle loop").wait_for()
    page.get_by_role("button", name="Play").first.wait_for()
    page.wait_for_timeout(300)
    assert page.evaluate(OVERFLOW) <= 0, "the page scrolls sideways"
    assert page.evaluate("() => document.activeElement === document.body"), "nothing takes focus by itself"
    if width == 390:
        shoot(page, "phone")

    # The project list folds away behind a toggle, and opens on a tap.
    toggle = page.get_by_role("button", name="Projects")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("navigation", name="Projects").is_visible()
    toggle.tap()
    page.get_by_role("navigation", name="Projects").get_by_role("link", name="Sparkle loop square").wait_for()
    assert page.evaluate(OVERFLOW) <= 0
    toggle.tap()

    export = page.get_by_role("button", name="Export", exact=True)
    box = export.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, f"Export is off-screen: {box}"
    export.tap()
    dialog = page.get_by_role("dialog", name="Export “Sparkle loop”")
    dialog.wait_for()
    sheet = dialog.bounding_box()
    assert sheet["x"] == 0 and sheet["width"] == width, f"the dialog is not a full-width sheet: {sheet}"
    assert abs(sheet["y"] + sheet["height"] - height) <= 1, "the sheet sits at the bottom of the screen"
    start = dialog.get_by_role("button", name="Start export")
    start.scroll_into_view_if_needed()
    start_box = start.bounding_box()
    assert start_box["x"] + start_box["width"] <= width and start_box["y"] + start_box["height"] <= height
    assert page.evaluate(OVERFLOW) <= 0
    if width == 390:
        shoot(page, "phone-export")
    assert_accessible(page, f"the dialog at {width} px")
