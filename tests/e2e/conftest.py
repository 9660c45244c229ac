"""What the page's end-to-end tests share: a local stack of their own (its daily limit set to one
export, so the limit is one export away), headless Chromium, a fresh signed-in user per test with
projects made through the API, and axe-core injected into the page."""

import os
import subprocess
import sys
import threading
import uuid

import pytest

from functions import REPO_ROOT
from tests.helpers.page import CHROMIUM, DAILY_LIMIT, Stack, User, example


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
