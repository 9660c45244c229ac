"""A single-pass render by Remotion's own CLI (`npx remotion render`) from the prebuilt bundle.

The reference the chunked renders are checked against (tests/render) and measured against
(`make bench`): the same bundle, the same input props, the same output settings, one process.
"""

import functools
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from functions import REPO_ROOT
from functions.render_settings import RenderSettings
from render.bundle import bundle_dir

REMOTION_CLI = REPO_ROOT / "node_modules/.bin/remotion"


def _ask_worker(flag: str) -> subprocess.CompletedProcess[str]:
    """Run the worker's script for one answer (it never starts a pool process this way)."""
    return subprocess.run(
        ["node", str(REPO_ROOT / "render/worker/worker.mjs"), flag],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )


@functools.cache
def worker_browser() -> tuple[str | None, str]:
    """The browser the render pool uses and Remotion's mode for it (browser.mjs decides): the
    reference renders with the same one, as plain Remotion would with its default browser."""
    found = json.loads(_ask_worker("--which-browser").stdout)
    return found["executable"], found["chromeMode"]


def naive_command(bundle: Path, props_file: Path, settings: RenderSettings, out: Path) -> list[str]:
    executable, chrome_mode = worker_browser()
    command = [
        str(REMOTION_CLI),
        "render",
        str(bundle),
        "Main",
        str(out),
        f"--props={props_file}",
        f"--codec={settings.codec}",
        f"--jpeg-quality={settings.jpeg_quality}",
        "--image-format=jpeg",
        f"--every-nth-frame={settings.every_nth_frame}",
        *([f"--browser-executable={executable}"] if executable else []),
        f"--chrome-mode={chrome_mode}",
        "--log=error",
        "--overwrite",
    ]
    if settings.crf is not None:
        command.append(f"--crf={settings.crf}")
    return command


def naive_render(input_props: dict[str, Any], settings: RenderSettings, out: Path, bundle: Path | None = None) -> None:
    bundle = bundle or bundle_dir()
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="framecast-props-") as props_file:
        json.dump(input_props, props_file)
        props_file.flush()
        subprocess.run(
            naive_command(bundle, Path(props_file.name), settings, out),
            check=True,
            cwd=REPO_ROOT,
            capture_output=True,
            timeout=600,
        )
