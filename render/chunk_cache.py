"""The content-addressed cache of rendered chunks (local mode).

An entry is a directory named by the chunk's key holding its video (and audio) files and a
`meta.json` with each file's size and SHA-256. Entries are written in a scratch directory and
renamed into place whole, so a reader sees a complete entry or none; a reader checks every file
against its digest before use, so a corrupt entry is dropped, never joined into a video. Readers
take hard links of the files, so an entry evicted meanwhile does not pull a file from under a
render. Recency is the entry's `meta.json` mtime (touched on every hit); eviction drops the least
recently used entries past the size limit, under an exclusive lock shared by every process using
the directory. Entries survive restarts: the directory is the whole state.
"""

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from functions import REPO_ROOT

logger = logging.getLogger(__name__)
DEFAULT_LIMIT_MB = 2048


@dataclass(frozen=True)
class CachedChunk:
    video: Path
    audio: Path | None
    warnings: list[str]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ChunkCache:
    def __init__(self, root: Path, limit_bytes: int = DEFAULT_LIMIT_MB << 20):
        self.root = Path(root)
        self.limit_bytes = limit_bytes
        self.entries = self.root / "entries"
        self.scratch = self.root / "tmp"
        for directory in (self.entries, self.scratch):
            directory.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_env(cls) -> "ChunkCache":
        root = os.environ.get("FRAMECAST_CHUNK_CACHE_DIR") or REPO_ROOT / ".cache/chunks"
        limit_mb = int(os.environ.get("FRAMECAST_CHUNK_CACHE_MB", DEFAULT_LIMIT_MB))
        return cls(Path(root), limit_mb << 20)

    def _entry(self, key: str) -> Path:
        return self.entries / key[:2] / key

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with open(self.root / "lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def get(self, key: str, into: Path) -> CachedChunk | None:
        """The chunk's files hard-linked into `into`, or None (absent, or corrupt and now dropped)."""
        entry = self._entry(key)
        try:
            meta = json.loads((entry / "meta.json").read_text())
            linked: dict[str, Path] = {}
            for role, info in meta["files"].items():
                source = entry / info["name"]
                target = into / f"{key[:16]}-{info['name']}"
                target.unlink(missing_ok=True)
                os.link(source, target)
                # Checked on our own link: what is verified is exactly what will be joined.
                if target.stat().st_size != info["size"] or _sha256(target) != info["sha256"]:
                    raise ValueError(f"{info['name']} does not match its digest")
                linked[role] = target
            os.utime(entry / "meta.json")  # most recently used
            return CachedChunk(linked["video"], linked.get("audio"), list(meta["warnings"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.warning("chunk cache entry %s is unusable (%s); dropping it", key, error)
            with self._exclusive():
                shutil.rmtree(entry, ignore_errors=True)
            return None

    def put(self, key: str, video: Path, audio: Path | None, warnings: list[str]) -> None:
        """Keep a rendered chunk (hard links to the given files, which stay the caller's)."""
        if self._entry(key).is_dir():
            return
        staging = Path(tempfile.mkdtemp(prefix=f"{key[:16]}-", dir=self.scratch))
        try:
            files = {}
            for role, source in (("video", video), ("audio", audio)):
                if source is None:
                    continue
                name = f"{role}{source.suffix}"
                os.link(source, staging / name)
                files[role] = {"name": name, "size": source.stat().st_size, "sha256": _sha256(source)}
            (staging / "meta.json").write_text(json.dumps({"files": files, "warnings": warnings}))
            with self._exclusive():
                entry = self._entry(key)
                entry.parent.mkdir(exist_ok=True)
                if not entry.exists():
                    os.rename(staging, entry)  # whole or not at all
                self._evict()
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _entries_by_age(self) -> list[tuple[float, int, Path]]:
        found = []
        for meta in self.entries.glob("*/*/meta.json"):
            entry = meta.parent
            try:
                size = sum(f.stat().st_size for f in entry.iterdir())
                found.append((meta.stat().st_mtime, size, entry))
            except FileNotFoundError:
                continue
        return sorted(found, key=lambda item: item[0])

    def _evict(self) -> None:
        entries = self._entries_by_age()
        total = sum(size for _, size, _ in entries)
        for _, size, entry in entries:
            if total <= self.limit_bytes:
                break
            shutil.rmtree(entry, ignore_errors=True)
            total -= size

    def size_bytes(self) -> int:
        return sum(size for _, size, _ in self._entries_by_age())

    def keys(self) -> set[str]:
        return {entry.name for _, _, entry in self._entries_by_age()}
