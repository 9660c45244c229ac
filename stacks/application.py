"""The CDK app's contents, from its context: what `make synth` / `cdk deploy` build (app.py) and what
the tests synthesize (tests/infra/conftest.py), one code path for both."""

import os

import aws_cdk as cdk
from aws_cdk import Validations
from cdk_nag import AwsSolutionsChecks

from functions import REPO_ROOT
from render.bundle import bundle_dir
from stacks.config import config_from_context
from stacks.framecast_stack import FramecastStack
from stacks.keys import public_key_pem
from stacks.packaging import build as build_layer


def build(app: cdk.App) -> FramecastStack:
    """The Framecast stack in `app`, configured from its context, with cdk-nag's AwsSolutions checks."""
    context = app.node.try_get_context
    region = context("region") or os.environ.get("CDK_DEFAULT_REGION") or "us-east-1"
    account = context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT")
    config = config_from_context(
        context,
        region=region,
        bundle_dir=bundle_dir(),
        # hostLayer=true (make deploy-local only): the layer for this machine, for an emulator to load.
        layer_dir=build_layer(for_host=str(context("hostLayer")).lower() == "true"),
        web_dist_dir=REPO_ROOT / "web/dist",
        public_key_pem=public_key_pem(
            context("downloadPublicKeyFile"), allow_dev_key=str(context("devDownloadKey")).lower() == "true"
        ),
    )
    stack = FramecastStack(
        app,
        context("stackName") or "Framecast",
        config=config,
        env=cdk.Environment(account=account, region=region),
        description="Framecast: export Remotion scene projects to video",
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack
