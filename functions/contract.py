"""The constants every side of Framecast shares, read from `contract.json` beside this file.

The composition (remotion_site), the render worker and the page import the same JSON file, so the
composition id, the frame rate, the report prefix, the ended statuses, the quality presets with
their output-size rule and the format limits cannot drift apart. The typed forms built on these
live with their users: `functions/render_settings.py` (presets, output sizes) and
`functions/limits.py` (limits).
"""

import json
from pathlib import Path
from typing import Any

_CONTRACT: dict[str, Any] = json.loads((Path(__file__).with_name("contract.json")).read_text())

COMPOSITION_ID: str = _CONTRACT["compositionId"]
# Frames per second of the composition and of every mp4 and webm; a gif's own rate is its preset's.
FPS: int = _CONTRACT["fps"]
# What the composition's scene runtime puts before a JSON report on the browser console.
REPORT_PREFIX: str = _CONTRACT["reportPrefix"]
ENDED_STATUSES: frozenset[str] = frozenset(_CONTRACT["endedStatuses"])
# Quality name -> {shortSide, crf: {h264, vp8}, jpegQuality, gif: {shortSide, fps}} (design section 4).
PRESETS: dict[str, dict[str, Any]] = _CONTRACT["presets"]
# Output sides are rounded to a multiple of this (the rule: contract.json's outputSize).
OUTPUT_SIZE_MULTIPLE: int = _CONTRACT["outputSize"]["multiple"]
_LIMITS: dict[str, int] = _CONTRACT["limits"]
# The default; MAX_RENDER_DURATION_MINUTES overrides it per deployment.
MAX_RENDER_DURATION_MINUTES: int = _LIMITS["maxRenderDurationMinutes"]
MAX_GIF_SECONDS: int = _LIMITS["maxGifSeconds"]
MAX_SCENES: int = _LIMITS["maxScenes"]
MAX_SCENE_SOURCE_BYTES: int = _LIMITS["maxSceneSourceBytes"]
