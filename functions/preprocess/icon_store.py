"""Every Iconify icon set, offline, in a store of compressed shards read one small piece at a time.

`@iconify/json` (pinned in package.json) holds all sets: ~490 MB of JSON, too much for a Lambda
layer (250 MB unzipped, shared with everything else) and too much to parse for one icon (the
largest set alone is ~100 MB). A set is kept as xz-compressed shards of at most ~2 MB of JSON
each, an icon and its aliases found by a hash of the name:

    <set>/<n>.json.xz     {"icons": {...}, "aliases": {...}} of the names in shard n
    <set>/meta.json       the set's defaults (width, height, left, top), shard count and source;
                          written last, it marks the set complete

A store comes in two kinds, both read by IconStore:

- **complete** (the Lambda layer): `<store>/manifest.json` lists every set, `<store>/<prefix>/`
  holds each. `python -m functions.preprocess.icon_store build [DEST]` writes it with xz preset 6
  on every core (stacks/packaging.py, once per @iconify/json version).
- **built on first use** (local mode, where node_modules is at hand): `<store>/v<version>/<prefix>/`
  appears the first time an icon of the set is asked for, from `@iconify/json/json/<prefix>.json`,
  with xz preset 0 (the 100 MB fluent-emoji set in seconds, not half a minute). Which sets exist is
  read from the names of those files, so nothing is built up front.

A set is written into a temporary folder and renamed into place whole, under a lock of its own
(fcntl), so processes that want the same set at once build it once and nobody reads half of one.
"""

import fcntl
import json
import logging
import lzma
import math
import os
import shutil
import sys
import tempfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from functions import REPO_ROOT

logger = logging.getLogger(__name__)

SOURCE_DIR = REPO_ROOT / "node_modules/@iconify/json"
DEFAULT_STORE = REPO_ROOT / ".cache/iconify-store"
# On first use a set is waited for; in the layer every byte counts (all sets: xz 6 95 MB in 160 CPU-s, xz 0 117 MB in 21).
FAST_PRESET = 0
COMPACT_PRESET = 6
_SHARD_BYTES = 2_000_000
_SET_DEFAULTS = ("width", "height", "left", "top")
_CACHED_SHARDS = 32


def shard_of(name: str, shards: int) -> int:
    return zlib.crc32(name.encode()) % shards


def source_tag(source: Path) -> str | None:
    """`@iconify/json@<version>`, or None where there is no @iconify/json (on AWS)."""
    package = source / "package.json"
    return f"@iconify/json@{json.loads(package.read_text())['version']}" if package.is_file() else None


def source_prefixes(source: Path) -> frozenset[str]:
    """Every set of @iconify/json, without reading one: its files are named by prefix."""
    return frozenset(path.stem for path in (source / "json").glob("*.json"))


def _compressor(preset: int) -> dict[str, Any]:
    # The dictionary need not outgrow a shard (2.7 MB of JSON at most): preset 6's 8 MiB costs time
    # to set up, and no byte less.
    return {"format": lzma.FORMAT_XZ, "filters": [{"id": lzma.FILTER_LZMA2, "preset": preset, "dict_size": 4 << 20}]}


def _write_durably(path: Path, data: bytes) -> None:
    with path.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def write_set(source_file: Path, folder: Path, preset: int, tag: str | None) -> int:
    """Shard one @iconify/json set into an empty folder, its meta.json last; answers the shard count.
    A set built on first use names its source (tag) in meta.json; in a complete store the manifest does."""
    icon_set = json.loads(source_file.read_bytes())
    shards = max(1, math.ceil(source_file.stat().st_size / _SHARD_BYTES))
    parts: list[dict[str, dict[str, Any]]] = [{"icons": {}, "aliases": {}} for _ in range(shards)]
    for kind in ("icons", "aliases"):
        for name, data in icon_set.get(kind, {}).items():
            parts[shard_of(name, shards)][kind][name] = data
    options = _compressor(preset)
    for n, part in enumerate(parts):
        packed = json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode()
        _write_durably(folder / f"{n}.json.xz", lzma.compress(packed, **options))
    meta = {
        "prefix": icon_set["prefix"],
        "shards": shards,
        **({"source": tag} if tag else {}),
        **{k: icon_set[k] for k in _SET_DEFAULTS if k in icon_set},
    }
    _write_durably(folder / "meta.json", json.dumps(meta, separators=(",", ":")).encode())
    return shards


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or when the process dies
        yield


