"""How an export is cut into chunks, and what decides each chunk's frames (its cache key).

Chunks follow scene boundaries: a scene's frames depend on the scene alone and on the frame
within it (the composition plays scenes one after another, each from its own frame 0), so a chunk
that covers one scene keeps its key when other scenes change or move. Long scenes are cut into
pieces of about CHUNK_FRAMES encoded frames so that the pool's processes share the work (a gif
encodes every 3rd or 2nd frame: its pieces span as many more composition frames, so that a chunk's
page load is paid for by as many captures in every format).
"""

import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from functions.render_settings import RenderSettings
from render.protocol import JsonObject, ReadyEvent

WORKER_DIR = Path(__file__).with_name("worker")

# Bump when what a chunk file holds changes (codec of the intermediate, audio format, ...).
CHUNK_FORMAT = 1
# Each of a chunk's tabs loads the page and warms its code up again: about as much CPU as five
# frames. At 160 captures (80 a tab) that is a sixteenth of a chunk's work; at 60 it was a sixth,
# and the landscape export spent 2 CPU-s more for it (docs/decisions.md).
DEFAULT_CHUNK_FRAMES = 160
# A very long scene is cut into at most this many pieces, so the per-chunk cost (a page load)
# stays small next to its frames; the number depends on the scene alone, never on the project.
MAX_PIECES_PER_SCENE = 8


@dataclass(frozen=True)
class ScenePart:
    scene_index: int
    scene_id: str
    scene_name: str
    start: int  # first frame, counted from the scene's own frame 0
    end: int  # exclusive


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int  # first frame of the composition, inclusive
    end: int  # exclusive
    parts: tuple[ScenePart, ...]
    key: str = ""

    def captures(self, every_nth_frame: int = 1) -> int:
        """How many frames Remotion captures for this range: every nth, counted from its start."""
        return -(-(self.end - self.start) // every_nth_frame)

    @property
    def frame_range(self) -> tuple[int, int]:
        """Remotion's frameRange: both ends inclusive."""
        return self.start, self.end - 1

    def scenes_label(self) -> str:
        return ", ".join(f'scene "{p.scene_id}" ({p.scene_name})' for p in self.parts)


def chunk_frames_from_env() -> int:
    return max(1, int(os.environ.get("FRAMECAST_CHUNK_FRAMES", DEFAULT_CHUNK_FRAMES)))


def _align_up(frame: int, step: int) -> int:
    return -(-frame // step) * step


def plan_chunks(
    durations: list[int], every_nth_frame: int = 1, chunk_frames: int = DEFAULT_CHUNK_FRAMES
) -> list[Chunk]:
    """Frame ranges covering every frame once, in order.

    With every_nth_frame > 1 (gif) every chunk starts on a multiple of it, as Remotion picks the
    frames of a range counting from its first frame: the chunks then hold exactly the frames of a
    single-pass render.
    """
    starts = [0]
    for duration in durations:
        starts.append(starts[-1] + duration)
    total = starts[-1]
    boundaries = sorted({min(total, _align_up(s, every_nth_frame)) for s in starts})
    ranges: list[tuple[int, int]] = []
    for a, b in zip(boundaries, boundaries[1:], strict=False):
        length = b - a
        pieces = min(math.ceil(length / (chunk_frames * every_nth_frame)), MAX_PIECES_PER_SCENE)
        size = _align_up(math.ceil(length / pieces), every_nth_frame)
        ranges += [(s, min(b, s + size)) for s in range(a, b, size)]
    chunks = []
    for index, (a, b) in enumerate(ranges):
        parts = []
        for i, (s0, s1) in enumerate(zip(starts, starts[1:], strict=False)):
            if s0 < b and a < s1:
                parts.append(ScenePart(i, "", "", max(a, s0) - s0, min(b, s1) - s0))
        chunks.append(Chunk(index, a, b, tuple(parts)))
    return chunks


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def site_data_fingerprint(site_public: Path) -> str:
    """Static files the render page loads at run time (fonts, icon sets): path, size and mtime
    of each, so a changed font file changes every key without hashing megabytes per export."""
    if not site_public.is_dir():
        return "none"
    entries = []
    for path in sorted(site_public.rglob("*")):
        if path.is_file():
            stat = path.stat()
            entries.append([str(path.relative_to(site_public)), stat.st_size, stat.st_mtime_ns])
    return _digest(entries)


def worker_scripts_fingerprint(worker_dir: Path = WORKER_DIR) -> str:
    """The worker's own scripts (how it launches the browser, captures, encodes): a change renders again."""
    return _digest(
        [[path.name, hashlib.sha256(path.read_bytes()).hexdigest()] for path in sorted(worker_dir.glob("*.mjs"))]
    )


@dataclass(frozen=True)
class Renderer:
    """What renders a chunk besides the chunk itself: the bundle (site sources and the lock file),
    the site's static files, the worker's scripts, and the browser as it names itself."""

    bundle: str
    site_data: str
    worker_scripts: str
    browser: str

    @classmethod
    def of(cls, ready: ReadyEvent, site_data: str) -> "Renderer":
        return cls(ready["bundleHash"], site_data, worker_scripts_fingerprint(), ready["browserVersion"])


def keyed_chunks(
    chunks: list[Chunk], input_props: JsonObject, settings: RenderSettings, renderer: Renderer
) -> list[Chunk]:
    """Each chunk with its key: everything that decides its frames and how they are encoded."""
    scenes = input_props["scenes"]
    scene_digests = [_digest(scene) for scene in scenes]  # code, icons, duration, id and name
    common = {
        "format": CHUNK_FORMAT,
        "bundle": renderer.bundle,
        "siteData": renderer.site_data,
        "worker": renderer.worker_scripts,
        "browser": renderer.browser,
        "settings": [
            settings.codec,
            settings.crf,
            settings.jpeg_quality,
            settings.width,
            settings.height,
            settings.every_nth_frame,
            settings.fps,
        ],
        "design": [input_props["designWidth"], input_props["designHeight"]],
    }
    keyed = []
    for chunk in chunks:
        parts = tuple(
            ScenePart(p.scene_index, scenes[p.scene_index]["id"], scenes[p.scene_index]["name"], p.start, p.end)
            for p in chunk.parts
        )
        key = _digest({**common, "parts": [[scene_digests[p.scene_index], p.start, p.end] for p in parts]})
        keyed.append(Chunk(chunk.index, chunk.start, chunk.end, parts, key))
    return keyed
