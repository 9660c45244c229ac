"""The Remotion bundle of remotion_site, built if missing, through its one entry point.

`node render/worker/bundle.mjs` answers one JSON line, {"dir", "hash", "cached"}: the render
pool's processes, the stacks (the site uploaded to S3), the Lambda emulator and the reference
renderer all take the same folder from it.
"""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from functions import REPO_ROOT

BUNDLE_SCRIPT = REPO_ROOT / "render/worker/bundle.mjs"


@dataclass(frozen=True)
class Bundle:
    dir: Path
    hash: str
    cached: bool


def ensure_bundle() -> Bundle:
    done = subprocess.run(["node", str(BUNDLE_SCRIPT)], capture_output=True, text=True, cwd=REPO_ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"could not build the Remotion bundle: {done.stderr[-2000:]}")
    answer = json.loads(done.stdout)
    return Bundle(dir=Path(answer["dir"]), hash=str(answer["hash"]), cached=bool(answer["cached"]))


def bundle_dir() -> Path:
    return ensure_bundle().dir


if __name__ == "__main__":
    built = ensure_bundle()
    print(f"Remotion bundle {'up to date' if built.cached else 'built'}: {built.dir}")
