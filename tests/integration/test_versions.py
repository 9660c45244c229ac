"""Remotion is one exact version everywhere (design section 8); the client refuses a mismatch."""

import json
import re
import tomllib
from importlib.metadata import version

from functions import REPO_ROOT

REMOTION_VERSION = "4.0.527"


def _remotion_pins(package_json) -> dict[str, str]:
    data = json.loads(package_json.read_text())
    deps = {**data.get("dependencies", {}), **data.get("devDependencies", {})}
    return {name: pin for name, pin in deps.items() if name == "remotion" or name.startswith("@remotion/")}


def test_every_remotion_package_is_pinned_to_one_exact_version():
    pins = {}
    for package_json in REPO_ROOT.glob("*/package.json"):
        pins.update({f"{package_json.parent.name}:{k}": v for k, v in _remotion_pins(package_json).items()})
    assert pins and set(pins.values()) == {REMOTION_VERSION}, pins


def test_installed_remotion_packages_match_the_pin():
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())
    installed = {
        path: meta["version"]
        for path, meta in lock["packages"].items()
        if re.search(r"node_modules/(remotion|@remotion/[^/]+)$", path)
        and "compositor" not in path
        and "licensing" not in path
    }
    assert installed and set(installed.values()) == {REMOTION_VERSION}, installed


def test_python_client_is_the_same_version():
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert f"remotion-lambda=={REMOTION_VERSION}" in pyproject["project"]["dependencies"]
    assert version("remotion-lambda") == REMOTION_VERSION
