"""The channels a scene has besides the page's own requests (docs/security.md, "Every channel"):
the downloads Remotion's Node side makes for it, and WebRTC/WebTransport. Each test first proves
that its listeners hear what is sent to them from outside the sandbox."""

import json
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from functions import REPO_ROOT
from render import RenderFailed, RenderPool
from tests.helpers.node import node_check
from tests.helpers.sandbox import SCENES, Listener, UdpListener, heard, hostile, leaks, reachable, render

pytestmark = pytest.mark.render

GUARD = REPO_ROOT / "render/worker/net_guard.cjs"
READ_FILE = REPO_ROOT / "node_modules/@remotion/renderer/dist/assets/read-file.js"  # not among its exports
# Remotion's own downloader (what mixes a scene's audio), unguarded and then guarded, against a URL.
DOWNLOAD = """
const {readFile} = require(%s);
const get = (url) => readFile(url).then(({response}) => { response.resume(); return 'fetched'; }, (e) => e.message);
(async () => {
  const url = process.argv[1];
  const before = await get(url);
  require(%s).installNetGuard();
  console.log(JSON.stringify({before, after: await get(url)}));
})();
"""


@pytest.fixture
def listeners():
    running = [Listener(), Listener(host="::1")]
    yield running
    for listener in running:
        listener.close()


