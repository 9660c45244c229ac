"""What the stacks must show (design section 7), asserted on the synthesized template."""

import json
import subprocess

from aws_cdk.assertions import Match

from functions import REPO_ROOT
from functions.handlers.openapi import document, webhook_document
from stacks.remotion_facts import remotion_facts
from tests.helpers.synth import REGION


def of_type(resources: dict, kind: str) -> dict:
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == kind}


def render_function(resources: dict) -> dict:
    [props] = [p for p in of_type(resources, "AWS::Lambda::Function").values() if p.get("Runtime") == "nodejs24.x"]
    return props


def test_render_function_is_remotions(resources):
    facts = remotion_facts(REGION)
    props = render_function(resources)
    assert props["FunctionName"] == "remotion-render-4-0-527-mem2048mb-disk2048mb-900sec"
    assert (props["Handler"], props["MemorySize"], props["Timeout"]) == ("index.handler", 2048, 900)
    assert props["EphemeralStorage"] == {"Size": 2048}
    assert props["Architectures"] == ["arm64"]
    assert props["Layers"][:-1] == facts.layers and all(
        f":{REGION}:678892195805:layer:remotion-binaries-" in arn for arn in facts.layers
    )
    assert props["ReservedConcurrentExecutions"] == 600  # renderConcurrencyCap in cdk.json
    assert props["RuntimeManagementConfig"] == {
        "UpdateRuntimeOn": "Manual",
        "RuntimeVersionArn": facts.runtime_version_arn,
    }
    [invoke_config] = [
        c for c in of_type(resources, "AWS::Lambda::EventInvokeConfig").values() if "Thumbnailer" not in str(c)
    ]
    assert invoke_config["MaximumRetryAttempts"] == 0


