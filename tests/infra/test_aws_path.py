"""Issue 8's defects, each asserted against Remotion's own code or AWS's documented rules."""

import json
import re
import zipfile

import pytest

from stacks import function_preload
from stacks.prefixes import PAGE_PREFIX
from stacks.remotion_facts import (
    LAMBDA_UNZIPPED_LIMIT_BYTES,
    RenderSize,
    layer_kind,
    remotion_facts,
    unzipped_total_bytes,
)
from tests.helpers.synth import REGION
from tests.infra.test_stack import of_type, render_function, service_function

API, WEBHOOK, SWEEPER, THUMBNAILER = (
    f"functions.handlers.{name}.lambda_handler" for name in ("api", "webhook", "sweeper", "thumbnailer")
)


def role_statements(resources: dict, function: dict) -> list[dict]:
    role = function["Role"]["Fn::GetAtt"][0]
    return [
        s
        for policy in of_type(resources, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Roles"]
        for s in policy["PolicyDocument"]["Statement"]
    ]


def actions(statement: dict) -> list[str]:
    return [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]


def resources_of(statement: dict) -> list:
    return statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]


def object_suffixes(statements: list[dict], action: str) -> set[str]:
    """The key patterns under the bucket an action is allowed on (`renders/*/cancel.json`, ...)."""
    found = set()
    for statement in statements:
        if action not in actions(statement):
            continue
        for resource in resources_of(statement):
            text = json.dumps(resource)
            if "StorageBucket" in text and "Fn::Join" in text:
                found.add(resource["Fn::Join"][1][-1].lstrip("/"))
    return found


# 1. Layers: Remotion's getLayers(), within Lambda's 250 MB --------------------------------------


def test_render_function_gets_remotions_default_layers_not_all_five(resources):
    *layers, _preload = render_function(resources)["Layers"]  # Framecast's preload, last (below)
    assert sorted(layer_kind(a) for a in layers) == ["chromium", "cjk", "emoji-google", "fonts"]
    facts = remotion_facts(REGION)
    assert unzipped_total_bytes(facts.zip, layers) <= LAMBDA_UNZIPPED_LIMIT_BYTES
    # What the stack used to attach: every hosted layer. By Remotion's documented sizes it cannot fit.
    assert unzipped_total_bytes(facts.zip, facts.all_hosted_layers) > LAMBDA_UNZIPPED_LIMIT_BYTES


def test_render_function_loads_framecasts_preload_from_its_own_layer(resources, synthesized):
    props = render_function(resources)
    guard_layers = {
        key: layer
        for key, layer in of_type(resources, "AWS::Lambda::LayerVersion").items()
        if layer.get("Description", "").startswith("Framecast: the network guard")
    }
    [(key, layer)] = guard_layers.items()
    assert props["Layers"][-1] == {"Ref": key}
    assert props["Environment"]["Variables"]["NODE_OPTIONS"] == function_preload.NODE_OPTIONS
    assert layer["CompatibleRuntimes"] == [props["Runtime"]]
    # The asset holds the preload's files and nothing else of the worker's folder.
    outdir = synthesized[2]
    staged = outdir / f"asset.{layer['Content']['S3Key'].removesuffix('.zip')}"
    assert sorted(p.name for p in staged.iterdir()) == sorted(function_preload.FILES)


def test_the_render_function_may_not_write_a_scenes_artifacts(resources):
    statements = role_statements(resources, render_function(resources))
    [deny] = [s for s in statements if s.get("Effect") == "Deny"]
    assert actions(deny) == ["s3:PutObject"]
    assert object_suffixes([deny], "s3:PutObject") == {"renders/*/artifacts/*"}


def test_apple_emojis_option_is_remotions_combination():
    facts = remotion_facts(REGION, RenderSize(runtime_preference="apple-emojis"))
    assert sorted(layer_kind(a) for a in facts.layers) == ["chromium", "emoji-apple", "fonts"]
    with pytest.raises(ValueError, match="runtime preference"):
        remotion_facts(REGION, RenderSize(runtime_preference="everything"))


# 2. ACLs: the bucket accepts what the pinned render function sends ------------------------------

# AWS, "Controlling ownership of objects and disabling ACLs": with BucketOwnerEnforced, a PUT that
# carries an ACL other than bucket-owner-full-control fails with AccessControlListNotSupported.
CANNED_ACLS = {
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
}
PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}


