#!/usr/bin/env python3
"""The CDK app: `make synth` (no AWS credentials, no Docker), `npx cdk deploy` (docs/deploy.md).

Account and region come from the CDK environment (CDK_DEFAULT_ACCOUNT/REGION, set by the CLI from
your profile) or from context (-c account=... -c region=...); every setting is a context value
(stacks/config.py, cdk.json). Nothing here calls an AWS API.
"""

import os
from pathlib import Path

import aws_cdk as cdk

from stacks.application import build

app = cdk.App()
stack = build(app)
app.synth()

if __name__ == "__main__" and os.environ.get("FRAMECAST_SYNTH_QUIET") is None:
    account = "any account" if cdk.Token.is_unresolved(stack.account) else stack.account
    print(f"synthesized to {Path(app.outdir).resolve()} for {account} in {stack.region}")
