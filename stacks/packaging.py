"""The Lambda layer of the service functions, built without Docker: `python -m stacks.packaging`.

    .cache/lambda/layer/python/      the runtime dependencies, arm64 manylinux wheels (uv pip --target)
    .cache/lambda/layer/bin/esbuild  the pinned esbuild, linux-arm64 build (from its npm package)
    .cache/lambda/layer/iconify/     Iconify's list of collections (which prefixes exist)
    .cache/lambda/layer/iconify-store/  every Iconify set, xz-compressed per shard (icon_store.py), a
                                     copy of .cache/lambda/iconify-store (built once per @iconify/json version)

Rebuilt only when uv.lock, package-lock.json or this file change.

`build(for_host=True)` (context `hostLayer=true`, `make deploy-local` only) builds the same layer for
this machine's CPU and Python instead, into .cache/lambda-host/: what an emulator running the
functions on this host can load. Nothing else in the template changes.
"""

import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from functions import REPO_ROOT
from functions.preprocess import icon_store
from functions.preprocess.esbuild import ESBUILD_VERSION

OUT = REPO_ROOT / ".cache/lambda"
LAYER = OUT / "layer"
# The complete, compact store; the local stack builds its sets on first use instead (make demo does not wait).
ICON_STORE = OUT / "iconify-store"
PYTHON_VERSION = "3.13"  # the functions' runtime; stacks/service.py uses the same
PLATFORM = "aarch64-manylinux_2_28"
UV = REPO_ROOT / ".tools/bin/uv"


HOST_OUT = REPO_ROOT / ".cache/lambda-host"
# npm's and manylinux's names for this machine's CPU.
_NPM_ARCH = {"x86_64": "x64", "aarch64": "arm64", "arm64": "arm64"}


def _target(for_host: bool) -> tuple[Path, str, str, str]:
    """(output directory, wheel platform, Python version, esbuild package) of the layer."""
    if not for_host:
        return OUT, PLATFORM, PYTHON_VERSION, "@esbuild/linux-arm64"
    machine = "aarch64" if platform.machine() == "arm64" else platform.machine()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return HOST_OUT, f"{machine}-manylinux_2_28", python, f"@esbuild/linux-{_NPM_ARCH[machine]}"


def _inputs_hash(for_host: bool = False) -> str:
    digest = hashlib.sha256(repr(_target(for_host)).encode())
    for path in (REPO_ROOT / "uv.lock", REPO_ROOT / "package-lock.json", Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _dependencies(target: Path, out: Path, platform_tag: str, python_version: str) -> None:
    requirements = out / "requirements.txt"
    subprocess.run(
        [
            str(UV),
            "export",
            "--frozen",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "--quiet",
            "-o",
            str(requirements),
        ],
        check=True,
        cwd=REPO_ROOT,
    )
    subprocess.run(
        [
            str(UV),
            "pip",
            "install",
            "--quiet",
            "--target",
            str(target),
            "--python-platform",
            platform_tag,
            "--python-version",
            python_version,
            "--only-binary",
            ":all:",
            "-r",
            str(requirements),
        ],
        check=True,
        cwd=REPO_ROOT,
    )
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(target / "tests", ignore_errors=True)  # remotion-lambda's wheel ships its own tests


def _esbuild(target: Path, out: Path, package: str) -> None:
    installed = REPO_ROOT / "node_modules" / package
    manifest = installed / "package.json"
    if manifest.is_file() and json.loads(manifest.read_text())["version"] == ESBUILD_VERSION:
        # This machine's build, already installed by npm ci: nothing to download.
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(installed / "bin/esbuild", target / "esbuild")
        (target / "esbuild").chmod(0o755)
        return
    packed = subprocess.run(
        ["npm", "pack", f"{package}@{ESBUILD_VERSION}", "--silent", "--pack-destination", str(out)],
        check=True,
        capture_output=True,
        text=True,
        cwd=out,
    )
    tarball = out / packed.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        member = archive.getmember("package/bin/esbuild")
        source = archive.extractfile(member)
        assert source is not None, "package/bin/esbuild is a file"
        target.mkdir(parents=True, exist_ok=True)
        (target / "esbuild").write_bytes(source.read())
    (target / "esbuild").chmod(0o755)
    tarball.unlink()


def _icons(target: Path) -> None:
    """Every set comes from the icon store; the `@iconify-json/*` sets the local stack also has would
    only repeat 59 MB of it, past the layer's size budget."""
    modules = REPO_ROOT / "node_modules"
    collections = target / "@iconify/collections/collections.json"
    collections.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(modules / "@iconify/collections/collections.json", collections)


def build(for_host: bool = False) -> Path:
    out, platform_tag, python_version, esbuild_package = _target(for_host)
    layer = out / "layer"
    stamp = out / "layer.stamp"
    wanted = _inputs_hash(for_host)
    if layer.is_dir() and stamp.is_file() and stamp.read_text() == wanted:
        return layer
    shutil.rmtree(layer, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    _dependencies(layer / "python", out, platform_tag, python_version)
    _esbuild(layer / "bin", out, esbuild_package)
    _icons(layer / "iconify")
    if not icon_store.IconStore(ICON_STORE).complete:  # once per @iconify/json version, for any target
        print("lambda layer: every Iconify set, compressed (about 2 minutes on 2 cores)", file=sys.stderr, flush=True)
        icon_store.build(dest=ICON_STORE)
    shutil.copytree(ICON_STORE, layer / "iconify-store")
    stamp.write_text(wanted)
    return layer


if __name__ == "__main__":
    layer = build()
    size = sum(p.stat().st_size for p in layer.rglob("*") if p.is_file())
    print(f"lambda layer: {layer} ({size / 1e6:.0f} MB unzipped)", file=sys.stderr)
