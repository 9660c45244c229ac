"""Where each kind of object lives in the one remotionlambda-* bucket, and who may write there."""

from functions.tables import PROJECTS_PREFIX, QUEUED_REQUESTS_PREFIX, RENDERS_PREFIX

# The remotion_lambda client's key for props too large for the invocation payload
# (RemotionClient._input_props_key: f"input-props/{hash}.json").
INPUT_PROPS_PREFIX = "input-props/"
# The two files of a render the client touches: it reads progress.json and writes cancel.json
# (RemotionClient.cancel_render_on_lambda).
RENDER_PROGRESS = f"{RENDERS_PREFIX}*/progress.json"
RENDER_CANCEL = f"{RENDERS_PREFIX}*/cancel.json"
SITES_PREFIX = "sites/"
PAGE_PREFIX = "app"

__all__ = [
    "INPUT_PROPS_PREFIX",
    "PAGE_PREFIX",
    "PROJECTS_PREFIX",
    "QUEUED_REQUESTS_PREFIX",
    "RENDERS_PREFIX",
    "RENDER_CANCEL",
    "RENDER_PROGRESS",
    "SITES_PREFIX",
]
