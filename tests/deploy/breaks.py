"""Ways to break the synthesized stack that no template check catches (issue 24, "Done when"), each
applied to a copy of a synthesized assembly (its assets linked, not copied): the rehearsal must fail
on each and name the resource."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

STACK = "Framecast"
Template = dict[str, Any]


def _one(template: Template, kind: str, match: Callable[[str, dict[str, Any]], bool]) -> str:
    [logical] = [k for k, r in template["Resources"].items() if r["Type"] == kind and match(k, r.get("Properties", {}))]
    return logical


def _api_function(template: Template) -> str:
    return _one(
        template, "AWS::Lambda::Function", lambda _, p: p.get("Handler") == "functions.handlers.api.lambda_handler"
    )


def route_without_integration(template: Template) -> str:
    route = _one(template, "AWS::ApiGatewayV2::Route", lambda _, p: p["RouteKey"] == "GET /exports/stats")
    del template["Resources"][route]["Properties"]["Target"]
    return route


def missing_environment_variable(template: Template) -> str:
    function = _api_function(template)
    del template["Resources"][function]["Properties"]["Environment"]["Variables"]["TABLE_NAME"]
    return function


def wrong_handler_path(template: Template) -> str:
    function = _api_function(template)
    template["Resources"][function]["Properties"]["Handler"] = "functions.handlers.apis.lambda_handler"
    return function


def failing_custom_resource(template: Template) -> str:
    deployment = _one(template, "Custom::CDKBucketDeployment", lambda k, _: k.startswith("PageDeployment"))
    template["Resources"][deployment]["Properties"]["SourceObjectKeys"] = ["no-such-asset.zip"]
    return deployment


BREAKS: dict[str, Callable[[Template], str]] = {
    "a route with no integration": route_without_integration,
    "a missing environment variable": missing_environment_variable,
    "a wrong handler path": wrong_handler_path,
    "a custom resource that fails": failing_custom_resource,
}


def broken_assembly(assembly: Path, out: Path, breaking: Callable[[Template], str]) -> str:
    """`assembly` copied to `out` with its template broken by `breaking`; the broken resource's id."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for entry in assembly.iterdir():
        if entry.name.startswith("asset."):
            (out / entry.name).symlink_to(entry.resolve())
        elif entry.is_file():
            shutil.copyfile(entry, out / entry.name)
    path = out / f"{STACK}.template.json"
    template = json.loads(path.read_text())
    logical = breaking(template)
    path.write_text(json.dumps(template, indent=1))
    return logical
