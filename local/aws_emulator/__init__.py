"""An AWS emulator for rehearsing `cdk deploy` on one machine (`make deploy-local`): MiniStack, pinned,
in a virtual environment of its own (it pins botocore exactly), started in a private mount namespace
with the resource types it lacks shimmed at start-up (shims.py, the only place they live).

Runs in MiniStack's environment, not the project's: shims.py imports only MiniStack and the standard
library. environment.py (project side) makes that environment and starts and stops the server.
"""
