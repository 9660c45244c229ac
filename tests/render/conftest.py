import pytest

from local.render_worker import LocalRenderWorker

pytestmark = pytest.mark.render


@pytest.fixture(scope="session")
def worker():
    """One worker for the session: the bundle and the browser are shared by every render test."""
    with LocalRenderWorker() as running:
        yield running
