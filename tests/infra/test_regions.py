"""`make synth` for us-east-1, eu-central-1 (the session's synth) and ap-southeast-2, each with cdk-nag
on and cfn-lint clean, and with the context values a deploy can set."""

import json
import subprocess

import pytest

from functions import REPO_ROOT
from tests.helpers.synth import synth, template_resources
from tests.infra.test_stack import of_type, service_function

SENTRY = "framecast/sentry-dsn"
IMPORTED = "remotion-render-4-0-527-mem3008mb-disk4096mb-600sec"


@pytest.fixture(scope="module")
def us_east_1(tmp_path_factory):
    return synth(
        tmp_path_factory.mktemp("us-east-1"),
        "us-east-1",
        renderRetentionDays=14,
        webOrigins=["https://app.example"],
        apiProvisionedConcurrency=2,
        renderMemoryMb=10240,
        renderDiskMb=10240,
        sentryDsnSecretName=SENTRY,
        renderConcurrencyCap=800,
    )


@pytest.fixture(scope="module")
def ap_southeast_2(tmp_path_factory):
    return synth(tmp_path_factory.mktemp("ap-southeast-2"), "ap-southeast-2", renderFunctionImport=IMPORTED)


def cfn_lint_errors(outdir) -> list:
    result = subprocess.run(
        [str(REPO_ROOT / ".venv/bin/cfn-lint"), "--format", "json", str(outdir / "Framecast.template.json")],
        capture_output=True,
        text=True,
    )
    return [f for f in json.loads(result.stdout or "[]") if f["Level"] == "Error"]


def test_us_east_1_with_a_10_gb_render_function_sentry_and_provisioned_api(us_east_1):
    resources = template_resources(us_east_1[2])
    assert cfn_lint_errors(us_east_1[2]) == []
    [render] = [p for p in of_type(resources, "AWS::Lambda::Function").values() if p.get("Runtime") == "nodejs24.x"]
    # Remotion's speculateFunctionName() for these values.
    assert render["FunctionName"] == "remotion-render-4-0-527-mem10240mb-disk10240mb-900sec"
    assert (render["MemorySize"], render["EphemeralStorage"], render["ReservedConcurrentExecutions"]) == (
        10240,
        {"Size": 10240},
        800,
    )
    assert all(":us-east-1:" in arn for arn in render["Layers"][:-1])  # the last is Framecast's guard
    # Retention from context, for the bucket rule and the functions.
    [bucket] = [p for p in of_type(resources, "AWS::S3::Bucket").values() if "BucketName" in p]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-renders"]["ExpirationInDays"] == 14
    api = service_function(resources, "functions.handlers.api.lambda_handler")
    env = api["Environment"]["Variables"]
    assert env["RENDER_RETENTION_DAYS"] == "14" and env["SENTRY_DSN_SECRET_NAME"] == SENTRY
    assert env["SENTRY_ENVIRONMENT"] == "Framecast"
    assert SENTRY in json.dumps(of_type(resources, "AWS::IAM::Policy"))  # may read the DSN
    # Provisioned concurrency on an alias, and API Gateway invokes that alias.
    [alias] = of_type(resources, "AWS::Lambda::Alias").values()
    assert alias["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}
    [alias_id] = [k for k, v in resources.items() if v["Type"] == "AWS::Lambda::Alias"]
    integrations = of_type(resources, "AWS::ApiGatewayV2::Integration").values()
    assert any(alias_id in json.dumps(i["IntegrationUri"]) for i in integrations)
    # A page served elsewhere: CORS and Cognito's callbacks both know its origin.
    [cors_api] = of_type(resources, "AWS::ApiGatewayV2::Api").values()
    assert cors_api["CorsConfiguration"]["AllowOrigins"] == ["https://app.example"]
    [client] = [c for c in of_type(resources, "AWS::Cognito::UserPoolClient").values() if c.get("AllowedOAuthFlows")]
    callbacks = {url for url in client["CallbackURLs"] if isinstance(url, str)}
    assert callbacks == {"https://app.example/", "https://app.example/index.html"}
    assert len(client["CallbackURLs"]) == 3  # and the page's own URL on the distribution


def test_ap_southeast_2_with_an_imported_render_function(ap_southeast_2):
    resources = template_resources(ap_southeast_2[2])
    assert cfn_lint_errors(ap_southeast_2[2]) == []
    assert not [p for p in of_type(resources, "AWS::Lambda::Function").values() if p.get("Runtime") == "nodejs24.x"]
    env = service_function(resources, "functions.handlers.api.lambda_handler")["Environment"]["Variables"]
    assert env["REMOTION_FUNCTION_NAME"] == IMPORTED
    invoke = [
        s
        for p in of_type(resources, "AWS::IAM::Policy").values()
        for s in p["PolicyDocument"]["Statement"]
        if s["Action"] == "lambda:InvokeFunction"
    ]
    assert invoke and all(f"function:{IMPORTED}" in json.dumps(s["Resource"]) for s in invoke)


def test_an_import_of_another_version_is_refused(tmp_path):
    with pytest.raises(Exception, match="not a Remotion 4.0.527 render function"):
        synth(tmp_path, "eu-central-1", renderFunctionImport="remotion-render-4-0-400-mem2048mb-disk2048mb-900sec")
