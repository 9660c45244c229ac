"""The render engine: the renderer of the `framecast` CLI and of the local render backend.

A pool of `node render/worker/worker.mjs` processes (each a warm Chromium), fed scene-aligned
chunks by a scheduler, checked by watchdogs, their outputs joined; chunks kept in a
content-addressed cache. May import `functions/` (settings, models); never `local/`, `cli/`,
`tools/` or `stacks/`.

    pool.py         RenderPool: renders, stills, cancels; wires the parts below
    scheduler.py    which queued chunk a free process takes (pure; fair across owners)
    supervision.py  a chunk followed under the stall watchdog, the memory watchdog, replacements
    process.py      one worker process and its process tree (/proc)
    protocol.py     the typed pool⇄worker messages (worker/protocol.mjs: the same in JS)
    commands.py     those commands built from jobs and chunks
    join.py         the chunks joined into the output, silent audio filled in
    chunks.py       chunk plans and keys      chunk_cache.py  rendered chunks kept by key
    jobs.py         what callers hand in and get back      bundle.py  the Remotion bundle
    worker/         worker.mjs (one handler per command), browser.mjs, bundle.mjs, bundle_server.mjs
"""

from render.jobs import RenderFailed, RenderJob, RenderResult, StillJob
from render.pool import RenderPool

__all__ = ["RenderFailed", "RenderJob", "RenderPool", "RenderResult", "StillJob"]
