"""Tools around the core, never shipped: the smoke test of a deployed stack, the bench, the load
test, the first-run timer, the deploy verifier, the reference (naive) renderer, the OpenAPI writer
and the API client the demos share. May import `functions/`, `render/` and `local/` (the stacks the
load test starts)."""
