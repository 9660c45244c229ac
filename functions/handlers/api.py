"""The API Lambda: every route of design section 5, thin over functions.domain."""

from functools import lru_cache
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.domain import projects, renders
from functions.errors import FramecastError, QuotaExceeded
from functions.models.api import (
    DownloadResponse,
    ErrorResponse,
    Health,
    Preview,
    ProjectList,
    ProjectResponse,
    ProjectSummary,
    PutScenesRequest,
    PutScenesResponse,
    RenderList,
    RenderResponse,
    StartRenderRequest,
    StartRenderResponse,
    StatsResponse,
)
from functions.models.project import Project
from functions.render_settings import OutputFormat, Quality
from functions.settings import api_settings
from functions.wiring import output_location, services_from_env, url_signer

logger = Logger(service="framecast-api")
tracer = Tracer(service="framecast-api")
metrics = Metrics(namespace="Framecast", service="framecast-api")
app = APIGatewayHttpResolver(enable_validation=True)


def _error(status: int, code: str, message: str, details: list | None = None, headers: dict | None = None) -> Response:
    body = ErrorResponse.model_validate({"error": {"code": code, "message": message, "details": details}})
    return Response(status_code=status, content_type="application/json", body=body.model_dump_json(exclude_none=True),
                    headers=headers or {})


class Unauthorized(FramecastError):
    status = 401
    code = "unauthorized"


def _user() -> str:
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    if not claims.get("sub"):
        raise Unauthorized("a bearer token is required")
    return claims["sub"]


@app.exception_handler(FramecastError)
def _framecast_error(error: FramecastError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, QuotaExceeded) else None
    return _error(error.status, error.code, error.message, error.details or None, headers)


@app.exception_handler(RequestValidationError)
def _validation_error(error: RequestValidationError) -> Response:
    problems = error.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return _error(400, "malformed_json", "the request body is not valid JSON")
    details = [{"field": ".".join(str(part) for part in p["loc"] if part != "body"), "message": p["msg"]}
               for p in problems]
    return _error(422, "invalid_request", "; ".join(f"{d['field']}: {d['message']}" for d in details), details)


@app.exception_handler(IdempotencyAlreadyInProgressError)
def _in_flight(_: Exception) -> Response:
    return _error(409, "idempotency_in_flight", "a request with this Idempotency-Key is still being processed",
                  headers={"Retry-After": "2"})


@app.exception_handler(IdempotencyValidationError)
def _key_reused(_: Exception) -> Response:
    return _error(422, "idempotency_key_reused", "this Idempotency-Key was used with a different request")


@app.get("/health")
def health() -> Health:
    return Health(status="ok")


@app.post("/projects")
def create_project(project: Annotated[Project, Body()]) -> Response[ProjectResponse]:
    services = services_from_env()
    record = projects.create_project(services.store, _user(), project, services.limits)
    return Response(201, "application/json", ProjectResponse.of(record))


@app.get("/projects")
def list_projects() -> ProjectList:
    records = services_from_env().store.list_projects(_user())
    return ProjectList(items=[ProjectSummary.of(r) for r in sorted(records, key=lambda r: r.updated_at, reverse=True)])


@app.get("/projects/<project_id>")
def get_project(project_id: str) -> ProjectResponse:
    return ProjectResponse.of(projects.get_project(services_from_env().store, _user(), project_id))


@app.put("/projects/<project_id>/scenes")
def put_scenes(project_id: str, request: Annotated[PutScenesRequest, Body()]) -> PutScenesResponse:
    services = services_from_env()
    record, diagnostics, warnings = projects.replace_scenes(services.store, _user(), project_id, request.scenes,
                                                            services.limits)
    return PutScenesResponse.model_validate({"project": ProjectResponse.of(record), "diagnostics": diagnostics,
                                             "warnings": warnings})


@app.get("/projects/<project_id>/preview")
def preview(project_id: str) -> Preview:
    return Preview.model_validate(renders.preview(services_from_env(), _user(), project_id))


@app.delete("/projects/<project_id>", responses={204: {"description": "Deleted"}})
def delete_project(project_id: str):
    projects.delete_project(services_from_env().store, _user(), project_id)
    return Response(204)


def _persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=api_settings().idempotency_table_name)


_idempotency = IdempotencyConfig(
    event_key_jmespath="[userId, idempotencyKey]",
    payload_validation_jmespath="[projectId, format, quality]",
    expires_after_seconds=24 * 3600,
)


def _start(request: dict) -> dict:
    result = renders.start_render(services_from_env(), request["userId"], request["projectId"],
                                  OutputFormat(request["format"]), Quality(request["quality"]))
    metrics.add_metric(name="ExportStarted", unit=MetricUnit.Count, value=1)
    return result


@app.post("/renders")
def start_render(
    request: Annotated[StartRenderRequest, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", max_length=128)] = None,
) -> Response[StartRenderResponse]:
    call = {"userId": _user(), "projectId": request.project_id, "format": request.format.value,
            "quality": request.quality.value}
    if idempotency_key:
        started = _start_once()(request={**call, "idempotencyKey": idempotency_key})
    else:
        started = _start(call)
    return Response(202, "application/json", StartRenderResponse.model_validate(started))


@lru_cache(maxsize=1)
def _start_once():
    """`_start`, made idempotent on first use (the persistence layer needs the environment's table)."""
    return idempotent_function(data_keyword_argument="request", persistence_store=_persistence(),
                               config=_idempotency)(_start)


@app.get("/renders")
def list_renders(limit: Annotated[int, Query(ge=1, le=100)] = 20,
                 cursor: Annotated[str | None, Query(max_length=2048)] = None) -> RenderList:
    services = services_from_env()
    records, next_cursor = renders.list_renders(services, _user(), limit, cursor)
    return RenderList(items=[RenderResponse.of(r, output_location(services.settings, r)) for r in records],
                      next_cursor=next_cursor)


@app.get("/renders/<render_id>")
def get_render(render_id: str) -> RenderResponse:
    services = services_from_env()
    record = renders.get_render(services, _user(), render_id)
    return RenderResponse.of(record, output_location(services.settings, record))


@app.post("/renders/<render_id>/cancel")
def cancel_render(render_id: str) -> RenderResponse:
    services = services_from_env()
    record = renders.cancel_render(services, _user(), render_id)
    return RenderResponse.of(record, output_location(services.settings, record))


@app.post("/renders/<render_id>/downloads")
def download(render_id: str) -> DownloadResponse:
    services = services_from_env()
    event = app.current_event
    result = renders.record_download(
        services, _user(), render_id, user_agent=event.headers.get("user-agent", ""),
        ip=event.request_context.http.source_ip or "", url_for=url_signer(services.settings, services.store),
    )
    return DownloadResponse.model_validate(result)


@app.get("/exports/stats")
def export_stats() -> StatsResponse:
    return StatsResponse.model_validate(renders.stats(services_from_env(), _user()))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    _idempotency.register_lambda_context(context)
    return app.resolve(event, context)
