"""The stack synthesized twice, as an engineer's `cdk deploy` would and as `make deploy-local` does
(context `hostLayer=true`), in this process, with no AWS credentials; `make deploy-local`'s rehearsal
then runs on the second (cli/deploy_local.py)."""

import shutil

import pytest

from cli.deploy_local import OUT, REGION

# What the CDK CLI adds to every synth: the assets' paths in the template's metadata, by which the
# rehearsal finds the layer's directory.
CLI_CONTEXT = {"aws:cdk:enable-asset-metadata": True}


def _needs_namespaces() -> None:
    if not shutil.which("unshare"):
        pytest.skip("`unshare` (util-linux) is needed to give the emulator a private /opt")


@pytest.fixture(scope="session")
def engineer_assembly(tmp_path_factory):
    from tests.helpers.synth import synth

    return synth(tmp_path_factory.mktemp("engineer.cdk.out"), region=REGION, **CLI_CONTEXT)[2]


@pytest.fixture(scope="session")
def host_assembly():
    from tests.helpers.synth import synth

    _needs_namespaces()
    out = OUT / "test.cdk.out"
    shutil.rmtree(out, ignore_errors=True)
    return synth(out, region=REGION, hostLayer="true", **CLI_CONTEXT)[2]
