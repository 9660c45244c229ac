"""The constants every side of Framecast shares, read from `contract.json` beside this file.

The composition (remotion_site), the render worker and the page import the same JSON file, so the
composition id, the frame rate, the report prefix and the ended statuses cannot drift apart.
"""

import json
from pathlib import Path

_CONTRACT = json.loads((Path(__file__).with_name("contract.json")).read_text())

COMPOSITION_ID: str = _CONTRACT["compositionId"]
FPS: int = _CONTRACT["fps"]
# What the composition's scene runtime puts before a JSON report on the browser console.
REPORT_PREFIX: str = _CONTRACT["reportPrefix"]
ENDED_STATUSES: frozenset[str] = frozenset(_CONTRACT["endedStatuses"])
