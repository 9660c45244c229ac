"""The worker's captures: without Remotion's captureBeyondViewport where the clip is the viewport.

Remotion asks Chromium for every frame with `captureBeyondViewport: true`, which makes Chromium
resize the view to the clip and back around each capture (two relayouts a frame). Its clip is the
page's own viewport, so render/worker/browser.mjs sends those captures without the flag.
Here the same frames are captured by the worker's browser and by a browser Remotion opened alone:
the pixels must be the same, bit for bit, and a capture that really reaches past the viewport must
go through untouched.
"""

import json

import pytest

from functions import REPO_ROOT
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.render_settings import OutputFormat, Quality
from render.bundle import bundle_dir
from tests.helpers.node import node_check
from tests.helpers.projects import project, scene
from tests.render.test_chunked import MOVING

pytestmark = pytest.mark.render

# Text, a gradient, a rounded shape in motion and a shadow: what a relayout would move if it could.
SHADOWED = """import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default () => {
  const frame = useCurrentFrame();
  return (
    <AbsoluteFill style={{background: '#0b1020', justifyContent: 'center', alignItems: 'center'}}>
      <h1 style={{color: 'white', fontSize: 90, textShadow: '0 8px 24px #7c3aed', transform: `rotate(${frame}deg)`}}>
        Framecast {frame}
      </h1>
    </AbsoluteFill>
  );
};"""


def test_captures_skip_the_viewport_resize_and_draw_the_same_pixels(tmp_path):
    export = plan_export(
        project(scene(MOVING, id="a", duration=30), scene(SHADOWED, id="b", duration=30)),
        OutputFormat.MP4,
        Quality.LOW,
        Limits(),
    )
    props = tmp_path / "props.json"
    props.write_text(json.dumps(export.props.to_json_dict()))
    frames = ["0", "17", "31", "52"]
    result = node_check(
        REPO_ROOT / "tests/render/capture_check.mjs", str(bundle_dir()), str(props), *frames, timeout=180
    )
    # Four frames, and the first again at a thumbnail's scale: five different pictures compared.
    assert result["captures"] == 5 and result["distinctImages"] == 5
    assert result["sameImages"] is True
    assert result["thumbnailSize"] == {"width": 320, "height": 180}
    assert result["plainBeyondViewport"] == [True] * 5  # what Remotion itself sends
    assert result["oursBeyondViewport"] == [False] * 5  # what reached the worker's Chromium
    # A clip taller than the viewport still gets Chromium's resize, and the whole clip back.
    assert result["tallCaptureBeyondViewport"] is True
    assert result["tallCaptureSize"] == {"width": 200, "height": 300}
