"""The render function's Node-side network guard (render/worker/net_guard.cjs): which files ship
as its layer, and how Node is told to load them. The emulated function (local/lambda_emulator)
loads the same files from the same place, so both run the guard the same way."""

from functions import REPO_ROOT

GUARD_DIR = REPO_ROOT / "render/worker"
GUARD_FILES = ("net_guard.cjs", "net_guard_preload.cjs")
# Lambda extracts a layer's files under /opt; the function's Node loads the guard before Remotion.
LAYER_ROOT = "/opt"
NODE_OPTIONS = f"--require {LAYER_ROOT}/net_guard_preload.cjs"
# Origins (space separated) the guard lets through: only the emulated function's loopback site.
ALLOW_ENV = "FRAMECAST_NET_ALLOW"
