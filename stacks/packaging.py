"""The Lambda layer of the service functions, built without Docker: `python -m stacks.packaging`.

    .cache/lambda/layer/python/      the runtime dependencies, arm64 manylinux wheels (uv pip --target)
    .cache/lambda/layer/bin/esbuild  the pinned esbuild, linux-arm64 build (from its npm package)
    .cache/lambda/layer/iconify/     Iconify's list of collections (which prefixes exist)
    .cache/lambda/layer/iconify-store/  every Iconify set, xz-compressed per shard (icon_store.py)

Rebuilt only when uv.lock, package-lock.json or this file change.
"""

import hashlib
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
PYTHON_VERSION = "3.13"  # the functions' runtime; stacks/service.py uses the same
PLATFORM = "aarch64-manylinux_2_28"
UV = REPO_ROOT / ".tools/bin/uv"


def _inputs_hash() -> str:
    digest = hashlib.sha256()
    for path in (REPO_ROOT / "uv.lock", REPO_ROOT / "package-lock.json", Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _dependencies(target: Path) -> None:
    requirements = OUT / "requirements.txt"
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
            PLATFORM,
            "--python-version",
            PYTHON_VERSION,
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


def _esbuild(target: Path) -> None:
    packed = subprocess.run(
        ["npm", "pack", f"@esbuild/linux-arm64@{ESBUILD_VERSION}", "--silent", "--pack-destination", str(OUT)],
        check=True,
        capture_output=True,
        text=True,
        cwd=OUT,
    )
    tarball = OUT / packed.stdout.strip().splitlines()[-1]
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


def build() -> Path:
    stamp = OUT / "layer.stamp"
    wanted = _inputs_hash()
    if LAYER.is_dir() and stamp.is_file() and stamp.read_text() == wanted:
        return LAYER
    shutil.rmtree(LAYER, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    _dependencies(LAYER / "python")
    _esbuild(LAYER / "bin")
    _icons(LAYER / "iconify")
    icon_store.build()  # at once when make setup built this version already
    shutil.copytree(icon_store.DEFAULT_STORE, LAYER / "iconify-store")
    stamp.write_text(wanted)
    return LAYER


if __name__ == "__main__":
    layer = build()
    size = sum(p.stat().st_size for p in layer.rglob("*") if p.is_file())
    print(f"lambda layer: {layer} ({size / 1e6:.0f} MB unzipped)", file=sys.stderr)