def test_remotions_downloader_reaches_loopback_until_the_guard_is_installed(listeners):
    v4, _ = listeners
    url = f"http://127.0.0.1:{v4.port}/a.mp3"
    out = subprocess.run(
        ["node", "-e", DOWNLOAD % (json.dumps(str(READ_FILE)), json.dumps(str(GUARD))), url],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert len(v4.connections) == 1 and b"GET /a.mp3" in v4.connections[0]  # the control: it got there
    assert result["after"].startswith("Framecast refused to fetch 127.0.0.1")
    assert len(v4.connections) == 1  # and the guarded one never did


def test_an_audio_source_on_loopback_is_left_out_with_a_warning_naming_the_scene(worker, listeners, tmp_path):
    assert all(reachable(listener) for listener in listeners)
    v4, v6 = listeners
    honest = [
        f"http://127.0.0.1:{v4.port}/a.mp3",
        f"http://[::1]:{v6.port}/a.mp3",
        f"https://localhost:{v4.port}/a.mp3",
        f"http://2130706433:{v4.port}/a.mp3",
    ]
    result = render(worker, tmp_path, hostile("node_fetch.tsx", honest=honest, bypass=[]))
    assert [heard(listener) for listener in listeners] == [[], []]
    left_out = [w for w in result.warnings if "was left out" in w]
    assert len(left_out) == len(honest)
    assert all(w.startswith('scene "s0" (Scene 0): <Audio> source ') for w in left_out)


def test_a_scene_past_the_page_guard_gets_no_download_from_loopback(worker, listeners, tmp_path):
    assert all(reachable(listener) for listener in listeners)
    v4, v6 = listeners
    bypass = [f"http://127.0.0.1:{v4.port}/a.mp3", f"http://[::1]:{v6.port}/a.mp3", f"http://localhost:{v4.port}/a.mp3"]
    with pytest.raises(RenderFailed) as failed:
        render(worker, tmp_path, hostile("node_fetch.tsx", honest=[], bypass=bypass))
    assert [heard(listener) for listener in listeners] == [[], []]
    assert "Framecast refused to fetch" in str(failed.value)
    assert not failed.value.ours  # the scene's doing: its user pays


@pytest.fixture
def peers():
    running = [UdpListener(), UdpListener("::1"), Listener(), Listener(host="::1")]
    yield running
    for listener in running:
        listener.close()


def peer_targets(peers) -> dict:
    udp4, udp6, tcp4, tcp6 = peers
    return {
        "stun": [f"stun:127.0.0.1:{udp4.port}", f"stun:[::1]:{udp6.port}"],
        "turn": [
            f"turn:127.0.0.1:{udp4.port}?transport=udp",
            f"turn:127.0.0.1:{tcp4.port}?transport=tcp",
            f"turn:[::1]:{tcp6.port}?transport=tcp",
        ],
        "webtransport": f"https://127.0.0.1:{udp4.port}/",
    }


def test_webrtc_and_webtransport_send_nothing_from_a_render(worker, peers, tmp_path):
    assert all(reachable(listener) for listener in peers)
    targets = peer_targets(peers)
    control = node_check(
        REPO_ROOT / "tests/sandbox/plain_page.mjs", str(SCENES / "peer_attack.js"), json.dumps(targets)
    )
    assert "RTCPeerConnection" in control["started"]
    udp4, udp6, tcp4, _ = peers
    # Outside the sandbox, the same browser's ICE reached the UDP and TCP listeners.
    assert heard(udp4) and heard(tcp4), "the control sent nothing: the test could not see a leak"
    for listener in peers:
        heard(listener).clear()

    source = hostile("attack.tsx", targets=targets).replace("__ATTACK__", (SCENES / "peer_attack.js").read_text())
    result = render(worker, tmp_path, source)
    assert [heard(listener) for listener in peers] == [[], [], [], []]
    assert leaks(result) == []
    assert any("refused RTCPeerConnection" in w for w in result.warnings)


ARTIFACT_SCENE = """import {AbsoluteFill, Artifact} from 'remotion';
export default () => <AbsoluteFill style={{backgroundColor: '#222'}}>
  <Artifact filename="notes.txt" content={'x'.repeat(1000)} /></AbsoluteFill>;"""


def test_a_scenes_artifact_is_left_out_with_a_warning(worker, tmp_path):
    """An export is its video: <Artifact> files are never written (on Lambda the function's role may
    not write them either, tests/infra)."""
    result = render(worker, tmp_path, ARTIFACT_SCENE)
    assert [w for w in result.warnings if "<Artifact>" in w] == [
        'scene "s0" (Scene 0): <Artifact> notes.txt was left out: artifacts are not part of an export'
    ]


FULL_CHROMIUM = Path("/usr/lib/chromium/chromium")


class _EmptyPage(BaseHTTPRequestHandler):
    """An http page for the control to run in: Chromium prefetches nothing for about:blank."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>control</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.mark.skipif(not FULL_CHROMIUM.is_file(), reason="Debian's full Chromium is not installed")
def test_no_name_is_resolved_for_a_scene_by_dns_prefetch(tmp_path):
    """Chromium's net log names every host it resolves or prefetches. The full Chromium (the headless
    shell prefetches nothing at all) resolves a plain page's dns-prefetch and preconnect links; a
    render page resolves none of a scene's."""
    net_log = tmp_path / "net-log.json"
    browser = tmp_path / "chromium-with-net-log"
    browser.write_text(
        f'#!/bin/sh\nexec {FULL_CHROMIUM} --log-net-log={net_log} --net-log-capture-mode=Everything "$@"\n'
    )
    browser.chmod(0o755)
    probe = uuid.uuid4().hex[:8]
    hosts = [f"framecast-{probe}-{kind}.com" for kind in ("prefetched", "preconnected", "linked")]
    attack = SCENES / "dns_attack.js"

    page = ThreadingHTTPServer(("127.0.0.1", 0), _EmptyPage)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    try:
        node_check(
            REPO_ROOT / "tests/sandbox/plain_page.mjs",
            str(attack),
            json.dumps({"hosts": hosts}),
            str(browser),
            f"http://127.0.0.1:{page.server_port}/",
        )
    finally:
        page.shutdown()
    resolved = net_log.read_text(errors="replace")
    assert hosts[0] in resolved and hosts[1] in resolved, "the control resolved nothing: the test could not see a leak"

    net_log.unlink()
    source = hostile("attack.tsx", targets={"hosts": hosts}).replace("__ATTACK__", attack.read_text())
    with RenderPool(size=1, env={"REMOTION_BROWSER_EXECUTABLE": str(browser)}) as pool:
        result = render(pool, tmp_path, source)
    resolved = net_log.read_text(errors="replace")
    assert "framecast-" + probe not in resolved
    assert leaks(result) == []
    assert any("refused creating <link>" in w for w in result.warnings)
