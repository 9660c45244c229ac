"""`make openapi`: the OpenAPI document, generated from the API's pydantic models."""

import json

from functions.handlers.api import app


def document() -> dict:
    schema = json.loads(
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


if __name__ == "__main__":
    print(json.dumps(document(), indent=2))
