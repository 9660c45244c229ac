"""A render's log bytes are bounded: a scene that makes a thousand refused requests and spams its
console writes no more than its budget into the worker log, violations name the blocked URL and
not the policy, and repeats are counted (docs/reliability.md, "Logs")."""

import uuid

import pytest

from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.render_settings import OutputFormat, Quality
from render import RenderJob, RenderPool
from render.log_budget import MAX_CLOSING_LINE_BYTES, RENDER_LOG_BUDGET_BYTES
from tests.helpers.logs import render_lines
from tests.helpers.projects import project, scene
from tests.helpers.sandbox import hostile

pytestmark = pytest.mark.render


def test_a_flooding_scene_stays_within_its_log_budget(worker: RenderPool, listener, tmp_path):
    target = f"http://127.0.0.1:{listener.port}"
    source = hostile("flood.tsx", target=target, requests=1000, spam=3000, repeats=500)
    plan = plan_export(
        project(scene(source, id="s0", name="Flood", duration=3)), OutputFormat.MP4, Quality.LOW, Limits()
    )
    job = RenderJob(plan.props.to_json_dict(), plan.output, tmp_path / "out.mp4", id=f"flood-{uuid.uuid4().hex[:8]}")

    result = worker.render(job)

    assert result.size_bytes > 0
    assert listener.connections == []
    lines = render_lines(worker.log_path, job.id)
    written = sum(len(line.encode()) + 1 for line in lines)
    assert written <= RENDER_LOG_BUDGET_BYTES + MAX_CLOSING_LINE_BYTES
    # The flood was real: the render met its budget and said how much it dropped.
    assert written > RENDER_LOG_BUDGET_BYTES // 2
    assert any("past this render's log budget" in line for line in lines), lines[-5:]
    violations = [line for line in lines if "Content-Security-Policy" in line or "Content Security Policy" in line]
    assert any(f"'{target}/" in line and "(connect-src)" in line for line in violations), violations[:3]
    assert all("https://*." not in line and ".woff2" not in line for line in lines)
    assert max(len(line) for line in lines) < 2200
    # Five hundred calls alike but in their digits: one written, the rest counted.
    assert sum("the same line, call" in line for line in lines) <= 4  # a tab's first and its count
    assert any("more times" in line for line in lines)
