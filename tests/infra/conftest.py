"""The stack synthesized once per session, as `make synth` does, with no AWS credentials."""

import json
import os

import pytest

from tests.conftest import REPO_ROOT

REGION = "eu-central-1"


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory):
    os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(variable, None)
    import aws_cdk as cdk
    from aws_cdk import Validations
    from cdk_nag import AwsSolutionsChecks

    from stacks.framecast_stack import FramecastStack, StackConfig
    from stacks.keys import public_key_pem
    from stacks.packaging import build
    from stacks.site_bundle import bundle_dir

    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(context=context, outdir=str(outdir))
    stack = FramecastStack(app, "Framecast", env=cdk.Environment(region=REGION), config=StackConfig(
        bundle_dir=bundle_dir(), layer_dir=build(), web_dist_dir=REPO_ROOT / "web/dist",
        public_key_pem=public_key_pem(None)))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()  # raises when cdk-nag reports an error that is not acknowledged
    return stack, assembly, outdir


@pytest.fixture(scope="session")
def template(synthesized):
    from aws_cdk.assertions import Template

    return Template.from_stack(synthesized[0])


@pytest.fixture(scope="session")
def resources(synthesized) -> dict:
    _, _, outdir = synthesized
    return json.loads((outdir / "Framecast.template.json").read_text())["Resources"]
