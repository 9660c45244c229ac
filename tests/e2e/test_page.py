"""The export page in headless Chromium (Playwright driving the system browser) against the local stack."""

import os
import re
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, ffprobe

pytestmark = pytest.mark.render
CHROMIUM = os.environ.get("REMOTION_BROWSER_EXECUTABLE", "/usr/bin/chromium")
# Set to a folder (docs/screenshots) to refresh the screenshots in the docs.
SCREENSHOTS = os.environ.get("FRAMECAST_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert (REPO_ROOT / "web/dist/index.html").is_file(), "build the page first: make web"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def test_export_webm_from_the_page_with_progress_and_download(stack, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page.goto(stack.url + "/")
    projects = page.get_by_role("navigation", name="Projects")
    for title in ("Framecast launch", "Phone story", "Sparkle loop"):
        projects.get_by_role("button", name=title).wait_for()
    projects.get_by_role("button", name="Sparkle loop").click()
    page.get_by_role("heading", name="Sparkle loop").wait_for()
    page.get_by_role("button", name="Play").first.wait_for()  # the Remotion Player is there
    page.wait_for_timeout(1000)
    shoot(page, "page")

    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("WebM (VP8)").check()
    dialog.get_by_label("Low (480p)").check()
    estimate = dialog.get_by_label("Estimate")
    assert "2.0 s" in estimate.inner_text() and "10 of 10" in estimate.inner_text()
    shoot(page, "export-modal")

    seen: list[int] = []
    shot_progress = False
    with page.expect_download(timeout=180_000) as download:
        dialog.get_by_role("button", name="Start export").click()
        bar = page.get_by_role("progressbar")
        bar.wait_for()
        deadline = time.monotonic() + 170
        while time.monotonic() < deadline:
            seen.append(int(bar.get_attribute("aria-valuenow")))
            if not shot_progress and 30 <= seen[-1] < 100:
                shoot(page, "export-progress")
                shot_progress = True
            if page.locator("p.status[data-status=succeeded]").count():
                break
            page.wait_for_timeout(250)
    assert seen == sorted(seen) and seen[-1] == 100
    assert len(set(seen)) >= 3, f"the bar should move through several values, saw {sorted(set(seen))}"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "Sparkle-loop.webm"
    probe = ffprobe(saved)
    [video] = probe["streams"]
    assert "webm" in probe["format"]["format_name"] and video["codec_name"] in ("vp8", "vp9")
    assert (video["width"], video["height"]) == (480, 480)
    page.get_by_role("button", name=re.compile(r"^Download again \(\d+ kB\)$")).wait_for()
    shoot(page, "export-done")
    page.close()


@pytest.mark.parametrize(("label", "codec", "size", "name"), [
    ("MP4 (H.264)", "h264", (480, 480), "Sparkle-loop.mp4"),
    ("GIF", "gif", (240, 240), "Sparkle-loop.gif"),
])
def test_mp4_and_gif_download_by_themselves_and_are_valid(stack, browser, tmp_path, label, codec, size, name):
    page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page.goto(stack.url + "/")
    page.get_by_role("navigation", name="Projects").get_by_role("button", name="Sparkle loop").click()
    page.get_by_role("heading", name="Sparkle loop").wait_for()
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(label).check()
    dialog.get_by_label("Low (480p)").check()
    with page.expect_download(timeout=180_000) as download:
        dialog.get_by_role("button", name="Start export").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    [video] = ffprobe(saved)["streams"]
    assert (saved.name, video["codec_name"], (video["width"], video["height"])) == (name, codec, size)
    page.close()
