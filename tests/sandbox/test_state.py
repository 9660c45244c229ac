"""No state crosses renders: user B's render sees nothing user A's render left or kept running."""

import uuid

import pytest

from functions import REPO_ROOT
from tests.helpers.node import node_check
from tests.helpers.sandbox import hostile, leaks, render

pytestmark = pytest.mark.render


def test_a_second_render_reads_nothing_the_first_left_and_nothing_of_it_still_runs(worker, tmp_path):
    secret = f"secret-{uuid.uuid4().hex}"
    first = render(worker, tmp_path / "a", hostile("leave_state.tsx", secret=secret))
    assert any("refused window.open()" in w for w in first.warnings)
    assert any("refused creating <iframe>" in w for w in first.warnings)
    second = render(worker, tmp_path / "b", hostile("read_state.tsx", secret=secret))
    assert "searched" in second.warnings  # the search ran to its end
    assert leaks(second) == []


def test_a_reader_finds_what_it_set_itself(worker, tmp_path):
    """The reader is not blind: within one render, what a scene writes it can read back."""
    secret = f"secret-{uuid.uuid4().hex}"
    result = render(worker, tmp_path / "same", _leave_then_read(secret))
    found = {w.removeprefix('scene "s0": ').removeprefix("LEAK ") for w in leaks(result)}
    assert {"cookie", "localStorage", "sessionStorage", "global", "indexedDB", "caches"} <= found


def test_a_page_clearing_its_origin_never_waits_on_a_database_a_sibling_page_holds(worker):
    """The tabs of one chunk share an origin, and each clears it when it loads. A scene that keeps an
    IndexedDB connection open made a later tab's clearing wait on it, and that tab's own open
    behind it: the render stalled (the first CI run of stop 18). The connection now gives way."""
    found = node_check(REPO_ROOT / "tests/sandbox/shared_origin_check.mjs", worker.info["bundle"])
    assert found == {"firstFound": None, "secondFound": None, "firstClosed": True}


def _leave_then_read(secret: str) -> str:
    """One scene that first leaves the state and then searches for it, in the same page."""
    leave = hostile("leave_state.tsx", secret=secret)
    read = hostile("read_state.tsx", secret=secret)
    leave_body = leave[leave.index("const quietly") : leave.index("export default")]
    read_body = read[read.index("const found") : read.index("export default")]
    return f"""import {{useEffect, useState}} from 'react';
import {{AbsoluteFill, continueRender, delayRender}} from 'remotion';
const SECRET = {secret!r};
{leave_body}
{read_body}
export default function LeaveThenRead() {{
  const [handle] = useState(() => delayRender('leave then read'));
  useEffect(() => {{
    leave().then(search).finally(() => {{
      for (const where of new Set(found)) {{
        console.warn('[framecast] ' + JSON.stringify({{type: 'warning', message: `LEAK ${{where}}`}}));
      }}
      continueRender(handle);
    }});
  }}, [handle]);
  return <AbsoluteFill style={{{{backgroundColor: '#0000ff'}}}} />;
}}
"""
