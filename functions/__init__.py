"""Framecast's Lambda code: API, webhook and sweeper handlers over the domain logic.

The only room shipped to Lambda (as the functions' code and layer): it imports no other room.
Inside, handlers → domain → store | backends."""

from pathlib import Path

# The checkout Framecast runs from: what local tools, the stacks and the tests resolve paths against
# (node_modules, .cache, examples). The Lambda functions themselves never need it.
REPO_ROOT = Path(__file__).resolve().parents[1]
