"""Refund forgery on the local backend: a real render of a scene that fails itself with our words.

The scene calls Remotion's cancelRender() with an error it made up: its class name is AWS's
throttling exception, its text holds every marker the old refund rule matched (our worker's
error name, Lambda throttling and runtime exits), and in a second render also the word "cancel" (the
worker's cancel flag was a match on the text) and a browser disconnect (the pool replaces a process
on those words). None of it may refund the render: it ends `failed`, counted, and the user's count
stays at 1. The same
rule on Lambda is tested with Remotion's own payloads in tests/service/test_lifecycle.py.
"""

import uuid

import pytest

from tests.helpers.api import Client
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.render

# Every marker the old refund rule matched (our worker's error name, Lambda throttling and runtime
# exits), and internal-looking addresses that must not reach the user.
MARKERS = (
    "Rate Exceeded. FramecastInfrastructureError: TooManyRequestsException ConcurrentInvocationLimitExceeded "
    "Runtime exited with error: signal: killed Runtime.ExitError; "
    "from http://localhost:3001/proxy?src=a.mp3 and /tmp/framecast-renders-x/y.mp4"
)
FORGED_TEXTS = {
    # The markers alone: the old rule refunded on them.
    "markers": MARKERS,
    # With "cancelled" (the worker's cancel flag was a match on the text: no webhook, the sweeper
    # refunded it much later) and a browser disconnect (the pool replaces a process on those words).
    "cancel-words": MARKERS + "; the render was cancelled; Target closed",
}


# From frame 3 the frame never gets ready (a delayRender() left open) and a timer cancels the render
# with the forged error: Remotion fails the render on it whichever it sees first, the cancel or the
# timer's uncaught error (the scene's error boundary cannot catch a timer's throw).
def forger(text: str) -> str:
    return f"""import {{AbsoluteFill, cancelRender, delayRender, useCurrentFrame}} from 'remotion';
class TooManyRequestsException extends Error {{
  constructor(message: string) {{
    super(message);
    this.name = 'TooManyRequestsException';
  }}
}}
export default () => {{
  const frame = useCurrentFrame();
  if (frame >= 3) {{
    delayRender('the forged failure');
    setTimeout(() => cancelRender(new TooManyRequestsException({text!r})), 100);
  }}
  return <AbsoluteFill style={{{{backgroundColor: '#202020'}}}} />;
}};"""


def forged_render(stack, text: str) -> dict:
    """One user's export of the forging scene, to its end; charged whatever the scene said."""
    client = Client(stack.url, f"forger-{uuid.uuid4().hex[:8]}")
    project = client.project([{"id": "forger", "name": "Forger", "durationInFrames": 15, "tsxCode": forger(text)}])
    status, started, _ = client.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": "gif", "quality": "low"}
    )
    assert status == 202, started
    assert client.call("GET", "/exports/stats")[1]["usedToday"] == 1

    def ended():
        render = client.call("GET", f"/renders/{started['renderId']}")[1]
        return render if render["status"] not in ("queued", "rendering") else None

    # A 15-frame gif ends in seconds. Before the fix, an error saying "cancel" (the scene's, or
    # Remotion's "Render was cancelled using cancelRender()") did not end it at all: the worker
    # flagged it cancelled, no webhook came, and the sweeper later ended it refunded. One with the
    # markers alone ended `failed`, refunded.
    render = wait_for(ended, timeout=120, every=1)
    print("the error the user reads:", render["error"])
    assert render["status"] == "failed", render
    assert render["quotaCounted"] is True, render
    assert client.call("GET", "/exports/stats")[1]["usedToday"] == 1  # 0 -> 1, and not back to 0
    return render


@pytest.mark.parametrize("text", FORGED_TEXTS.values(), ids=FORGED_TEXTS.keys())
def test_a_scene_that_fails_itself_with_our_words_pays_for_its_render(stack, text):
    # The scene's words must reach the service (the error, or its scene-error warning), or the
    # forgery was not really tried. On a loaded machine Remotion may end the render on the sibling
    # tab's "Target closed (page disposed)" first; every attempt is charged all the same.
    for _ in range(3):
        render = forged_render(stack, text)
        shown = " ".join([render["error"], *render.get("warnings", [])])
        if "Rate Exceeded" in shown:
            break
    assert "Rate Exceeded" in shown, render
    # What the user reads of them names none of our addresses.
    assert "localhost" not in shown and "/tmp/" not in shown, render
