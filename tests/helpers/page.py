"""The export page's end-to-end helpers: the page stack's API, users with projects, the export dialog,
waiting, axe-core and screenshots."""

import json
import os
import re
import time
import urllib.request
from pathlib import Path

from functions import REPO_ROOT

CHROMIUM = os.environ.get("REMOTION_BROWSER_EXECUTABLE", "/usr/bin/chromium")


# Set to a folder (docs/screenshots) to refresh the screenshots in the docs.
SCREENSHOTS = os.environ.get("FRAMECAST_SCREENSHOTS")


DAILY_LIMIT = 1


AXE = REPO_ROOT / "node_modules/axe-core/axe.min.js"


ENDED = {"succeeded", "failed", "cancelled", "timed_out"}


class Stack:
    def __init__(self, url: str):
        self.url = url

    def call(self, user: str, method: str, path: str, body: dict | None = None) -> dict:
        from local.auth import issue_token

        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {issue_token(user, days=1)}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")


def example(name: str) -> dict:
    return json.loads((REPO_ROOT / "examples" / f"{name}.json").read_text())


SCENE = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default function Card() {
  const frame = useCurrentFrame();
  return <AbsoluteFill style={{backgroundColor: '#1e3a8a', color: 'white', fontSize: 80,
    justifyContent: 'center', alignItems: 'center'}}>TITLE {Math.floor(frame / 30)}</AbsoluteFill>;
}
"""


def card_project(title: str, seconds: float, fmt: str = "landscape") -> dict:
    return {
        "title": title,
        "format": fmt,
        "scenes": [
            {
                "id": "card",
                "name": "Title card",
                "durationInFrames": round(seconds * 30),
                "tsxCode": SCENE.replace("TITLE", title),
            }
        ],
    }


class User:
    """A fresh user of the page's stack, with projects made through the API."""

    def __init__(self, stack: Stack, name: str):
        self.stack, self.name = stack, name
        self.projects: dict[str, str] = {}

    def add(self, project: dict) -> str:
        self.projects[project["title"]] = self.stack.call(self.name, "POST", "/projects", project)["projectId"]
        return self.projects[project["title"]]

    def render(self, render_id: str) -> dict:
        return self.stack.call(self.name, "GET", f"/renders/{render_id}")

    def renders(self) -> list[dict]:
        return self.stack.call(self.name, "GET", "/renders")["items"]


def start_export(page, format_label: str = "GIF", quality: str = "Low") -> None:
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(format_label).check()
    dialog.get_by_label(re.compile(rf"^{quality} · ")).check()
    dialog.get_by_role("button", name="Start export").click()
    page.get_by_role("progressbar", name="Export progress").wait_for()


def wait_until(page, condition, timeout_s: float = 90, step_ms: int = 200) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(step_ms)


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=AXE.read_text())
    # The frame inside the Player is the user's video (pixels, as in a <video>), not the page: its
    # colours are the scene author's. The Player's own controls are checked with the rest.
    result = page.evaluate(
        "async () => (await window.axe.run({exclude: [['.preview-player .__remotion-player']]}))"
        ".violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160) + ' ' + (n.any[0]?.message ?? ''))}))"
    )
    return [v for v in result if v["impact"] in impacts]


def assert_accessible(page, state: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core, {state}: {json.dumps(violations, indent=1)}"


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))
