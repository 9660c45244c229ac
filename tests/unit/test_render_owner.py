"""The local backend renders each export as its user's, so the pool shares its processes fairly
between users (render/scheduler.py); the CLI's renders are all one owner's."""

import threading
from pathlib import Path

from cli.main import render_job
from functions.backends import RenderRequest
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.models.records import RenderRecord
from functions.render_settings import OutputFormat, Quality
from functions.settings import RenderMode, ServiceSettings
from local.render_backend import LocalRenderBackend
from render import RenderFailed, RenderJob
from tests.helpers.projects import project, scene


class RecordingPool:
    """Takes the job and ends it as a cancelled render would: no webhook, nothing uploaded."""

    def __init__(self) -> None:
        self.jobs: list[RenderJob] = []
        self.taken = threading.Event()

    def start(self) -> None:
        pass

    def render(self, job: RenderJob, on_progress: object = None) -> None:
        self.jobs.append(job)
        self.taken.set()
        raise RenderFailed("cancelled", cancelled=True)


def test_the_local_backend_renders_as_the_records_user():
    plan = plan_export(
        project(scene("export default () => null;", duration=30)), OutputFormat.MP4, Quality.LOW, Limits()
    )
    record = RenderRecord(
        render_id="rnd_1",
        user_id="alice",
        project_id="p",
        title="T",
        format="mp4",
        quality="low",
        width=plan.output.width,
        height=plan.output.height,
        video_seconds=1,
        estimated_render_seconds=3,
        created_at="2026-12-07T00:00:00.000Z",
        last_news_at=0,
        lock_slot=0,
        quota_day="2026-12-07",
    )
    pool = RecordingPool()
    settings = ServiceSettings(TABLE_NAME="t", BUCKET_NAME="b", RENDER_MODE=RenderMode.LOCAL)
    backend = LocalRenderBackend(settings, store=None, worker=pool)  # type: ignore[arg-type]
    backend.start(RenderRequest(record, plan.props, plan.output, "T.mp4", "http://127.0.0.1:1/hook", "s"))
    assert pool.taken.wait(10)
    assert [(job.id, job.owner) for job in pool.jobs] == [("rnd_1", "alice")]


def test_the_cli_renders_as_one_owner():
    plan = plan_export(
        project(scene("export default () => null;", duration=30)), OutputFormat.MP4, Quality.LOW, Limits()
    )
    assert render_job(plan, Path("a.mp4")).owner == render_job(plan, Path("b.mp4")).owner
