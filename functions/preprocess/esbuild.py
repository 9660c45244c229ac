"""The pinned esbuild binary, run once for all scenes of an export.

We call the static binary directly (no Node): in Lambda it ships in the function's layer and
`ESBUILD_BINARY` names it; locally it is the one npm installed from the root package.json.
"""

import json
import os
import platform
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from functions import REPO_ROOT

ESBUILD_VERSION = "0.28.1"  # the root package.json pins the same; a test keeps them equal
_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Message:
    """An esbuild error or warning, at a 1-based line and column of an entry file."""

    file: str | None
    line: int | None
    column: int | None
    text: str


class EsbuildFailed(Exception):
    def __init__(self, errors: list[Message]):
        super().__init__("; ".join(e.text for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class BuildResult:
    code: dict[str, str]  # entry name -> minified CommonJS module
    imports: dict[str, list[str]]  # entry name -> external module specifiers it requires
    warnings: list[Message]


def _platform_package() -> str:
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine().lower()]
    return f"{platform.system().lower()}-{arch}"


@lru_cache(maxsize=1)
def esbuild_binary() -> str:
    configured = os.environ.get("ESBUILD_BINARY")
    path = Path(configured) if configured else REPO_ROOT / "node_modules/@esbuild" / _platform_package() / "bin/esbuild"
    if not path.is_file():
        raise RuntimeError(f"esbuild binary not found at {path}: run `npm ci` at the repository root")
    version = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if version != ESBUILD_VERSION:
        raise RuntimeError(f"esbuild at {path} is {version}; Framecast is pinned to {ESBUILD_VERSION}")
    return str(path)


# esbuild's plain-text log: "✘ [ERROR] text" then, when it has one, an indented "file:line:col:".
_BLOCK = re.compile(r"^(?:✘|▲) \[(ERROR|WARNING)\] (.*?)(?=^(?:✘|▲) \[|\Z)", re.M | re.S)
_LOCATION = re.compile(r"^\s+([^\s:]+):(\d+):(\d+):\s*$", re.M)


def parse_log(stderr: str) -> tuple[list[Message], list[Message]]:
    errors: list[Message] = []
    warnings: list[Message] = []
    for kind, block in _BLOCK.findall(stderr):
        text = block.split("\n", 1)[0].strip()
        where = _LOCATION.search(block)
        if where:
            # esbuild prints 0-based columns; editors and our diagnostics count from 1.
            message = Message(where.group(1), int(where.group(2)), int(where.group(3)) + 1, text)
        else:
            message = Message(None, None, None, text)
        (errors if kind == "ERROR" else warnings).append(message)
    return errors, warnings


def build(entries: dict[str, str], externals: tuple[str, ...]) -> BuildResult:
    """Compile every entry (name -> TSX source) in one esbuild process."""
    with tempfile.TemporaryDirectory(prefix="framecast-esbuild-") as tmp:
        src, out = Path(tmp, "src"), Path(tmp, "out")
        src.mkdir()
        files = []
        for name, source in entries.items():
            Path(src, f"{name}.tsx").write_text(source, encoding="utf-8")
            files.append(f"{name}.tsx")
        command = [
            esbuild_binary(),
            *files,
            "--bundle",
            "--format=cjs",
            "--platform=browser",
            "--target=es2020",
            "--jsx=automatic",
            "--minify",
            "--charset=utf8",
            "--legal-comments=none",
            f"--outdir={out}",
            f"--metafile={tmp}/meta.json",
            "--color=false",
            "--log-level=warning",
            "--log-limit=0",
            *(f"--external:{package}" for package in externals),
        ]
        proc = subprocess.run(command, cwd=src, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS)
        errors, warnings = parse_log(proc.stderr)
        if proc.returncode != 0:
            raise EsbuildFailed(errors or [Message(None, None, None, proc.stderr.strip() or "esbuild failed")])
        meta = json.loads(Path(tmp, "meta.json").read_text())
        code, imports = {}, {}
        for name in entries:
            code[name] = Path(out, f"{name}.js").read_text(encoding="utf-8")
            output = _output_entry(meta, name)
            imports[name] = [i["path"] for i in output.get("imports", []) if i.get("external")]
        return BuildResult(code=code, imports=imports, warnings=warnings)


def _output_entry(meta: dict[str, Any], name: str) -> dict[str, Any]:
    # Metafile paths are relative to esbuild's working directory ("../out/NAME.js").
    for key, value in meta["outputs"].items():
        if key.endswith(f"/{name}.js"):
            return dict(value)
    return {}
