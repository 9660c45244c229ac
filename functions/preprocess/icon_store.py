"""Every Iconify icon set, offline, in a compact store read one small piece at a time.

`@iconify/json` (pinned in package.json) holds all sets: ~490 MB of JSON, too much for a Lambda
layer (250 MB unzipped, shared with everything else) and too much to parse for one icon (the
largest set alone is ~100 MB). The store keeps each set as xz-compressed shards of at most
~2 MB of JSON each, an icon and its aliases found by a hash of the name:

    <store>/manifest.json            {"source": "@iconify/json@<version>", "sets": {prefix: shards}}
    <store>/<prefix>/meta.json       the set's defaults (width, height, left, top) and shard count
    <store>/<prefix>/<n>.json.xz     {"icons": {...}, "aliases": {...}} of the names in shard n

`python -m functions.preprocess.icon_store build [DEST]` writes it (about two minutes, once per
@iconify/json version); functions/preprocess/icons.py reads it.
"""

import json
import lzma
import math
import sys
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from functions import REPO_ROOT

SOURCE_DIR = REPO_ROOT / "node_modules/@iconify/json"
DEFAULT_STORE = REPO_ROOT / ".cache/iconify-store"
_SHARD_BYTES = 2_000_000
_SET_DEFAULTS = ("width", "height", "left", "top")
_CACHED_SHARDS = 32


def shard_of(name: str, shards: int) -> int:
    return zlib.crc32(name.encode()) % shards


def build(source: Path = SOURCE_DIR, dest: Path = DEFAULT_STORE) -> dict[str, Any]:
    """Write the store from an @iconify/json folder; answers the manifest. A store already built
    from the same version is kept as it is."""
    version = json.loads((source / "package.json").read_text())["version"]
    existing = IconStore(dest).manifest
    if existing.get("source") == f"@iconify/json@{version}":
        return existing
    sets: dict[str, int] = {}
    manifest: dict[str, Any] = {"source": f"@iconify/json@{version}", "sets": sets}
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted((source / "json").glob("*.json")):
        icon_set = json.loads(path.read_bytes())
        prefix = icon_set["prefix"]
        shards = max(1, math.ceil(path.stat().st_size / _SHARD_BYTES))
        parts: list[dict[str, dict[str, Any]]] = [{"icons": {}, "aliases": {}} for _ in range(shards)]
        for kind in ("icons", "aliases"):
            for name, data in icon_set.get(kind, {}).items():
                parts[shard_of(name, shards)][kind][name] = data
        folder = dest / prefix
        folder.mkdir(exist_ok=True)
        meta = {"prefix": prefix, "shards": shards, **{k: icon_set[k] for k in _SET_DEFAULTS if k in icon_set}}
        (folder / "meta.json").write_text(json.dumps(meta))
        for n, part in enumerate(parts):
            packed = json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode()
            (folder / f"{n}.json.xz").write_bytes(lzma.compress(packed, preset=6))
        sets[prefix] = shards
    # Written last: a store without its manifest is an unfinished one and is not used.
    (dest / "manifest.json").write_text(json.dumps(manifest))
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
    def __init__(self, root: Path):
        self.root = root
        manifest = root / "manifest.json"
        self.manifest: dict[str, Any] = json.loads(manifest.read_text()) if manifest.is_file() else {"sets": {}}
        self._shards: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()

    @property
    def prefixes(self) -> frozenset[str]:
        return frozenset(self.manifest["sets"])

    def shard(self, prefix: str, name: str) -> dict[str, Any]:
        n = shard_of(name, self.manifest["sets"][prefix])
        key = (prefix, n)
        if key not in self._shards:
            self._shards[key] = json.loads(lzma.decompress((self.root / prefix / f"{n}.json.xz").read_bytes()))
            if len(self._shards) > _CACHED_SHARDS:  # a few MB each: keep the recent ones only
                self._shards.popitem(last=False)
        self._shards.move_to_end(key)
        return self._shards[key]

    def icon_set(self, prefix: str) -> dict[str, Any] | None:
        """The set as icons.py's icon_from_set reads it, its icons loaded on demand."""
        if prefix not in self.manifest["sets"]:
            return None
        meta = json.loads((self.root / prefix / "meta.json").read_text())
        return {
            **{k: meta[k] for k in _SET_DEFAULTS if k in meta},
            "icons": _Lazy(self, prefix, "icons"),
            "aliases": _Lazy(self, prefix, "aliases"),
        }


if __name__ == "__main__":
    target = Path(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "build" else DEFAULT_STORE
    if len(sys.argv) < 2 or sys.argv[1] != "build":
        sys.exit("usage: python -m functions.preprocess.icon_store build [DEST]")
    built = build(dest=target)
    print(f"{len(built['sets'])} sets from {built['source']} in {target}")
