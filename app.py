#!/usr/bin/env python3
"""The CDK app: `make synth` (no AWS credentials, no Docker), `npx cdk deploy` (docs/deploy.md).

Account and region come from the CDK environment (CDK_DEFAULT_ACCOUNT/REGION, set by the CLI from
your profile) or from context (-c account=... -c region=...). Nothing here calls an AWS API.
"""

import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Validations
from cdk_nag import AwsSolutionsChecks

from stacks.config import config_from_context
from stacks.framecast_stack import FramecastStack
from stacks.keys import public_key_pem
from stacks.packaging import build as build_layer
from stacks.site_bundle import bundle_dir

REPO_ROOT = Path(__file__).resolve().parent

app = cdk.App()
context = app.node.try_get_context
region = context("region") or os.environ.get("CDK_DEFAULT_REGION") or "us-east-1"
account = context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT")
config = config_from_context(
    context, region=region, bundle_dir=bundle_dir(), layer_dir=build_layer(), web_dist_dir=REPO_ROOT / "web/dist",
    public_key_pem=public_key_pem(context("downloadPublicKeyFile"), allow_dev_key=bool(context("devDownloadKey"))),
)
FramecastStack(app, context("stackName") or "Framecast", config=config,
               env=cdk.Environment(account=account, region=region),
               description="Framecast: export Remotion scene projects to video")
Validations.of(app).add_plugins(AwsSolutionsChecks(app))
app.synth()

if __name__ == "__main__" and os.environ.get("FRAMECAST_SYNTH_QUIET") is None:
    print(f"synthesized to {Path(app.outdir).resolve()} for {account or 'any account'} in {region}")
