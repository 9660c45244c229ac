from local.render_worker.client import LocalRenderWorker, RenderFailed, RenderJob, RenderResult

__all__ = ["LocalRenderWorker", "RenderFailed", "RenderJob", "RenderResult"]
