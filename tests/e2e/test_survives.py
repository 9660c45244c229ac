"""An export survives the page: a reload mid-render, a tab in the background, the API going away."""

import re

import pytest

from tests.helpers.page import ENDED, assert_accessible, example, start_export, wait_until

pytestmark = pytest.mark.render

HIDE = """() => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
# Notifications the page shows, recorded (headless Chromium shows none).
RECORD_NOTIFICATIONS = """
window.__notifications = [];
const Real = window.Notification;
window.Notification = class extends Real {
  constructor(title, options) { window.__notifications.push(title); super(title, options); }
};
"""


def test_reload_mid_render_finds_the_export_and_delivers_the_file_once(user, open_page):
    story = user.add(example("portrait"))  # "Phone story", 7 s
    page = open_page(user, path=f"/?project={story}")
    page.get_by_role("heading", name="Phone story", exact=True).wait_for()
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    start_export(page)
    [started] = user.renders()
    assert started["status"] not in ENDED, "the reload should come mid-render"

    page.reload()
    assert f"project={story}" in page.url
    page.get_by_role("heading", name="Phone story", exact=True).wait_for()
    page.get_by_role("heading", name=re.compile(r"^Export(ing|ed) “Phone story”$")).wait_for()
    if user.render(started["renderId"])["status"] not in ENDED:
        # While it runs, Export is blocked, with a link to the running export.
        assert page.get_by_role("button", name="Export", exact=True).is_disabled()
        page.get_by_text("An export is running.").wait_for()
        page.get_by_role("button", name="Show it").wait_for()
    panel = page.locator("section.progress")
    wait_until(page, lambda: panel.get_attribute("data-status") in ENDED)
    assert panel.get_attribute("data-status") == "succeeded"
    page.wait_for_timeout(2000)  # a second delivery would have come by now
    assert len(downloads) == 1, f"{len(downloads)} downloads"
    assert downloads[0].suggested_filename == "Phone-story.gif"
    assert user.render(started["renderId"])["downloads"] == 1
    # No row stays frozen at "rendering".
    page.get_by_role("region", name="Recent exports").get_by_role("cell", name="Ready").wait_for()

    # The one export of the day is used: the dialog says so, and when, before Start.
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog")
    assert re.fullmatch(
        r"You have used all 1 of today's exports\. You can export again at .+ \(in (\d+ h )?\d+ min\)\.",
        dialog.locator("#export-quota").inner_text(),
    )
    assert dialog.get_by_role("button", name="Start export").is_disabled()
    assert page.get_by_text(re.compile(r"0 of 1\s*left today · back at")).is_visible()
    assert_accessible(page, "the daily limit")


def test_hidden_tab_keeps_polling_and_gets_the_file_a_title_and_a_notification(user, open_page):
    page = open_page(user, init_script=RECORD_NOTIFICATIONS, permissions=["notifications"])
    page.get_by_role("heading", name="Sparkle loop").wait_for()
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    start_export(page)
    page.evaluate(HIDE)
    titles = set()

    def delivered() -> bool:
        titles.add(page.title())
        return bool(downloads)

    wait_until(page, delivered, step_ms=100)
    assert page.evaluate("document.visibilityState") == "hidden"
    assert downloads[0].suggested_filename == "Sparkle-loop.gif"
    wait_until(page, lambda: page.title().startswith("✓ Ready"), timeout_s=5)
    assert page.title() == "✓ Ready: “Sparkle loop” · Framecast"
    assert any(re.fullmatch(r"\d+% · Exporting “Sparkle loop” · Framecast", t) for t in titles), titles
    assert page.evaluate("window.__notifications") == ["Your video is ready"]


def test_api_down_mid_render_shows_a_retry_and_recovers_by_itself(user, open_page):
    story = user.add(example("portrait"))
    page = open_page(user, path=f"/?project={story}")
    page.get_by_role("heading", name="Phone story", exact=True).wait_for()
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    start_export(page)

    api = re.compile(r".*/(renders|exports|projects)(/.*|\?.*)?$")
    page.route(api, lambda route: route.abort("internetdisconnected"))
    alert = page.get_by_role("alert").filter(has_text="can't be reached right now")
    alert.wait_for(timeout=10_000)
    # The export is still there, with its Cancel and a retry.
    page.get_by_role("progressbar", name="Export progress").wait_for()
    assert page.get_by_role("button", name="Cancel").is_visible()
    assert alert.get_by_role("button", name="Retry now").is_visible()
    assert_accessible(page, "the API down")
    page.wait_for_timeout(1500)

    page.unroute(api)
    alert.wait_for(state="detached", timeout=15_000)
    panel = page.locator("section.progress")
    wait_until(page, lambda: panel.get_attribute("data-status") in ENDED)
    assert panel.get_attribute("data-status") == "succeeded"
    wait_until(page, lambda: bool(downloads), timeout_s=15)
    page.wait_for_timeout(1000)
    assert len(downloads) == 1
