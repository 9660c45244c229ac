"""Framecast's Lambda code: API, webhook and sweeper handlers over the domain logic."""

from pathlib import Path

# The checkout Framecast runs from: what local tools, the stacks and the tests resolve paths against
# (node_modules, .cache, examples). The Lambda functions themselves never need it.
REPO_ROOT = Path(__file__).resolve().parents[1]
