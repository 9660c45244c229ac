"""The composition's zod schema and the pydantic model Python sends describe the same props."""

import json
import subprocess

import pytest

from functions import REPO_ROOT
from functions.models.composition import CompositionProps
from tests.helpers.node import bundle_for_node


def _shape(schema: dict, root: dict) -> dict:
    """Property names, which are required, and the same for nested objects; $refs resolved."""
    if "$ref" in schema:
        return _shape(root["$defs"][schema["$ref"].split("/")[-1]], root)
    if {s.get("type") for s in schema.get("anyOf", [])} == {"integer", "number"}:
        return {"type": "number"}  # pydantic's `int | float` is JSON's number
    if schema.get("type") == "array":
        return {"items": _shape(schema["items"], root)}
    if "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        return {"values": _shape(schema["additionalProperties"], root)}
    if schema.get("type") == "object" or "properties" in schema:
        return {
            "required": sorted(schema.get("required", [])),
            "properties": {name: _shape(sub, root) for name, sub in schema.get("properties", {}).items()},
        }
    return {"type": schema.get("type", "any")}


@pytest.fixture(scope="module")
def zod_schema(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("schema") / "schema.cjs"
    bundle_for_node("remotion_site/src/schema.ts", out)
    script = (
        f"const {{z}} = require('zod'); const s = require({json.dumps(str(out))});"
        "console.log(JSON.stringify(z.toJSONSchema(s.compositionPropsSchema, {io: 'input'})))"
    )
    printed = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    return json.loads(printed.stdout)


def test_zod_and_pydantic_agree(zod_schema):
    pydantic_schema = CompositionProps.model_json_schema(by_alias=True)
    assert _shape(zod_schema, zod_schema) == _shape(pydantic_schema, pydantic_schema)


def test_shape_reaches_the_icons(zod_schema):
    scenes = _shape(zod_schema, zod_schema)["properties"]["scenes"]["items"]
    assert scenes["required"] == ["durationInFrames", "id", "jsCode", "name"]
    assert scenes["properties"]["icons"]["values"]["required"] == ["body", "height", "width"]
