"""The API's OpenAPI document, generated from the resolver's routes and pydantic models, and the
HTTP API's routes read from it: the one source that the CDK (stacks/api.py), the local adapter
(local/adapter.py) and the tests derive theirs from."""

import json
from dataclasses import dataclass
from typing import Any, Literal

from functions.handlers.api import app

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def document() -> dict[str, Any]:
    """The API function's document (docs/openapi.json; the page's types are generated from it)."""
    schema: dict[str, Any] = json.loads(app.get_openapi_json_schema())
    return schema


def webhook_document() -> dict[str, Any]:
    """The webhook function's own document: its one route, open (it checks Remotion's signature)."""
    from functions.handlers.webhook import app as webhook_app

    schema: dict[str, Any] = json.loads(webhook_app.get_openapi_json_schema(title="Framecast webhook", version="1.0.0"))
    return schema


@dataclass(frozen=True)
class HttpRoute:
    """One route of the HTTP API, as API Gateway has it."""

    method: str  # "GET"
    path: str  # OpenAPI's form, which is API Gateway's too: "/projects/{project_id}"
    function: Literal["api", "webhook"]  # the Lambda function behind it
    authorized: bool  # behind the JWT authorizer: the operation asks for a bearer token

    @property
    def key(self) -> str:
        """API Gateway's RouteKey."""
        return f"{self.method} {self.path}"


def routes_of(schema: dict[str, Any], function: Literal["api", "webhook"]) -> list[HttpRoute]:
    """The routes of one OpenAPI document. An operation's `security` (else the document's) names
    the schemes it needs: none, or the bearer JWT; API Gateway here has no other authorizer."""
    default = schema.get("security") or []
    found = []
    for path, item in schema["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            security: list[dict[str, list[str]]] = item[method].get("security", default)
            schemes = {name for requirement in security for name in requirement}
            if schemes - {"bearer"}:
                raise ValueError(f"{method.upper()} {path} asks for {sorted(schemes)}; the API knows only bearer")
            found.append(HttpRoute(method.upper(), path, function, authorized=bool(schemes)))
    return found


def routes() -> list[HttpRoute]:
    """Every route of the HTTP API: the API function's and the webhook function's."""
    return routes_of(document(), "api") + routes_of(webhook_document(), "webhook")
