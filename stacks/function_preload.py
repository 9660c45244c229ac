"""What Framecast loads into the Remotion render function before Remotion's code
(render/worker/function_preload.cjs): the network guard and the log gate. Which files ship as its
layer, and how Node is told to load them. The emulated function (local/lambda_emulator) loads the
same files from the same place, so both run them the same way."""

from functions import REPO_ROOT

SOURCE_DIR = REPO_ROOT / "render/worker"
FILES = ("function_preload.cjs", "net_guard.cjs", "log_gate.cjs")
# Lambda extracts a layer's files under /opt; the function's Node loads the preload before Remotion.
LAYER_ROOT = "/opt"
NODE_OPTIONS = f"--require {LAYER_ROOT}/function_preload.cjs"
# Origins (space separated) the network guard lets through: only the emulated function's loopback site.
ALLOW_ENV = "FRAMECAST_NET_ALLOW"