def accepts_acl(ownership: str, acl: str | None) -> bool:
    if ownership == "BucketOwnerEnforced":
        return acl in (None, "bucket-owner-full-control")
    return acl is None or acl in CANNED_ACLS


def acls_sent_by_render_function() -> set[str]:
    """Every canned ACL literal in the `ACL:` arguments of the pinned function's S3 calls."""
    with zipfile.ZipFile(remotion_facts(REGION).zip) as archive:
        code = archive.read("index.js").decode()
    expressions = re.findall(r"\bACL:([^,}]{1,120})", code)
    assert expressions, "the pinned function sets no ACL any more: revisit the bucket's ownership"
    return {
        literal
        for expression in expressions
        for literal in re.findall(r'"([a-z-]+)"', expression)
        if literal in CANNED_ACLS
    }


def test_bucket_accepts_every_acl_the_render_function_sends_and_blocks_public_access(resources):
    sent = acls_sent_by_render_function()
    assert "private" in sent  # progress.json, chunks and private outputs
    [bucket] = [p for p in of_type(resources, "AWS::S3::Bucket").values() if "BucketName" in p]
    [rule] = bucket["OwnershipControls"]["Rules"]
    assert all(accepts_acl(rule["ObjectOwnership"], acl) for acl in sent)
    # Public ACLs stay refused by the public access block, whatever the ownership setting.
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert sent & PUBLIC_ACLS == {"public-read"}  # only for privacy "public", which the backend never asks


def test_the_acl_rule_itself():
    assert not accepts_acl("BucketOwnerEnforced", "private")
    assert accepts_acl("BucketOwnerEnforced", "bucket-owner-full-control")
    assert accepts_acl("BucketOwnerPreferred", "private")


# 4. Large props: GetBucketLocation on every remotionlambda-* bucket -----------------------------


