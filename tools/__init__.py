"""Tools around the core, never shipped: the smoke test of a deployed stack, the bench, the
first-run timer, the reference (naive) renderer and the OpenAPI writer. May import `functions/`
and `render/`."""