def _work_dir(parent: Path, name: str) -> Path:
    """A new folder to build name in, beside where it will go ("." is in no prefix: mdi's is not
    mdi-light's)."""
    work = Path(tempfile.mkdtemp(dir=parent, prefix=f".tmp-{name}."))
    # mkdtemp's 0700 would travel into the layer's zip: the Lambda runtime's user could not read it.
    work.chmod(0o755)
    return work


def _replace_dir(built: Path, target: Path) -> None:
    """Put a finished folder at target in one rename; whatever was there (an unfinished or outdated
    one) is moved aside first and removed after."""
    if target.exists():
        aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".old-{target.name}."))
        target.rename(aside / target.name)
        shutil.rmtree(aside)
    built.rename(target)
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_meta(folder: Path, tag: str | None) -> dict[str, Any] | None:
    """A set's meta.json if the set is complete (and from `tag`, when one is asked for)."""
    try:
        meta: dict[str, Any] = json.loads((folder / "meta.json").read_text())
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    return meta if tag is None or meta.get("source") == tag else None


def build_set(source: Path, sets_dir: Path, prefix: str, preset: int = FAST_PRESET) -> dict[str, Any]:
    """A set's folder in sets_dir, built now unless it is there already; answers its meta.json.
    One process builds a set at a time; the others wait for it and read what it wrote."""
    tag = source_tag(source)
    assert tag is not None, f"no @iconify/json in {source}"
    folder = sets_dir / prefix
    meta = read_meta(folder, tag)
    if meta is not None:
        return meta
    with _locked(sets_dir / ".locks" / f"{prefix}.lock"):
        meta = read_meta(folder, tag)  # built by the process we waited for
        if meta is not None:
            return meta
        # What a process killed while building this set left behind: we hold its lock, nobody builds it now.
        for leftover in sets_dir.glob(f".tmp-{prefix}.*"):
            shutil.rmtree(leftover, ignore_errors=True)
        work = _work_dir(sets_dir, prefix)
        try:
            write_set(source / "json" / f"{prefix}.json", work, preset, tag)
            _replace_dir(work, folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    logger.info("icon set %s built in %s", prefix, folder)
    built = read_meta(folder, tag)
    assert built is not None
    return built


def _build_one(job: tuple[Path, Path, int]) -> tuple[str, int]:
    source_file, folder, preset = job
    folder.mkdir()
    return source_file.stem, write_set(source_file, folder, preset, None)


def build(
    source: Path = SOURCE_DIR, dest: Path = DEFAULT_STORE, preset: int = COMPACT_PRESET, workers: int | None = None
) -> dict[str, Any]:
    """Write the complete store of every set (what the Lambda layer ships) from an @iconify/json
    folder, one set per core at a time; answers the manifest. A store already built from the same
    version is kept as it is."""
    tag = source_tag(source)
    assert tag is not None, f"no @iconify/json in {source}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _locked(dest.parent / f".{dest.name}.lock"):
        existing = IconStore(dest, source=None).manifest
        if existing.get("source") == tag:
            return existing
        for leftover in dest.parent.glob(f".tmp-{dest.name}.*"):
            shutil.rmtree(leftover, ignore_errors=True)
        work = _work_dir(dest.parent, dest.name)
        try:
            # The largest first, so that no core is left with fluent-emoji's 100 MB at the end.
            files = sorted((source / "json").glob("*.json"), key=lambda p: -p.stat().st_size)
            jobs = [(path, work / path.stem, preset) for path in files]
            with ProcessPoolExecutor(max_workers=workers or len(os.sched_getaffinity(0))) as pool:
                sets = dict(sorted(pool.map(_build_one, jobs)))
            manifest = {"source": tag, "sets": sets}
            # Written last: a store without its manifest is an unfinished one and is not used.
            _write_durably(work / "manifest.json", json.dumps(manifest).encode())
            _replace_dir(work, dest)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return manifest


class _Lazy(dict[str, Any]):
    """The icons or aliases of a set, loaded shard by shard as names are looked up."""

    def __init__(self, store: "IconStore", prefix: str, kind: str):
        super().__init__()
        self._store, self._prefix, self._kind = store, prefix, kind

    def _part(self, name: str) -> dict[str, Any]:
        part: dict[str, Any] = self._store.shard(self._prefix, name)[self._kind]
        return part

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._part(name)

    def __getitem__(self, name: str) -> Any:
        return self._part(name)[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._part(name).get(name, default)


class IconStore:
    """A complete store at root if one from this @iconify/json is there (or any, where there is no
    @iconify/json, as on AWS); else sets built on first use under root from `source`."""

    def __init__(self, root: Path, source: Path | None = SOURCE_DIR):
        self.root = root
        manifest = root / "manifest.json"
        complete: dict[str, Any] = json.loads(manifest.read_text()) if manifest.is_file() else {}
        tag = source_tag(source) if source else None
        self.complete = bool(complete) and (tag is None or complete.get("source") == tag)
        self.manifest: dict[str, Any] = complete if self.complete else {"sets": {}}
        # Where sets are built on first use; None for a complete store, or with nothing to build from.
        self._source = source if tag and not self.complete else None
        if self._source is None or tag is None:
            self._prefixes = frozenset(self.manifest["sets"])
            self.sets_dir = root
        else:
            self._prefixes = source_prefixes(self._source)
            self.sets_dir = root / f"v{tag.rpartition('@')[2]}"
        self._meta: dict[str, dict[str, Any]] = {}
        self._shards: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()

    @property
    def prefixes(self) -> frozenset[str]:
        return self._prefixes

    def _set_meta(self, prefix: str) -> dict[str, Any] | None:
        if prefix not in self._prefixes:
            return None
        if prefix not in self._meta:
            if self._source is None:
                meta = read_meta(self.sets_dir / prefix, None)
            else:
                try:
                    meta = build_set(self._source, self.sets_dir, prefix)
                except OSError as exc:  # a read-only or full disk: the caller's other sources then
                    logger.warning("icon set %s could not be built in %s: %s", prefix, self.sets_dir, exc)
                    meta = None
            if meta is None:
                return None
            self._meta[prefix] = meta
        return self._meta[prefix]

    def shard(self, prefix: str, name: str) -> dict[str, Any]:
        meta = self._set_meta(prefix)
        assert meta is not None, f"no icon set {prefix}"
        n = shard_of(name, meta["shards"])
        key = (prefix, n)
        if key not in self._shards:
            self._shards[key] = json.loads(lzma.decompress((self.sets_dir / prefix / f"{n}.json.xz").read_bytes()))
            if len(self._shards) > _CACHED_SHARDS:  # a few MB each: keep the recent ones only
                self._shards.popitem(last=False)
        self._shards.move_to_end(key)
        return self._shards[key]

    def icon_set(self, prefix: str) -> dict[str, Any] | None:
        """The set as icons.py's icon_from_set reads it, its icons loaded on demand (and the set
        built first, if this is its first use here)."""
        meta = self._set_meta(prefix)
        if meta is None:
            return None
        return {
            **{k: meta[k] for k in _SET_DEFAULTS if k in meta},
            "icons": _Lazy(self, prefix, "icons"),
            "aliases": _Lazy(self, prefix, "aliases"),
        }


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "build":
        sys.exit("usage: python -m functions.preprocess.icon_store build [DEST]")
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_STORE
    built = build(dest=target)
    print(f"{len(built['sets'])} sets from {built['source']} in {target}")
