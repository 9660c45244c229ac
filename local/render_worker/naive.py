"""A single-pass render by Remotion's own CLI (`npx remotion render`) from the prebuilt bundle.

The reference the chunked renders are checked against (tests/render) and measured against
(`make bench`): the same bundle, the same input props, the same output settings, one process.
"""

import json
import subprocess
import tempfile
from pathlib import Path

from functions.render_settings import RenderSettings
from local.render_worker.process import REPO_ROOT

REMOTION_CLI = REPO_ROOT / "node_modules/.bin/remotion"


def bundle_dir() -> Path:
    """The bundle of the current site sources, built if missing (by the worker's own code)."""
    done = subprocess.run(
        ["node", str(REPO_ROOT / "local/render_worker/worker.mjs"), "--bundle-only"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    return Path(done.stderr.strip().rsplit(": ", 1)[1])


def naive_command(bundle: Path, props_file: Path, settings: RenderSettings, out: Path) -> list[str]:
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
        "--browser-executable=/usr/bin/chromium",
        "--chrome-mode=chrome-for-testing",
        "--log=error",
        "--overwrite",
    ]
    if settings.crf is not None:
        command.append(f"--crf={settings.crf}")
    return command


def naive_render(input_props: dict, settings: RenderSettings, out: Path, bundle: Path | None = None) -> None:
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
