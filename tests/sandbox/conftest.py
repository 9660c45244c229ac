"""Hostile scenes rendered for real through the local render worker (Remotion, the bundle,
Chromium), each asserting that a wall of the render sandbox holds (docs/security.md)."""

import pytest

from render import RenderPool
from tests.helpers.sandbox import Listener


@pytest.fixture(scope="session")
def worker():
    with RenderPool() as running:
        yield running


@pytest.fixture
def listener():
    running = Listener()
    yield running
    running.close()
