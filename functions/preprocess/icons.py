"""Iconify icons as inline SVG data, offline first.

Every Iconify set is available with no network: from the compressed store of the pinned
`@iconify/json` (functions/preprocess/icon_store.py; ICONIFY_STORE_DIR), complete in the Lambda
layer, built a set at a time on first use where node_modules is at hand; else from the
`@iconify-json/*` sets npm installed. Only a set found in neither is asked of the Iconify HTTP API,
where the network allows, and cached on disk.
An icon found nowhere is left to the scene's placeholder and reported as a warning by the caller.
"""

import json
import logging
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from functions import REPO_ROOT
from functions.models.composition import IconData
from functions.preprocess.icon_store import DEFAULT_STORE, IconStore

logger = logging.getLogger(__name__)

ICON_NAME = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*):([a-z0-9]+(?:[-_][a-z0-9]+)*)$")
_DEFAULT_SIZE = 16
_MAX_ALIAS_DEPTH = 8
_API_TIMEOUT_SECONDS = 3
_API_RETRY_AFTER_SECONDS = 300


def split_name(name: str) -> tuple[str, str] | None:
    match = ICON_NAME.match(name)
    return (match.group(1), match.group(2)) if match else None


def _transformed_body(body: str, box: dict[str, Any], rotate: int, h_flip: bool, v_flip: bool) -> str:
    """Apply an alias's rotate/flip the way @iconify/utils' iconToSVG does; updates box in place."""
    transforms: list[str] = []
    if h_flip and v_flip:
        rotate += 2
    elif h_flip:
        transforms += [f"translate({box['width'] + box['left']} {-box['top']})", "scale(-1 1)"]
        box["top"] = box["left"] = 0
    elif v_flip:
        transforms += [f"translate({-box['left']} {box['height'] + box['top']})", "scale(1 -1)"]
        box["top"] = box["left"] = 0
    rotate %= 4
    if rotate == 1:
        center = box["height"] / 2 + box["top"]
        transforms.insert(0, f"rotate(90 {center} {center})")
    elif rotate == 2:
        transforms.insert(0, f"rotate(180 {box['width'] / 2 + box['left']} {box['height'] / 2 + box['top']})")
    elif rotate == 3:
        center = box["width"] / 2 + box["left"]
        transforms.insert(0, f"rotate(-90 {center} {center})")
    if rotate % 2 == 1:
        box["left"], box["top"] = box["top"], box["left"]
        box["width"], box["height"] = box["height"], box["width"]
    return f'<g transform="{" ".join(transforms)}">{body}</g>' if transforms else body


def icon_from_set(icon_set: dict[str, Any], name: str) -> IconData | None:
    """Resolve a name (following aliases) in an Iconify JSON icon set."""
    icons, aliases = icon_set.get("icons", {}), icon_set.get("aliases", {})
    chain: list[dict[str, Any]] = []
    current = name
    while current not in icons:
        alias = aliases.get(current)
        if alias is None or len(chain) >= _MAX_ALIAS_DEPTH:
            return None
        chain.append(alias)
        current = alias["parent"]
    merged = dict(icons[current])
    rotate, h_flip, v_flip = merged.get("rotate", 0), merged.get("hFlip", False), merged.get("vFlip", False)
    for alias in reversed(chain):  # from the icon outwards: the nearest alias wins on size
        merged.update({k: alias[k] for k in ("left", "top", "width", "height") if k in alias})
        rotate += alias.get("rotate", 0)
        h_flip ^= alias.get("hFlip", False)
        v_flip ^= alias.get("vFlip", False)
    box = {
        "left": merged.get("left", icon_set.get("left", 0)),
        "top": merged.get("top", icon_set.get("top", 0)),
        "width": merged.get("width", icon_set.get("width", _DEFAULT_SIZE)),
        "height": merged.get("height", icon_set.get("height", _DEFAULT_SIZE)),
    }
    body = _transformed_body(merged["body"], box, rotate, h_flip, v_flip)
    return IconData(body=body, **box)


