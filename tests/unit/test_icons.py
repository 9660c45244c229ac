import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from functions import REPO_ROOT
from functions.preprocess.icons import IconLibrary, icon_from_set

ICON_SET = {
    "prefix": "demo",
    "width": 24,
    "height": 24,
    "icons": {
        "square": {"body": "<path d='M0 0h10v10H0z'/>"},
        "wide": {"body": "<path/>", "width": 48, "left": 2},
    },
    "aliases": {
        "box": {"parent": "square"},
        "box-flipped": {"parent": "square", "hFlip": True},
        "box-turned": {"parent": "box", "rotate": 1},
        "wide-turned": {"parent": "wide", "rotate": 1},
        "loop-a": {"parent": "loop-b"},
        "loop-b": {"parent": "loop-a"},
    },
}


def test_plain_icon_takes_the_set_size():
    icon = icon_from_set(ICON_SET, "square")
    assert (icon.left, icon.top, icon.width, icon.height) == (0, 0, 24, 24)
    assert icon.body == "<path d='M0 0h10v10H0z'/>"


def test_alias_chain_and_transforms():
    assert icon_from_set(ICON_SET, "box").body == ICON_SET["icons"]["square"]["body"]
    flipped = icon_from_set(ICON_SET, "box-flipped")
    assert flipped.body.startswith('<g transform="translate(24 0) scale(-1 1)">')
    turned = icon_from_set(ICON_SET, "box-turned")
    assert turned.body.startswith('<g transform="rotate(90 12.0 12.0)">')
    # A quarter turn swaps the sides of a non-square icon.
    wide = icon_from_set(ICON_SET, "wide-turned")
    assert (wide.width, wide.height, wide.left, wide.top) == (24, 48, 0, 2)


def test_unknown_and_cyclic_names_resolve_to_nothing():
    assert icon_from_set(ICON_SET, "missing") is None
    assert icon_from_set(ICON_SET, "loop-a") is None


def test_installed_sets_resolve_offline():
    library = IconLibrary(REPO_ROOT / "node_modules", api_url=None, cache_dir=None)
    found = library.resolve(["mdi:home", "lucide:camera", "mdi:no-such-icon", "not an icon"])
    assert set(found) == {"mdi:home", "lucide:camera"}
    assert found["mdi:home"].width == 24 and "<path" in found["mdi:home"].body
    assert library.knows_prefix("game-icons")  # every Iconify set is known by name, installed or not
    assert not library.knows_prefix("note")


class _FakeIconify(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        _FakeIconify.requests.append(self.path)
        if self.path.startswith("/game-icons.json"):
            body = {
                "prefix": "game-icons",
                "width": 512,
                "height": 512,
                "icons": {"sword": {"body": "<path d='sword'/>"}},
                "not_found": ["nope"],
            }
        else:
            body = 404
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def iconify_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeIconify)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FakeIconify.requests = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_sets_not_installed_come_from_the_api_and_are_cached(iconify_api, tmp_path: Path):
    library = IconLibrary(REPO_ROOT / "node_modules", api_url=iconify_api, cache_dir=tmp_path)
    found = library.resolve(["game-icons:sword", "game-icons:nope", "mdi:home"])
    assert set(found) == {"game-icons:sword", "mdi:home"}
    assert found["game-icons:sword"].width == 512
    assert _FakeIconify.requests == ["/game-icons.json?icons=nope%2Csword"]  # one request per set
    assert (tmp_path / "game-icons/sword.json").is_file()

    again = IconLibrary(REPO_ROOT / "node_modules", api_url=iconify_api, cache_dir=tmp_path)
    assert again.resolve(["game-icons:sword"])["game-icons:sword"] == found["game-icons:sword"]
    assert len(_FakeIconify.requests) == 1  # served from the disk cache


class _DownIconify(BaseHTTPRequestHandler):
    """An Iconify API that is down: every request counted and answered 503."""

    requests = 0

    def do_GET(self):
        _DownIconify.requests += 1
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_unreachable_api_gives_nothing_and_is_not_asked_again_at_once(tmp_path: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DownIconify)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _DownIconify.requests = 0
    try:
        library = IconLibrary(
            REPO_ROOT / "node_modules", api_url=f"http://127.0.0.1:{server.server_port}", cache_dir=tmp_path
        )
        assert library.resolve(["game-icons:sword"]) == {}
        assert _DownIconify.requests == 1
        # The next export in the next seconds does not wait on the API again, for any set.
        assert library.resolve(["game-icons:shield", "game-icons:sword"]) == {}
        assert _DownIconify.requests == 1
        assert library.resolve(["mdi:home"]).keys() == {"mdi:home"}  # installed sets still resolve
    finally:
        server.shutdown()
