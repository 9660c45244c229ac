"""Every state explains itself before the user acts: a project that does not compile, a gif choice
that does not fit the next project, a cancel, a scene that throws."""

import re

import pytest

from tests.helpers.page import ENDED, assert_accessible, card_project, example, start_export, wait_until

pytestmark = pytest.mark.render

GOOD = """import {AbsoluteFill} from 'remotion';
export default function Card() { return <AbsoluteFill style={{backgroundColor: '#0f766e'}} />; }
"""


def test_a_project_that_does_not_compile_shows_its_title_and_errors_by_scene_name(user, open_page):
    project = user.add(
        {
            "title": "Broken promo",
            "format": "landscape",
            "scenes": [
                {"id": "intro", "name": "Title card", "durationInFrames": 30, "tsxCode": GOOD},
                {
                    "id": "s2",
                    "name": "Price list",
                    "durationInFrames": 30,
                    "tsxCode": "export default function Prices() {\n  return <div>;\n}\n",
                },
            ],
        }
    )
    page = open_page(user, path=f"/?project={project}")
    page.get_by_role("heading", name="Broken promo").wait_for()
    scenes = page.get_by_role("list", name="Scenes")
    scenes.wait_for()
    alert = page.get_by_role("alert").filter(has_text="can't be exported until its scenes compile")
    assert re.search(r"Scene “Price list”, line \d+, column \d+: \S", alert.inner_text()), alert.inner_text()
    assert "s2" not in alert.inner_text()
    assert scenes.inner_text().splitlines() == ["Title card: compiles", "Price list: has errors"]
    assert page.get_by_role("button", name="Export", exact=True).is_disabled()
    page.get_by_text("Fix the scene errors below to export.").wait_for()
    # The scene that compiles still plays.
    page.get_by_role("button", name="Play").first.wait_for()
    page.get_by_text("The preview plays the scenes that compile.").wait_for()
    assert_accessible(page, "a project that does not compile")


def test_a_gif_choice_is_checked_again_for_a_project_too_long_for_gif(user, open_page):
    long = user.add(card_project("Long tour", 70))
    page = open_page(user, path=f"/?project={user.projects['Sparkle loop']}")
    page.get_by_role("heading", name="Sparkle loop").wait_for()
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("GIF").check()
    assert dialog.get_by_label("Medium · 360×360, 15 fps").is_checked(), "gif sizes, not video sizes"
    dialog.get_by_role("button", name="Close").click()

    page.get_by_role("navigation", name="Projects").get_by_role("link", name=re.compile("Long tour")).click()
    page.get_by_role("heading", name="Long tour").wait_for()
    assert f"project={long}" in page.url
    page.get_by_role("button", name="Export", exact=True).click()
    gif = dialog.get_by_label(re.compile("^GIF"))
    assert gif.is_disabled() and not gif.is_checked()
    assert dialog.get_by_label("MP4 (H.264)").is_checked()
    dialog.get_by_text("a GIF may be at most 60 s and this video is 70 s").wait_for()
    dialog.get_by_text("GIF does not fit this video, so MP4 is chosen instead.").wait_for()
    assert dialog.get_by_label("Medium · 1280×720").is_checked()
    assert_accessible(page, "gif not available")


def test_a_cancel_says_it_counted(user, open_page):
    story = user.add(example("portrait"))  # 7 s at 1080×1920: a cancel comes long before the end
    page = open_page(user, path=f"/?project={story}")
    page.get_by_role("heading", name="Phone story").wait_for()
    start_export(page, "MP4 (H.264)", "High")
    page.get_by_role("button", name="Cancel").click()
    panel = page.locator("section.progress")
    wait_until(page, lambda: panel.get_attribute("data-status") in ENDED)
    assert panel.get_attribute("data-status") == "cancelled"
    assert page.locator("p.status").inner_text() == "Export cancelled."
    panel.get_by_text("This export counted as one of today’s exports.").wait_for()
    page.get_by_text(re.compile(r"0 of 1\s*left today")).wait_for()
    assert_accessible(page, "a cancelled export")


def test_a_scene_that_throws_ends_done_with_the_problem_in_view(user, open_page):
    project = user.add(
        {
            "title": "Shaky",
            "format": "square",
            "scenes": [
                {
                    "id": "bad",
                    "name": "Data chart",
                    "durationInFrames": 30,
                    "tsxCode": "export default function Chart() { throw new Error('no data for the chart'); }\n",
                }
            ],
        }
    )
    page = open_page(user, path=f"/?project={project}")
    page.get_by_role("heading", name="Shaky").wait_for()
    start_export(page)
    panel = page.locator("section.progress")
    wait_until(page, lambda: panel.get_attribute("data-status") in ENDED)
    assert panel.get_attribute("data-status") == "succeeded"
    note = panel.get_by_role("note")
    assert note.inner_text().startswith("Done, with a problem: the video has a fallback frame where a scene failed.")
    assert "no data for the chart" in note.inner_text()
    assert_accessible(page, "done with a problem")
