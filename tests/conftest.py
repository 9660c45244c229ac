import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from functions import REPO_ROOT
from functions.models.project import Project, SceneInput

EXAMPLES = REPO_ROOT / "examples"
COMPOSITOR = REPO_ROOT / "node_modules/@remotion/compositor-linux-x64-gnu"


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


def scene(tsx: str, id: str = "s1", name: str = "Scene", duration: int | None = None) -> SceneInput:
    return SceneInput(id=id, name=name, duration_in_frames=duration, tsx_code=tsx)


def project(*scenes: SceneInput, format: str = "landscape", **extra) -> Project:
    return Project(title="Test", format=format, scenes=list(scenes), **extra)


def load_example(name: str) -> Project:
    return Project.model_validate_json((EXAMPLES / f"{name}.json").read_bytes())


def bundle_for_node(source: str, out: Path) -> Path:
    """A TypeScript module of the site (`remotion_site/src/...`) bundled by esbuild for `require()`."""
    from functions.preprocess.esbuild import esbuild_binary

    subprocess.run(
        [
            esbuild_binary(),
            str(REPO_ROOT / source),
            "--bundle",
            "--platform=node",
            "--format=cjs",
            f"--outfile={out}",
            "--log-level=error",
        ],
        check=True,
        cwd=REPO_ROOT,
    )
    return out


def node_check(script: Path, *args: str, timeout: float = 120) -> dict:
    """Run a Node check script from the repository root; it prints its findings as JSON, last."""
    out = subprocess.run(
        ["node", str(script), *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def ffprobe(path: Path) -> dict:
    """Streams and format of a media file, frames counted, by the ffprobe Remotion ships."""
    env = {**os.environ, "LD_LIBRARY_PATH": str(COMPOSITOR)}
    out = subprocess.run(
        [
            str(COMPOSITOR / "ffprobe"),
            "-v",
            "error",
            "-count_frames",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out)


def mean_rgb_at(path: Path, seconds: float) -> tuple[float, float, float]:
    """The mean colour of the frame shown at `seconds`, decoded by Remotion's ffmpeg."""
    env = {**os.environ, "LD_LIBRARY_PATH": str(COMPOSITOR)}
    png = subprocess.run(
        [
            str(COMPOSITOR / "ffmpeg"),
            "-v",
            "error",
            "-ss",
            str(seconds),
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "-",
        ],
        capture_output=True,
        check=True,
        env=env,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return tuple(ImageStat.Stat(image).mean)


@pytest.fixture(scope="session")
def stack():
    """The local stack in-process, on free ports, keeping nothing: emulated DynamoDB and S3 (moto
    server, over HTTP), the HTTP adapter with the same handlers, and the real render worker."""
    from local.stack import LocalStack, StackSettings

    with LocalStack(StackSettings(port=0, state_dir=None)) as running:
        yield running
