"""The stack synthesized as `make synth` does, with no AWS credentials: once per session for the main
region, and on demand (`synth(...)`) for other regions and context values."""

import pytest

from tests.helpers.synth import synth, template_resources


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory):
    return synth(tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def template(synthesized):
    from aws_cdk.assertions import Template

    return Template.from_stack(synthesized[0])


@pytest.fixture(scope="session")
def resources(synthesized) -> dict:
    return template_resources(synthesized[2])
