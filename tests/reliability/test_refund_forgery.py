"""Refund forgery on the local backend: a real render of a scene that fails itself with our words.

The scene calls Remotion's cancelRender() with an error it made up: its class name is AWS's
throttling exception, its text holds every marker the old refund rule matched (our worker's
error name, Lambda throttling and runtime exits), the word "cancel" (the worker's cancel flag was
a match on the text) and a browser disconnect (the pool replaces a process on those words). None of
it may refund the render: it ends `failed`, counted, and the user's count stays at 1. The same
rule on Lambda is tested with Remotion's own payloads in tests/service/test_lifecycle.py.
"""

import uuid

import pytest

from tests.reliability.conftest import wait_for
from tests.service.conftest import Client

pytestmark = pytest.mark.render

FORGED_TEXT = (
    "Rate Exceeded. FramecastInfrastructureError: TooManyRequestsException ConcurrentInvocationLimitExceeded "
    "Runtime exited with error: signal: killed Runtime.ExitError; the render was cancelled; Target closed; "
    "from http://localhost:3001/proxy?src=a.mp3 and /tmp/framecast-renders-x/y.mp4"
)

FORGER = f"""import {{AbsoluteFill, cancelRender, useCurrentFrame}} from 'remotion';
class TooManyRequestsException extends Error {{
  constructor(message: string) {{
    super(message);
    this.name = 'TooManyRequestsException';
  }}
}}
export default () => {{
  const frame = useCurrentFrame();
  if (frame >= 3) cancelRender(new TooManyRequestsException({FORGED_TEXT!r}));
  return <AbsoluteFill style={{{{backgroundColor: '#202020'}}}} />;
}};"""


def test_a_scene_that_fails_itself_with_our_words_pays_for_its_render(stack):
    client = Client(stack.url, f"forger-{uuid.uuid4().hex[:8]}")
    project = client.project([{"id": "forger", "name": "Forger", "durationInFrames": 15, "tsxCode": FORGER}])
    status, started, _ = client.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": "gif", "quality": "low"}
    )
    assert status == 202, started
    assert client.call("GET", "/exports/stats")[1]["usedToday"] == 1

    def ended():
        render = client.call("GET", f"/renders/{started['renderId']}")[1]
        return render if render["status"] not in ("queued", "rendering") else None

    render = wait_for(ended, timeout=300, every=1)
    assert render["status"] == "failed", render
    assert "Rate Exceeded" in render["error"]  # the scene's own words reach the user,
    assert "localhost" not in render["error"] and "/tmp/" not in render["error"]  # without our addresses
    assert render["quotaCounted"] is True, render
    assert client.call("GET", "/exports/stats")[1]["usedToday"] == 1  # 0 -> 1, and not back to 0
