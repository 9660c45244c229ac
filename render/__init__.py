"""The render engine: the renderer of the `framecast` CLI and of the local render backend.

A pool of `node render/worker/worker.mjs` processes (each a warm Chromium), fed scene-aligned
chunks by a scheduler, checked by watchdogs, their outputs joined; chunks kept in a
content-addressed cache. May import `functions/` (settings, models); never `local/`, `cli/`,
`tools/` or `stacks/`.
"""

from render.jobs import RenderFailed, RenderJob, RenderResult, StillJob
from render.pool import RenderPool

__all__ = ["RenderFailed", "RenderJob", "RenderPool", "RenderResult", "StillJob"]
