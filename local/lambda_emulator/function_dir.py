"""The render function's code on this machine: the pinned zip, unzipped once, with native binaries for this CPU.

`remotionlambda-arm64.zip` from `@remotion/lambda` holds `index.js` (the handler) beside arm64 builds
of ffmpeg, ffprobe, Remotion's compositor (`remotion`) and the libav* libraries it loads. On an
x86_64 machine those are replaced by the same files from `@remotion/compositor-linux-x64-gnu`, which
must be the same Remotion version (the compositor and index.js speak one protocol). Nothing else in
the zip is touched: index.js runs as shipped.
"""

import hashlib
import json
import os
import platform
import shutil
import zipfile
from pathlib import Path

from functions import REPO_ROOT

LAMBDA_PACKAGE = REPO_ROOT / "node_modules/@remotion/lambda"
ZIP_PATH = LAMBDA_PACKAGE / "remotionlambda-arm64.zip"


def _under_tmp(path: Path) -> bool:
    return path.resolve().is_relative_to("/tmp")


# Where what an invocation runs must live: not under /tmp, which its private /tmp hides. The
# checkout's .cache, unless the checkout itself is under /tmp (a clone there); then the user's cache.
INVOCATION_HOME = Path.home() / ".cache/framecast" if _under_tmp(REPO_ROOT) else REPO_ROOT / ".cache"
CACHE_DIR = INVOCATION_HOME / "lambda-function"


def visible(path: Path) -> Path:
    """`path`, or a copy of it that an invocation can see (outside /tmp), named by its content."""
    if not _under_tmp(path):
        return path
    data = path.read_bytes()
    copy = INVOCATION_HOME / "visible" / f"{hashlib.sha256(data).hexdigest()[:16]}-{path.name}"
    if not copy.is_file():
        copy.parent.mkdir(parents=True, exist_ok=True)
        staging = copy.with_suffix(f".{os.getpid()}.tmp")
        staging.write_bytes(data)
        staging.rename(copy)
    return copy


# Which compositor package carries this machine's binaries (the zip's own are arm64 glibc).
COMPOSITOR_PACKAGES = {"x86_64": "compositor-linux-x64-gnu", "aarch64": "compositor-linux-arm64-gnu"}
NATIVE_FILES = ("ffmpeg", "ffprobe", "remotion")


class FunctionSetupError(RuntimeError):
    """The function cannot be prepared for this machine (missing package, version mismatch, other CPU)."""


def _version(package_dir: Path) -> str:
    version: str = json.loads((package_dir / "package.json").read_text())["version"]
    return version


def _native_names(folder: Path) -> list[str]:
    return sorted([*NATIVE_FILES, *(p.name for p in folder.glob("lib*.so"))])


def prepare(cache_dir: Path = CACHE_DIR) -> Path:
    """The folder holding index.js and binaries that run here; built once per zip and machine."""
    machine = platform.machine()
    if machine not in COMPOSITOR_PACKAGES:
        raise FunctionSetupError(
            f"no Remotion compositor for this CPU ({machine}); known: {sorted(COMPOSITOR_PACKAGES)}"
        )
    if not ZIP_PATH.is_file():
        raise FunctionSetupError(f"{ZIP_PATH} is missing: run `npm ci` (make setup)")
    version = _version(LAMBDA_PACKAGE)
    digest = hashlib.sha256(ZIP_PATH.read_bytes()).hexdigest()[:16]
    target = cache_dir / f"{version}-{digest}-{machine}"
    if (target / "index.js").is_file():
        return target

    staging = cache_dir / f"{target.name}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with zipfile.ZipFile(ZIP_PATH) as archive:
        archive.extractall(staging)
        for info in archive.infolist():  # zipfile drops the mode bits; the binaries need theirs
            mode = info.external_attr >> 16
            if mode:
                (staging / info.filename).chmod(mode & 0o777)

    if machine != "aarch64":
        compositor = REPO_ROOT / "node_modules/@remotion" / COMPOSITOR_PACKAGES[machine]
        if not compositor.is_dir():
            raise FunctionSetupError(f"{compositor} is missing: run `npm ci` (make setup)")
        if _version(compositor) != version:
            raise FunctionSetupError(
                f"@remotion/lambda is {version} but {compositor.name} is {_version(compositor)}: "
                "the compositor must be the same version as the function"
            )
        shipped, replacements = _native_names(staging), _native_names(compositor)
        if shipped != replacements:
            raise FunctionSetupError(f"the zip's native files {shipped} differ from {compositor.name}'s {replacements}")
        for name in shipped:
            shutil.copy2(compositor / name, staging / name)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)  # whole, so a half-prepared folder is never taken for a ready one
    return target
