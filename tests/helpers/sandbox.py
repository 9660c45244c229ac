"""Hostile scenes rendered for real through the render pool, a loopback listener that proves it is
reachable, and what leaked."""

import json
import socket
import threading
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
    assert plan.warnings == []
    return worker.render(render_job(plan, tmp_path / "out.mp4"))


class Listener:
    """A TCP port on loopback that records every connection and every byte sent to it."""

    def __init__(self, port: int = 0):
        self.socket = socket.create_server(("127.0.0.1", port))
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