def test_render_role_has_remotions_permissions_scoped_to_this_deployment(resources):
    role = render_function(resources)["Role"]["Fn::GetAtt"][0]
    statements = [
        s
        for policy in of_type(resources, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Roles"]
        for s in policy["PolicyDocument"]["Statement"]
    ]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    documented = {a for p in remotion_facts(REGION).role_permissions for a in p["actions"]}
    assert actions == documented
    text = json.dumps(statements)
    assert "remotionlambda-*" not in text and "remotion-render-*" not in text  # no other deployment's
    star = [s for s in statements if s["Resource"] == "*"]
    assert [s["Action"] for s in star] == ["s3:ListAllMyBuckets"]


def test_bucket_is_private_ssl_only_logged_with_lifecycle_rules(resources):
    [bucket] = [p for p in of_type(resources, "AWS::S3::Bucket").values() if "BucketName" in p]
    assert bucket["BucketName"]["Fn::Join"][1][0] == "remotionlambda-" + REGION.replace("-", "") + "-"
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-renders"]["Prefix"] == "renders/" and rules["expire-renders"]["ExpirationInDays"] == 30
    for days, key in [(1, "1-day"), (3, "3-days"), (7, "7-days"), (30, "30-days")]:
        assert rules[f"delete-after-{key}"]["Prefix"] == f"renders/{key}"
        assert rules[f"delete-after-{key}"]["ExpirationInDays"] == days
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    ssl_only = [
        s
        for p in of_type(resources, "AWS::S3::BucketPolicy").values()
        for s in p["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
    ]
    assert ssl_only and all(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in ssl_only)


def test_cloudfront_uses_oac_https_only_security_headers_and_signed_downloads(resources):
    [oac] = of_type(resources, "AWS::CloudFront::OriginAccessControl").values()
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    [distribution] = of_type(resources, "AWS::CloudFront::Distribution").values()
    config = distribution["DistributionConfig"]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ViewerProtocolPolicy"] == "https-only" for b in behaviors)
    assert all("ResponseHeadersPolicyId" in b for b in behaviors)
    assert config["DefaultCacheBehavior"]["TrustedKeyGroups"]  # renders only by signed URL
    open_paths = {b["PathPattern"] for b in config["CacheBehaviors"] if "TrustedKeyGroups" not in b}
    assert open_paths == {"sites/*", "app/*", "api/*"}  # the render sites, the export page and its API
    assert all(o["OriginAccessControlId"] for o in config["Origins"] if "S3OriginConfig" in o)
    assert [o for o in config["Origins"] if "CustomOriginConfig" in o][0]["CustomOriginConfig"][
        "OriginProtocolPolicy"
    ] == "https-only"
    assert of_type(resources, "AWS::CloudFront::KeyGroup")


def test_tables_are_on_demand_with_pitr_ttl_and_the_services_index(resources):
    tables = of_type(resources, "AWS::DynamoDB::Table")
    assert len(tables) == 2
    for table in tables.values():
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert table["TimeToLiveSpecification"]["Enabled"] is True
    [service] = [t for t in tables.values() if t["KeySchema"][0]["AttributeName"] == "pk"]
    assert service["TimeToLiveSpecification"]["AttributeName"] == "expiresAt"
    assert service["GlobalSecondaryIndexes"][0]["IndexName"] == "active"
    [idempotency] = [t for t in tables.values() if t["KeySchema"][0]["AttributeName"] == "id"]
    assert idempotency["TimeToLiveSpecification"]["AttributeName"] == "expiration"


def service_function(resources: dict, handler: str) -> dict:
    [props] = [p for p in of_type(resources, "AWS::Lambda::Function").values() if p.get("Handler") == handler]
    return props


def test_service_functions_are_arm64_python_with_the_layer_and_powertools(resources):
    for handler, service in [
        ("functions.handlers.api.lambda_handler", "framecast-api"),
        ("functions.handlers.webhook.lambda_handler", "framecast-webhook"),
        ("functions.handlers.sweeper.lambda_handler", "framecast-sweeper"),
        ("functions.handlers.thumbnailer.lambda_handler", "framecast-thumbnailer"),
    ]:
        props = service_function(resources, handler)
        assert props["Runtime"] == "python3.13" and props["Architectures"] == ["arm64"]
        assert len(props["Layers"]) == 1
        env = props["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == service and env["POWERTOOLS_METRICS_NAMESPACE"] == "Framecast"
        assert (env["RENDER_MODE"], env["ESBUILD_BINARY"]) == ("lambda", "/opt/bin/esbuild")
        assert env["USER_DAILY_EXPORT_LIMIT"] == "10" and env["USER_CONCURRENT_RENDER_LIMIT"] == "1"


def test_the_layer_is_built_for_arm64(synthesized):
    from stacks.packaging import LAYER

    def machine(path) -> int:
        header = path.read_bytes()[:20]
        assert header[:4] == b"\x7fELF"
        return int.from_bytes(header[18:20], "little")

    aarch64 = 0xB7
    assert machine(LAYER / "bin/esbuild") == aarch64
    [core] = (LAYER / "python/pydantic_core").glob("_pydantic_core*.so")
    assert machine(core) == aarch64
    # Every Iconify set, from the compressed store (functions/preprocess/icon_store.py).
    manifest = json.loads((LAYER / "iconify-store/manifest.json").read_text())
    assert {"mdi", "lucide", "game-icons"} <= set(manifest["sets"])


def test_the_layer_resolves_icons_of_any_set_as_the_function_does(synthesized):
    from functions.preprocess.icons import IconLibrary
    from stacks.packaging import LAYER

    # As on AWS (stacks/service.py): ICONIFY_DATA_DIR=/opt/iconify, with no @iconify/json to build from.
    library = IconLibrary(LAYER / "iconify", api_url=None, cache_dir=None, store_dir=LAYER / "iconify-store")
    assert library.store is not None and library.store.complete and len(library.store.prefixes) > 200
    names = ["game-icons:broadsword", "fluent-emoji-flat:rocket", "noto:rocket", "mdi:home"]
    assert set(library.resolve(names)) == set(names)


def test_only_functions_go_into_the_code_asset(synthesized):
    _, _, outdir = synthesized
    api = service_function(
        json.loads((outdir / "Framecast.template.json").read_text())["Resources"],
        "functions.handlers.api.lambda_handler",
    )
    asset = outdir / f"asset.{api['Code']['S3Key'].removesuffix('.zip')}"
    assert sorted(p.name for p in asset.iterdir()) == ["functions"]


def documented_routes() -> dict[str, tuple[str, str]]:
    """RouteKey -> (AuthorizationType, handler), read here from the functions' OpenAPI documents
    themselves rather than through the routes() the stack is built from, so that neither the stack
    nor that reading can drop or open a route unnoticed."""
    expected = {}
    for schema, handler in [
        (document(), "functions.handlers.api.lambda_handler"),
        (webhook_document(), "functions.handlers.webhook.lambda_handler"),
    ]:
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                needs_token = operation.get("security", schema.get("security")) == [{"bearer": []}]
                expected[f"{method.upper()} {path}"] = ("JWT" if needs_token else "NONE", handler)
    return expected


def test_the_deployed_routes_are_the_documented_ones_with_the_jwt_authorizer_where_asked(resources):
    functions = {k: p["Handler"] for k, p in of_type(resources, "AWS::Lambda::Function").items() if "Handler" in p}
    integrations = {
        k: functions[p["IntegrationUri"]["Fn::GetAtt"][0]]
        for k, p in of_type(resources, "AWS::ApiGatewayV2::Integration").items()
    }
    deployed = {
        route["RouteKey"]: (
            route.get("AuthorizationType", "NONE"),
            integrations[route["Target"]["Fn::Join"][1][1]["Ref"]],
        )
        for route in of_type(resources, "AWS::ApiGatewayV2::Route").values()
    }
    assert deployed == documented_routes()
    # The design's rule (section 5): every route but the webhook and health needs the token.
    assert {key for key, (auth, _) in deployed.items() if auth == "NONE"} == {"GET /health", "POST /webhooks/remotion"}
    [authorizer] = of_type(resources, "AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["AuthorizerType"] == "JWT"
    jwt_routes = [r for r in of_type(resources, "AWS::ApiGatewayV2::Route").values() if "AuthorizerId" in r]
    assert len(jwt_routes) == len(deployed) - 2


def test_api_stage_has_access_logs_and_throttling(resources):
    [stage] = of_type(resources, "AWS::ApiGatewayV2::Stage").values()
    assert "DestinationArn" in stage["AccessLogSettings"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 50


def test_sweeper_runs_on_a_schedule(template):
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 minute)",
            "Targets": Match.array_with(
                [Match.object_like({"Arn": {"Fn::GetAtt": [Match.string_like_regexp("Sweeper"), "Arn"]}})]
            ),
        },
    )


def test_alarms_cover_render_failures_errors_throttles_and_5xx(resources):
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    metrics = {(a.get("Namespace"), a.get("MetricName")) for a in alarms.values()}
    assert ("Framecast", "ExportFailed") in metrics
    assert ("AWS/ApiGateway", "5xx") in metrics
    assert sum(1 for a in alarms.values() if a.get("MetricName") == "Errors") == 5
    assert sum(1 for a in alarms.values() if a.get("MetricName") == "Throttles") == 4
    # The thumbnailer's reservation is its queue: an event given up on is worth an alarm, a throttle not.
    [dropped] = [a for a in alarms.values() if a.get("MetricName") == "AsyncEventsDropped"]
    assert dropped["Namespace"] == "AWS/Lambda" and "Thumbnailer" in json.dumps(dropped["Dimensions"])
    [topic] = of_type(resources, "AWS::SNS::Topic")
    assert all(a["AlarmActions"] == [{"Ref": topic}] for a in alarms.values())


def test_webhook_secret_is_in_secrets_manager(resources):
    secrets = of_type(resources, "AWS::SecretsManager::Secret")
    assert any("GenerateSecretString" in s for s in secrets.values())
    webhook = service_function(resources, "functions.handlers.webhook.lambda_handler")
    assert "WEBHOOK_SECRET_NAME" in webhook["Environment"]["Variables"]
    assert "WEBHOOK_SECRET" not in webhook["Environment"]["Variables"]  # never the secret itself


def test_cfn_lint_reports_no_error(synthesized):
    _, _, outdir = synthesized
    templates = [str(p) for p in outdir.glob("*.template.json")]
    result = subprocess.run(
        [str(REPO_ROOT / ".venv/bin/cfn-lint"), "--format", "json", *templates], capture_output=True, text=True
    )
    findings = json.loads(result.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert templates and errors == []


def test_the_page_is_hosted_under_app_with_its_config_and_cognito_sign_in(resources):
    deployments = of_type(resources, "Custom::CDKBucketDeployment")
    [page] = [d for d in deployments.values() if d["DestinationBucketKeyPrefix"] == "app"]
    assert page["Prune"] is False  # the previous page's hashed assets stay for browsers that have it
    assert len(page["SourceObjectKeys"]) == 2  # web/dist and config.json
    # config.json's values that are only known at deploy: the API, the user pool and client, the page.
    markers = json.dumps(page["SourceMarkers"])
    for known_at_deploy in ("CdnDistribution", "/api", "ApiUsers", "ApiUsersWebClient", "/app/index.html"):
        assert known_at_deploy in markers
    [client] = [c for c in of_type(resources, "AWS::Cognito::UserPoolClient").values() if c.get("AllowedOAuthFlows")]
    assert client["AllowedOAuthFlows"] == ["code"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert "/app/index.html" in json.dumps(client["CallbackURLs"])
    assert of_type(resources, "AWS::Cognito::UserPoolDomain")
