"""Hostile scenes rendered for real through the render pool, a loopback listener that proves it is
reachable, and what leaked."""

import json
import socket
import threading
import time
from pathlib import Path

from cli.main import render_job
from functions import REPO_ROOT
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.render_settings import OutputFormat, Quality
from render import RenderPool, RenderResult
from tests.helpers.projects import project, scene

SCENES = REPO_ROOT / "tests/sandbox/scenes"


def hostile(name: str, **values) -> str:
    """A scene from scenes/, with each __KEY__ replaced by the JSON of values[key]."""
    source = (SCENES / name).read_text()
    for key, value in values.items():
        source = source.replace(f"__{key.upper()}__", json.dumps(value))
    return source


def render(worker: RenderPool, tmp_path: Path, *sources: str, duration: int = 10) -> RenderResult:
    proj = project(*(scene(src, id=f"s{i}", name=f"Scene {i}", duration=duration) for i, src in enumerate(sources)))
    plan = plan_export(proj, OutputFormat.MP4, Quality.LOW, Limits())
    # Hostile scenes name loopback URLs on purpose; the plan says so (remote_sources.py), nothing else.
    assert [w for w in plan.warnings if "the render will not fetch it" not in w] == []
    return worker.render(render_job(plan, tmp_path / "out.mp4"))


class Listener:
    """A TCP port on loopback (127.0.0.1, or ::1) that records every connection and every byte sent to it."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family)
        self.host = host
        self.port = self.socket.getsockname()[1]
        self.connections: list[bytes] = []
        self._closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(1)
                received = b""
                try:
                    while chunk := connection.recv(65536):
                        received += chunk
                except OSError:
                    pass
                self.connections.append(received)

    def close(self) -> None:
        self._closed.set()
        self.socket.close()


def leaks(result_or_warnings) -> list[str]:
    warnings = getattr(result_or_warnings, "warnings", result_or_warnings)
    return [w for w in warnings if "LEAK" in w]


class UdpListener:
    """A UDP port on loopback that records every datagram sent to it (STUN, TURN over UDP)."""

    def __init__(self, host: str = "127.0.0.1"):
        self.socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((host, 0))
        self.host = host
        self.port = self.socket.getsockname()[1]
        self.datagrams: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                data, _ = self.socket.recvfrom(65536)
            except OSError:
                return
            self.datagrams.append(data)

    def close(self) -> None:
        self.socket.close()


def heard(listener: Listener | UdpListener) -> list[bytes]:
    """What reached the listener: a datagram or a connection's bytes each."""
    return listener.datagrams if isinstance(listener, UdpListener) else listener.connections


def reachable(listener: Listener | UdpListener) -> bool:
    """Proves, from outside any sandbox, that what is sent to the listener is recorded; then
    forgets the probe, so the listener starts empty."""
    family = socket.AF_INET6 if ":" in listener.host else socket.AF_INET
    if isinstance(listener, UdpListener):
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.sendto(b"probe", (listener.host, listener.port))
    else:
        with socket.create_connection((listener.host, listener.port), timeout=5) as probe:
            probe.sendall(b"probe")
    deadline = time.monotonic() + 5
    while not heard(listener) and time.monotonic() < deadline:
        time.sleep(0.05)
    ok = bool(heard(listener))
    heard(listener).clear()
    return ok