def test_api_may_locate_every_remotion_bucket(resources):
    statements = role_statements(resources, service_function(resources, API))
    located = [r for s in statements if "s3:GetBucketLocation" in actions(s) for r in resources_of(s)]
    assert {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::remotionlambda-*"]]} in located
    assert any(s["Resource"] == "*" and "s3:ListAllMyBuckets" in actions(s) for s in statements)


# 5. Render logs: PutLogEvents on the log group's streams ----------------------------------------


def test_render_role_may_put_log_events_in_its_streams(resources):
    statements = role_statements(resources, render_function(resources))
    [logs] = [s for s in statements if "logs:PutLogEvents" in actions(s)]
    name = render_function(resources)["FunctionName"]
    arns = [json.dumps(r) for r in resources_of(logs)]
    assert any(f"log-group:/aws/lambda/{name}:*" in arn for arn in arns)


# 6. Site under a content hash; its serve URL to the API; the page invalidated -------------------


def test_site_is_deployed_under_a_content_hash_and_that_url_given_to_the_api(resources):
    deployments = of_type(resources, "Custom::CDKBucketDeployment").values()
    [site] = [d for d in deployments if d["DestinationBucketKeyPrefix"].startswith("sites/")]
    assert re.fullmatch(r"sites/framecast-[0-9a-f]{16}", site["DestinationBucketKeyPrefix"])
    assert site["Prune"] is False  # renders in flight keep reading the folder they started with
    serve_url = json.dumps(service_function(resources, API)["Environment"]["Variables"]["REMOTION_SERVE_URL"])
    assert f"/{site['DestinationBucketKeyPrefix']}/index.html" in serve_url
    [page] = [d for d in deployments if d["DestinationBucketKeyPrefix"] == PAGE_PREFIX]
    assert sorted(page["DistributionPaths"]) == ["/app/config.json", "/app/index.html"]


def test_content_hash_follows_the_files(tmp_path):
    from stacks.site import content_hash, site_key

    (tmp_path / "index.html").write_text("<html>1</html>")
    first = site_key("sites", tmp_path)
    assert first == f"sites/framecast-{content_hash(tmp_path)}" and site_key("sites", tmp_path) == first
    (tmp_path / "index.html").write_text("<html>2</html>")
    assert site_key("sites", tmp_path) != first


# 7. Writes scoped to the prefixes each function needs -------------------------------------------


def test_service_functions_write_only_where_they_need(resources):
    api = role_statements(resources, service_function(resources, API))
    assert object_suffixes(api, "s3:PutObject") == {"projects/*", "input-props/*", "renders/*/cancel.json", "queued/*"}
    assert object_suffixes(api, "s3:DeleteObject") == {"projects/*"}
    for handler in (WEBHOOK, SWEEPER):
        # They end exports and start queued ones: they read what one will render, never the scenes.
        statements = role_statements(resources, service_function(resources, handler))
        assert object_suffixes(statements, "s3:PutObject") == {"input-props/*", "renders/*/cancel.json"}
        assert object_suffixes(statements, "s3:DeleteObject") == set()
        assert object_suffixes(statements, "s3:GetObject") == {"renders/*/progress.json", "queued/*"}
    # The thumbnailer re-plans an export from its scenes and hands a still's props to the function.
    thumbnailer = role_statements(resources, service_function(resources, THUMBNAILER))
    assert object_suffixes(thumbnailer, "s3:PutObject") == {"input-props/*"}
    assert object_suffixes(thumbnailer, "s3:GetObject") == {"projects/*"}
    assert object_suffixes(thumbnailer, "s3:DeleteObject") == set()
    assert not [s for s in thumbnailer if "secretsmanager:GetSecretValue" in actions(s)]


def _logical_id(resources: dict, handler: str) -> str:
    [logical] = [k for k, v in of_type(resources, "AWS::Lambda::Function").items() if v.get("Handler") == handler]
    return logical


def test_whoever_ends_an_export_asks_the_thumbnailer_asynchronously(resources):
    thumbnailer = _logical_id(resources, THUMBNAILER)
    # The API ends an identical export at once, with the earlier file (and asks for a still when
    # the earlier one has none yet).
    for handler in (API, WEBHOOK, SWEEPER):
        function = service_function(resources, handler)
        assert function["Environment"]["Variables"]["THUMBNAILER_FUNCTION_NAME"] == {"Ref": thumbnailer}
        invokes = [s for s in role_statements(resources, function) if "lambda:InvokeFunction" in actions(s)]
        assert thumbnailer in json.dumps(invokes)
    assert "THUMBNAILER_FUNCTION_NAME" not in service_function(resources, THUMBNAILER)["Environment"]["Variables"]
    # Its reservation bounds the stills holding a render function at once; Lambda queues the rest.
    assert service_function(resources, THUMBNAILER)["ReservedConcurrentExecutions"] == 5
    [config] = [
        c
        for c in of_type(resources, "AWS::Lambda::EventInvokeConfig").values()
        if c["FunctionName"] == {"Ref": thumbnailer}
    ]
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (2, 3600)


# 9. Capacity: reserved concurrency for API and webhook, a cap on renders -----------------------


def test_api_and_webhook_have_reserved_concurrency(resources):
    assert service_function(resources, API)["ReservedConcurrentExecutions"] == 50
    assert service_function(resources, WEBHOOK)["ReservedConcurrentExecutions"] == 10
    assert render_function(resources)["ReservedConcurrentExecutions"] == 600


# 10. Data hygiene ------------------------------------------------------------------------------


def test_input_props_expire_tables_are_protected_and_the_bucket_is_versioned(resources):
    [bucket] = [p for p in of_type(resources, "AWS::S3::Bucket").values() if "BucketName" in p]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-input-props"]["Prefix"] == "input-props/"
    assert rules["expire-input-props"]["ExpirationInDays"] == 1
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert rules["expire-noncurrent-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    for table in of_type(resources, "AWS::DynamoDB::Table").values():
        assert table["DeletionProtectionEnabled"] is True
    env = service_function(resources, API)["Environment"]["Variables"]
    assert env["RENDER_RETENTION_DAYS"] == "30" and env["RENDER_TIMEOUT_SECONDS"] == "900"


# 11. CloudFront and login config ----------------------------------------------------------------


def test_no_local_origin_reaches_production(resources):
    text = json.dumps(resources)
    assert "127.0.0.1" not in text and "localhost" not in text
    [api] = of_type(resources, "AWS::ApiGatewayV2::Api").values()
    assert "CorsConfiguration" not in api  # the page calls the API through its own origin


# Seed: compression and the API behind CloudFront ------------------------------------------------


def test_every_behavior_compresses_with_brotli_and_gzip(resources):
    [distribution] = of_type(resources, "AWS::CloudFront::Distribution").values()
    config = distribution["DistributionConfig"]
    policies = {
        k: v["CachePolicyConfig"]
        for k, v in resources.items()
        if v["Type"] == "AWS::CloudFront::CachePolicy"
        for v in [v["Properties"]]
    }
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["Compress"] is True
        policy = policies[behavior["CachePolicyId"]["Ref"]]["ParametersInCacheKeyAndForwardedToOrigin"]
        assert policy["EnableAcceptEncodingBrotli"] is True and policy["EnableAcceptEncodingGzip"] is True
    [api] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "api/*"]
    api_policy = policies[api["CachePolicyId"]["Ref"]]
    assert api_policy["DefaultTTL"] == 0  # nothing cached; Authorization is in the key all the same
    assert api_policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["Headers"] == ["Authorization"]
    assert api["AllowedMethods"][:3] == ["GET", "HEAD", "OPTIONS"] and "POST" in api["AllowedMethods"]


def test_the_renders_forward_only_the_download_name_the_signed_link_asks_s3_for(resources):
    """The CloudFront download link carries `response-content-disposition` (the title as RFC 6266,
    functions/wiring.py): the renders' behavior must forward it to S3, and nothing else."""
    [distribution] = of_type(resources, "AWS::CloudFront::Distribution").values()
    renders = distribution["DistributionConfig"]["DefaultCacheBehavior"]
    assert renders["TrustedKeyGroups"]  # signed links only
    policy = resources[renders["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    query = policy["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"]
    assert query == {"QueryStringBehavior": "whitelist", "QueryStrings": ["response-content-disposition"]}


def test_sign_in_is_rate_limited_per_ip_by_waf(resources):
    [acl] = of_type(resources, "AWS::WAFv2::WebACL").values()
    assert acl["Scope"] == "REGIONAL"
    [rule] = acl["Rules"]
    assert rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert "Block" in rule["Action"]
    [association] = of_type(resources, "AWS::WAFv2::WebACLAssociation").values()
    assert (
        association["ResourceArn"]["Fn::GetAtt"][1] == "Arn" and "Users" in association["ResourceArn"]["Fn::GetAtt"][0]
    )


def test_routes_that_compile_or_render_have_tighter_throttles(resources):
    from stacks.api import COSTLY_ROUTE_LIMITS

    [stage] = of_type(resources, "AWS::ApiGatewayV2::Stage").values()
    settings = stage["RouteSettings"]
    assert set(settings) == set(COSTLY_ROUTE_LIMITS)
    assert all(
        s["ThrottlingRateLimit"] < stage["DefaultRouteSettings"]["ThrottlingRateLimit"] for s in settings.values()
    )
    [stage_id] = [k for k, v in resources.items() if v["Type"] == "AWS::ApiGatewayV2::Stage"]
    routes = {v["Properties"]["RouteKey"]: k for k, v in resources.items() if v["Type"] == "AWS::ApiGatewayV2::Route"}
    assert {routes[key] for key in settings} <= set(resources[stage_id]["DependsOn"])


def test_a_layer_option_over_the_documented_budget_warns_at_synth():
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from aws_cdk.assertions import Annotations, Match

    from stacks.renderer import RenderFunction

    app = cdk.App()
    stack = cdk.Stack(app, "Budget", env=cdk.Environment(region=REGION))
    facts = remotion_facts(REGION, RenderSize(runtime_preference="apple-emojis"))
    RenderFunction(stack, "Renderer", facts=facts, bucket=s3.Bucket(stack, "Bucket"), concurrency_cap=600)
    Annotations.from_stack(stack).has_warning("*", Match.string_like_regexp("over Lambda's 250 MiB"))
    default = cdk.Stack(app, "Default", env=cdk.Environment(region=REGION))
    RenderFunction(
        default, "Renderer", facts=remotion_facts(REGION), bucket=s3.Bucket(default, "Bucket"), concurrency_cap=600
    )
    assert Annotations.from_stack(default).find_warning("*", Match.string_like_regexp("250 MiB")) == []
