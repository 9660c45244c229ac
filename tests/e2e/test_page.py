"""The export page in headless Chromium (Playwright driving the system browser) against the local
stack: an export from the page, its progress, its one download, and each format's file."""

import re
import time

import pytest

from tests.helpers.media import ffprobe
from tests.helpers.page import assert_accessible, card_project, example, shoot

pytestmark = pytest.mark.render


def test_export_webm_from_the_page_with_progress_download_and_history(user, open_page, tmp_path):
    user.add(example("landscape"))
    page = open_page(user, permissions=["clipboard-read", "clipboard-write"])
    projects = page.get_by_role("navigation", name="Projects")
    for title in ("Framecast launch", "Sparkle loop"):
        projects.get_by_role("link", name=re.compile(title)).wait_for()
    page.get_by_role("heading", level=2).first.wait_for()
    projects.get_by_role("link", name=re.compile("Framecast launch")).click()
    page.get_by_role("heading", name="Framecast launch").wait_for()
    page.get_by_role("button", name="Play").first.wait_for()  # the Remotion Player is there
    assert re.search(r"\?project=", page.url), "the selected project is in the URL"
    page.wait_for_timeout(500)
    shoot(page, "page")
    assert_accessible(page, "the page")

    projects.get_by_role("link", name=re.compile("Sparkle loop")).click()
    page.get_by_role("heading", name="Sparkle loop").wait_for()
    page.get_by_text(f"Signed in as {user.name}").wait_for()
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog", name="Export “Sparkle loop”")
    dialog.get_by_label("WebM (VP8)").check()
    dialog.get_by_label("Low · 480×480").check()
    estimate = dialog.get_by_label("Estimate")
    assert "2.0 s" in estimate.inner_text() and "1 of 1" in estimate.inner_text()
    assert re.search(r"Expected file size\s*about \d+ kB", estimate.inner_text())
    dialog.get_by_text("This export uses 1 of your 1 exports left today.").wait_for()
    shoot(page, "export-modal")
    assert_accessible(page, "the open dialog")

    seen: list[int] = []
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    shot_progress = False
    with page.expect_download(timeout=120_000) as download:
        dialog.get_by_role("button", name="Start export").click()
        bar = page.get_by_role("progressbar", name="Export progress")
        bar.wait_for()
        assert_accessible(page, "a running export")
        deadline = time.monotonic() + 110
        while time.monotonic() < deadline:
            seen.append(int(bar.get_attribute("aria-valuenow")))
            if not shot_progress and 20 <= seen[-1] < 100:
                shoot(page, "export-progress")
                shot_progress = True
            if page.locator("section.progress[data-status=succeeded]").count():
                break
            page.wait_for_timeout(200)
    assert seen == sorted(seen) and seen[-1] == 100, "the bar never goes back and ends full"
    assert len(set(seen)) >= 4, f"the bar should move between the API's reports, saw {sorted(set(seen))}"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "Sparkle-loop.webm"
    [video] = ffprobe(saved)["streams"]
    assert video["codec_name"] in ("vp8", "vp9") and (video["width"], video["height"]) == (480, 480)
    page.get_by_role("button", name=re.compile(r"^Download again \(\d+ kB\)$")).wait_for()
    assert page.locator("p.status").inner_text() == "Done: your download has started."

    history = page.get_by_role("region", name="Recent exports")
    for header in ("Video", "Date", "Format", "Length", "Size", "Status"):
        history.get_by_role("columnheader", name=header).wait_for()
    row = history.get_by_role("row").nth(1)
    assert re.search(
        r"Sparkle loop\s*Today \d?\d:\d\d( [AP]M)?\s*WEBM · 480×480\s*2\.0 s\s*\d+ kB\s*Ready", row.inner_text()
    )
    row.get_by_role("button", name="Export again: Sparkle loop, starting from these settings").wait_for()
    # Its thumbnail arrives by itself: a still of the export, loaded.
    thumbnail = row.locator("img.thumb")
    thumbnail.wait_for(timeout=30_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    # Clicking the title shows the export; it does not download it again.
    row.get_by_role("button", name="Sparkle loop", exact=True).click()
    page.wait_for_timeout(1500)
    assert len(downloads) == 1
    shoot(page, "export-done")
    assert_accessible(page, "a finished export")

    # Copy link: a download link on the clipboard, with how long it works.
    row.get_by_role("button", name="Copy link: Sparkle loop").click()
    row.get_by_role("status").filter(has_text=re.compile(r"^Link copied; it works until .+\.$")).wait_for()
    assert page.evaluate("navigator.clipboard.readText()").startswith("http")
    # Export again: the dialog opens on the same project with the same settings, to change.
    page.get_by_role("button", name="Close").click()
    row.get_by_role("button", name=re.compile("^Export again: Sparkle loop")).click()
    dialog = page.get_by_role("dialog", name="Export “Sparkle loop”")
    assert dialog.get_by_label("WebM (VP8)").is_checked() and dialog.get_by_label("Low · 480×480").is_checked()
    assert len(downloads) == 1


@pytest.mark.parametrize(
    ("label", "codec", "size", "name"),
    [
        ("MP4 (H.264)", "h264", (854, 480), "Quick-card.mp4"),
        ("GIF", "gif", (426, 240), "Quick-card.gif"),
    ],
)
def test_mp4_and_gif_download_by_themselves_and_are_valid(user, open_page, tmp_path, label, codec, size, name):
    project = user.add(card_project("Quick card", 1))
    page = open_page(user, path=f"/?project={project}")
    page.get_by_role("heading", name="Quick card").wait_for()
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(label).check()
    dialog.get_by_label(re.compile(r"^Low · ")).check()
    with page.expect_download(timeout=120_000) as download:
        dialog.get_by_role("button", name="Start export").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    [video] = ffprobe(saved)["streams"]
    assert (saved.name, video["codec_name"], (video["width"], video["height"])) == (name, codec, size)
