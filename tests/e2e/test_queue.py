"""A queued export says where it stands and can be cancelled at once, spending nothing: the page's
stack renders as many exports at once as its pool has processes (the render budget)."""

import os
import uuid

import pytest

from tests.helpers.page import ENDED, User, assert_accessible, card_project, shoot, start_export, wait_until

pytestmark = pytest.mark.render


def _budget() -> int:
    """The page stack's pool: FRAMECAST_RENDER_POOL_SIZE, else the cores (render/pool.py)."""
    return int(os.environ.get("FRAMECAST_RENDER_POOL_SIZE") or len(os.sched_getaffinity(0)))


def test_a_queued_export_shows_its_place_and_a_cancel_spends_nothing(user, open_page, page_stack):
    # Others' long exports hold every render slot (distinct titles: nothing comes from the chunk cache).
    holders = []
    for _ in range(_budget()):
        other = User(page_stack, f"e2e-hold-{uuid.uuid4().hex[:8]}")
        project = other.add(card_project(f"Holder {uuid.uuid4().hex[:6]}", 30))
        started = page_stack.call(
            other.name, "POST", "/renders", {"projectId": project, "format": "mp4", "quality": "high"}
        )
        holders.append((other, started["renderId"]))
    try:
        page = open_page(user, path=f"/?project={user.projects['Sparkle loop']}")
        page.get_by_role("heading", name="Sparkle loop").wait_for()
        start_export(page)
        status = page.locator(".progress .status")
        wait_until(page, lambda: "Waiting for a render slot:" in status.inner_text(), timeout_s=30)
        assert "next in line" in status.inner_text() or "ahead" in status.inner_text()
        assert page.get_by_role("progressbar", name="Export progress").get_attribute("aria-valuenow") == "0"
        shoot(page, "export-queued")
        assert_accessible(page, "a queued export")

        page.get_by_role("button", name="Cancel").click()
        wait_until(page, lambda: status.inner_text() == "Export cancelled.", timeout_s=30)
        page.get_by_text("This export was not counted against today’s exports.").wait_for()
        [mine] = user.renders()
        assert (mine["status"], mine["quotaCounted"], mine.get("startedAt")) == ("cancelled", False, None)
    finally:
        for other, render_id in holders:
            if other.render(render_id)["status"] not in ENDED:
                page_stack.call(other.name, "POST", f"/renders/{render_id}/cancel")
