"""The API's OpenAPI document, generated from the resolver's routes and pydantic models: the one
source of the routes that the CDK, the local adapter and the tests derive theirs from."""

import json
from typing import Any

from functions.handlers.api import app


def document() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title="Framecast API", version="1.0.0", description="Export code-written video scenes to files."
        )
    )
    schema["components"].setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    return schema
