"""Request bodies parsed as JSON, with hostile JSON refused as malformed rather than crashing us."""

import json
from typing import Any


def parse_json_body(text: str) -> Any:
    """`json.loads`, except that what it cannot parse safely (nesting deep enough to exhaust the
    stack, integers past Python's 4300-digit conversion limit) is a JSONDecodeError, which the
    resolver answers as 400 malformed_json."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as error:
        raise json.JSONDecodeError(f"the JSON cannot be read safely ({type(error).__name__})", text, 0) from None
