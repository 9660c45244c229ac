import pytest


@pytest.fixture(scope="session", autouse=True)
def _chunk_cache_of_the_session(tmp_path_factory):
    """Every test session renders into a chunk cache of its own (inherited by the stacks and workers
    it starts): a developer's .cache/chunks, kept from another version of the worker, never answers
    for a render a test makes."""
    patch = pytest.MonkeyPatch()
    patch.setenv("FRAMECAST_CHUNK_CACHE_DIR", str(tmp_path_factory.mktemp("chunk-cache")))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _offline_icons(monkeypatch, tmp_path):
    """Tests never reach the public Iconify API; those that test the API serve one on loopback."""
    monkeypatch.setenv("ICONIFY_API_URL", "off")
    monkeypatch.setenv("ICONIFY_CACHE_DIR", str(tmp_path / "iconify-cache"))
    from functions.preprocess.icons import default_library

    default_library.cache_clear()
    yield
    default_library.cache_clear()


@pytest.fixture(scope="session")
def stack():
    """The local stack in-process, on free ports, keeping nothing: emulated DynamoDB and S3 (moto
    server, over HTTP), the HTTP adapter with the same handlers, and the real render worker."""
    from local.stack import LocalStack, StackSettings

    with LocalStack(StackSettings(port=0, state_dir=None)) as running:
        yield running
