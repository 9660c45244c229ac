"""The one error envelope, `{error: {code, message, details?}}`, for every handler and every failure."""

import re
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from functions.errors import FramecastError
from functions.models.api import ErrorResponse


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    body = ErrorResponse.model_validate({"error": {"code": code, "message": message, "details": details}})
    return Response(
        status_code=status,
        content_type="application/json",
        body=body.model_dump_json(exclude_none=True),
        headers=headers or {},
    )


@cache
def _route_methods(app: APIGatewayHttpResolver) -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    """Each route's path (from the app's own OpenAPI document) and the methods it answers."""
    schema = app.get_openapi_schema()
    routes = []
    for path, item in (schema.paths or {}).items():
        pattern = re.compile("^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(path)) + "$")
        methods = frozenset(m.upper() for m in ("get", "put", "post", "delete", "patch") if getattr(item, m, None))
        routes.append((pattern, methods))
    return tuple(routes)


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    """Domain errors, validation, unknown routes and wrong methods, all in the one envelope."""

    @app.exception_handler(FramecastError)
    def _framecast_error(error: FramecastError) -> Response[str]:
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
        return error_response(error.status, error.code, error.message, error.details or None, headers)

    @app.exception_handler(RequestValidationError)
    def _validation_error(error: RequestValidationError) -> Response[str]:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return error_response(400, "malformed_json", "the request body is not valid JSON")
        details = [
            {"field": ".".join(str(part) for part in p["loc"] if part != "body"), "message": p["msg"]} for p in problems
        ]
        return error_response(
            422, "invalid_request", "; ".join(f"{d['field']}: {d['message']}" for d in details), details
        )

    @app.not_found
    def _no_route(_: NotFoundError) -> Response[str]:
        path, method = app.current_event.path, app.current_event.http_method.upper()
        allowed = sorted({m for pattern, methods in _route_methods(app) if pattern.match(path) for m in methods})
        if allowed:
            return error_response(
                405,
                "method_not_allowed",
                f"{path} answers {', '.join(allowed)}, not {method}",
                headers={"Allow": ", ".join(allowed)},
            )
        return error_response(404, "not_found", f"no route for {method} {path}")
