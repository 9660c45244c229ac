"""RENDER_MODE=local: renders on the Node worker, then does what Remotion Lambda would.

When a render ends it uploads the file to the (emulated) bucket under `renders/` and posts a
webhook shaped and signed exactly as Remotion's, so the same webhook handler ends it.
"""

import json
import logging
import math
import shutil
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import Any

from functions.backends import (
    BackendProgress,
    BackendRefused,
    BackendStart,
    Failed,
    RenderRequest,
    Running,
    StillRequest,
    Succeeded,
)
from functions.models.records import RenderRecord
from functions.settings import ServiceSettings
from functions.store import Store
from functions.tables import RENDERS_PREFIX
from functions.time_budget import time_budget_seconds
from functions.webhook_signature import sign
from render import RenderFailed, RenderJob, RenderPool, StillJob

logger = logging.getLogger(__name__)
CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}


def post_webhook(url: str, secret: str, payload: dict[str, Any]) -> int:
    """POST a Remotion-shaped webhook: raw JSON body, X-Remotion-Signature over exactly those bytes."""
    body = json.dumps(payload).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Remotion-Signature": sign(secret, body),
            "X-Remotion-Status": payload["type"],
            "X-Remotion-Mode": "production",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


# Frames per second of wall time on this machine (docs/benchmarks.md), plus start-up.
_FRAMES_PER_SECOND = 14.0
_FIXED_SECONDS = 3.0


class LocalRenderBackend:
    """One per local stack (it owns the worker and its browser); `close()` when the stack stops."""

    enforces_time_budget = True  # the pool's own watchdog, naming the slowest scene

    def __init__(self, settings: ServiceSettings, store: Store, worker: RenderPool | None = None):
        self.settings = settings
        self.store = store
        # The render pool: every user's renders share its processes (and its chunk cache).
        self.worker = worker or RenderPool()
        # What each render has reached, replaced whole as it moves (read by polls on other threads).
        self.jobs: dict[str, BackendProgress] = {}
        self.output_dir = Path(tempfile.mkdtemp(prefix="framecast-renders-"))

    def start(self, request: RenderRequest) -> BackendStart:
        try:
            self.worker.start()
        except RenderFailed as error:
            raise BackendRefused(str(error)) from error
        record = request.record
        job = RenderJob(
            input_props=request.props.to_json_dict(),
            settings=request.settings,
            output_path=self.output_dir / f"{record.render_id}.{request.settings.extension}",
            id=record.render_id,
            owner=record.user_id,
            time_budget_seconds=time_budget_seconds(
                sum(scene.duration_in_frames for scene in request.props.scenes),
                request.settings.every_nth_frame,
                record.quality,
                self.settings.time_budget_scale,
            ),
        )
        self.jobs[record.render_id] = Running(progress=0.0)
        threading.Thread(target=self._run, args=(request, job), daemon=True, name=f"render-{record.render_id}").start()
        return BackendStart(backend_render_id=record.render_id, bucket_name=self.settings.bucket_name)

    def _run(self, request: RenderRequest, job: RenderJob) -> None:
        record = request.record
        static = {
            "renderId": record.render_id,
            "expectedBucketOwner": "local",
            "bucketName": self.settings.bucket_name,
            "customData": {"renderId": record.render_id, "userId": record.user_id},
        }

        def on_progress(progress: float) -> None:
            self.jobs[record.render_id] = Running(progress)

        try:
            result = self.worker.render(job, on_progress=on_progress)
        except RenderFailed as failed:
            if failed.cancelled:
                return  # the cancel route has ended the render already; Remotion sends nothing either
            # Who pays is this report's `ours` (the pool's own code paths set it), read by the webhook
            # handler through progress(); it is in place before the webhook is sent. The webhook's
            # error carries only text, as Remotion's does, and text decides nothing.
            self.jobs[record.render_id] = Failed(error=str(failed), ours=failed.ours, warnings=tuple(failed.warnings))
            post_webhook(
                request.webhook_url,
                request.webhook_secret,
                static | {"type": "error", "errors": [{"message": str(failed), "name": "Error", "stack": ""}]},
            )
            return
        key = f"{RENDERS_PREFIX}{record.render_id}/out.{request.settings.extension}"
        try:
            self.store.put_output(key, str(result.output_path), CONTENT_TYPES[request.settings.extension])
        finally:
            result.output_path.unlink(missing_ok=True)
        self.jobs[record.render_id] = Succeeded(
            output_key=key,
            size_bytes=result.size_bytes,
            render_seconds=result.render_seconds,
            warnings=tuple(result.warnings),
        )
        post_webhook(
            request.webhook_url,
            request.webhook_secret,
            static
            | {
                "type": "success",
                "lambdaErrors": [],
                "outputUrl": f"s3://{self.settings.bucket_name}/{key}",
                "outputFile": f"s3://{self.settings.bucket_name}/{key}",
                "timeToFinish": int(result.render_seconds * 1000),
                "costs": {
                    "accruedSoFar": 0,
                    "displayCost": "$0.0000",
                    "currency": "USD",
                    "disclaimer": "rendered on this machine",
                },
            },
        )

    def progress(self, record: RenderRecord) -> BackendProgress | None:
        return self.jobs.get(record.render_id)

    def cancel(self, record: RenderRecord) -> None:
        self.worker.cancel(record.render_id)

    def render_still(self, request: StillRequest) -> str:
        """renderStill() in the pool's browsers, then into the bucket beside the export (where
        Remotion Lambda's render_still_on_lambda would put it: renders/<id>/)."""
        record = request.record
        path = self.output_dir / f"{record.render_id}-still.jpg"
        try:
            self.worker.still(
                StillJob(
                    input_props=request.props.to_json_dict(),
                    frame=request.frame,
                    scale=request.scale,
                    output_path=path,
                    id=record.render_id,
                )
            )
        except RenderFailed as error:
            raise BackendRefused(f"the still could not be made: {error}") from error
        key = f"{RENDERS_PREFIX}{record.backend_render_id or record.render_id}/still.jpg"
        try:
            self.store.put_output(key, str(path), "image/jpeg")
        finally:
            path.unlink(missing_ok=True)
        return key

    def estimate_seconds(self, frames: int, every_nth_frame: int) -> float:
        return round(_FIXED_SECONDS + math.ceil(frames / every_nth_frame) / _FRAMES_PER_SECOND, 1)

    def render_budget(self) -> int:
        """The pool's processes: as many renders run at once, and the pool shares its processes
        among them fairly, so a small export is never stuck behind a long one."""
        return self.worker.size

    def budget_share(self, frames: int, every_nth_frame: int) -> int:
        return 1

    def close(self) -> None:
        self.worker.close()
        # What a render was writing when the stack stopped (finished files are uploaded, then deleted).
        shutil.rmtree(self.output_dir, ignore_errors=True)