class IconLibrary:
    def __init__(self, data_dir: Path, api_url: str | None, cache_dir: Path | None, store_dir: Path | None = None):
        self.data_dir = data_dir
        self.store = IconStore(store_dir, source=data_dir / "@iconify/json") if store_dir else None
        self.api_url = api_url.rstrip("/") if api_url else None
        self.cache_dir = cache_dir
        self._sets: dict[str, dict[str, Any] | None] = {}
        self._api_down_until = 0.0
        collections = data_dir / "@iconify/collections/collections.json"
        self.collections: frozenset[str] = frozenset(
            json.loads(collections.read_text()) if collections.is_file() else ()
        ) | (self.store.prefixes if self.store else frozenset())

    def knows_prefix(self, prefix: str) -> bool:
        return prefix in self.collections or self._installed_set(prefix) is not None

    def _installed_set(self, prefix: str) -> dict[str, Any] | None:
        if prefix not in self._sets:
            found = self.store.icon_set(prefix) if self.store else None
            path = self.data_dir / "@iconify-json" / prefix / "icons.json"
            if found is None and path.is_file():  # no store built yet: the sets npm installed
                found = json.loads(path.read_text(encoding="utf-8"))
            self._sets[prefix] = found
        return self._sets[prefix]

    def resolve(self, names: Iterable[str]) -> dict[str, IconData]:
        """Every name that can be found; the missing ones are simply absent."""
        found: dict[str, IconData] = {}
        remote: dict[str, list[str]] = {}
        for name in sorted(set(names)):
            parts = split_name(name)
            if parts is None:
                continue
            prefix, icon = parts
            icon_set = self._installed_set(prefix)
            data = icon_from_set(icon_set, icon) if icon_set else self._cached(prefix, icon)
            if data is not None:
                found[name] = data
            elif icon_set is None:
                remote.setdefault(prefix, []).append(icon)
        for prefix, icons in remote.items():
            found.update(self._from_api(prefix, icons))
        return found

    def _cache_path(self, prefix: str, icon: str) -> Path | None:
        return self.cache_dir / prefix / f"{icon}.json" if self.cache_dir else None

    def _cached(self, prefix: str, icon: str) -> IconData | None:
        path = self._cache_path(prefix, icon)
        if path and path.is_file():
            return IconData.model_validate_json(path.read_text())
        return None

    def _from_api(self, prefix: str, icons: list[str]) -> dict[str, IconData]:
        if not self.api_url or time.monotonic() < self._api_down_until:
            return {}
        query = urllib.parse.urlencode({"icons": ",".join(icons)})
        url = f"{self.api_url}/{urllib.parse.quote(prefix)}.json?{query}"
        try:
            with urllib.request.urlopen(url, timeout=_API_TIMEOUT_SECONDS) as response:
                icon_set = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            # Offline or blocked: don't pay the timeout again for every export for a while.
            self._api_down_until = time.monotonic() + _API_RETRY_AFTER_SECONDS
            logger.warning("Iconify API unreachable (%s); icons of %r fall back to placeholders", exc, prefix)
            return {}
        if not isinstance(icon_set, dict):  # the API answers 404 as a bare number for an unknown set
            return {}
        found = {}
        for icon in icons:
            data = icon_from_set(icon_set, icon)
            if data is None:
                continue
            found[f"{prefix}:{icon}"] = data
            path = self._cache_path(prefix, icon)
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(data.model_dump_json())
        return found


@lru_cache(maxsize=1)
def default_library() -> IconLibrary:
    api_url = os.environ.get("ICONIFY_API_URL", "https://api.iconify.design")
    cache_dir = os.environ.get("ICONIFY_CACHE_DIR", str(Path.home() / ".cache/framecast/iconify"))
    return IconLibrary(
        data_dir=Path(os.environ.get("ICONIFY_DATA_DIR", REPO_ROOT / "node_modules")),
        api_url=api_url if api_url not in ("", "off") else None,
        cache_dir=Path(cache_dir) if cache_dir else None,
        store_dir=Path(os.environ.get("ICONIFY_STORE_DIR", DEFAULT_STORE)),
    )
