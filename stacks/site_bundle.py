"""The Remotion bundle folder (.cache/bundle/<hash>), built by the local worker's bundler if missing."""

import re
import subprocess
from pathlib import Path

from functions import REPO_ROOT


def bundle_dir() -> Path:
    done = subprocess.run(
        ["node", "local/render_worker/worker.mjs", "--bundle-only"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
    )
    match = re.search(r"bundle (?:built|up to date): (\S+)", done.stderr)
    if not match:
        raise RuntimeError(f"could not build the Remotion bundle: {done.stderr[-2000:]}")
    return Path(match.group(1))
