import pytest

from render import RenderPool
from render.chunk_cache import ChunkCache

pytestmark = pytest.mark.render


@pytest.fixture(scope="session")
def worker(tmp_path_factory):
    """One pool for the session (processes and browsers shared by the render tests), with a chunk
    cache of its own, so every test's first render of a project really renders."""
    cache = ChunkCache(tmp_path_factory.mktemp("chunk-cache"))
    with RenderPool(cache=cache) as running:
        yield running
