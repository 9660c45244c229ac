"""What the page's end-to-end tests share: a local stack of their own (its daily limit set to one
export, so the limit is one export away), headless Chromium, a fresh signed-in user per test with
projects made through the API, and axe-core injected into the page."""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

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


@pytest.fixture(scope="session")
def page_stack(tmp_path_factory):
    """`python -m tests.e2e.stack_process` with USER_DAILY_EXPORT_LIMIT=1, stopped at the end. Its
    own chunk cache: exports the other suites made must not make these ones instant (the tests
    watch the progress move)."""
    assert (REPO_ROOT / "web/dist/index.html").is_file(), "build the page first: make web"
    env = {
        **os.environ,
        "USER_DAILY_EXPORT_LIMIT": str(DAILY_LIMIT),
        "FRAMECAST_CHUNK_CACHE_DIR": str(tmp_path_factory.mktemp("e2e-chunks")),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.stack_process"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline().strip()), daemon=True)
    reader.start()
    reader.join(120)
    if not line or not line[0].startswith("http"):
        process.kill()
        pytest.fail(f"the stack did not start: {line}")
    try:
        yield Stack(line[0])
    finally:
        process.stdin.close()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


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


@pytest.fixture
def user(page_stack) -> User:
    made = User(page_stack, f"e2e-{uuid.uuid4().hex[:10]}")
    made.add(example("square"))  # "Sparkle loop", 2 s
    return made


@pytest.fixture
def open_page(browser, page_stack):
    """open_page(user, width=1280, height=860, **context options) → a page signed in as that user."""
    contexts = []

    def _open(
        who: User, width: int = 1280, height: int = 860, path: str = "/", init_script: str | None = None, **options
    ):
        from local.auth import issue_token

        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, **options)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        config = {"mode": "local", "apiUrl": "", "token": issue_token(who.name, days=1), "user": who.name}
        context.route("**/config.json", lambda route: route.fulfill(json=config))
        page = context.new_page()
        page.goto(page_stack.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


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
