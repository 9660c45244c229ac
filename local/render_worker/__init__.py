from local.render_worker.jobs import RenderFailed, RenderJob, RenderResult, StillJob
from local.render_worker.pool import RenderPool

# The name the CLI and the backend have always used: the pool is the local renderer now.
LocalRenderWorker = RenderPool

__all__ = ["LocalRenderWorker", "RenderFailed", "RenderJob", "RenderPool", "RenderResult", "StillJob"]
