"""The CDK app synthesized for the infra suites, with cdk-nag on, and its template's resources."""

import json
import os
from pathlib import Path

from functions import REPO_ROOT

REGION = "eu-central-1"


def synth(outdir: Path, region: str = REGION, **overrides):
    """(stack, assembly, outdir) for cdk.json's context plus overrides, with cdk-nag on."""
    os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(variable, None)
    import aws_cdk as cdk

    from stacks.application import build

    context = {
        **json.loads((REPO_ROOT / "cdk.json").read_text())["context"],
        "devDownloadKey": "true",
        "region": region,
        **overrides,
    }
    app = cdk.App(context=context, outdir=str(outdir))
    stack = build(app)
    assembly = app.synth()  # raises when cdk-nag reports an error that is not acknowledged
    return stack, assembly, outdir


def template_resources(outdir: Path) -> dict:
    return json.loads((outdir / "Framecast.template.json").read_text())["Resources"]
