"""The API Lambda: every route of design section 5, thin over functions.domain.

Each route takes its input (validated by Powertools from the pydantic models), gets the services
by injection (`Depends(get_services)`), calls one domain function and returns its typed result.
"""

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Depends, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from functions.domain import downloads, lifecycle, previews, projects, stats
from functions.domain.services import Services
from functions.error_tracking import init_error_tracking
from functions.errors import FramecastError, IdempotencyInFlight, IdempotencyKeyReused
from functions.handlers.json_body import parse_json_body
from functions.handlers.responses import register_error_handlers
from functions.models.api import (
    DownloadResponse,
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
from functions.store import AwsAccess
from functions.wiring import get_services

if TYPE_CHECKING:  # Powertools' OpenAPI models cost a cold start about 0.1 s to import
    from aws_lambda_powertools.event_handler.openapi.models import SecurityScheme

init_error_tracking()  # Sentry, when the stack names a DSN secret; nothing otherwise
logger = Logger(service="framecast-api")
metrics = Metrics(namespace="Framecast", service="framecast-api")
app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)
app.configure_openapi(
    title="Framecast API",
    version="1.0.0",
    description="Export code-written video scenes to files.",
    # A plain mapping, validated into Powertools' model only when a document is generated.
    security_schemes={"bearer": cast("SecurityScheme", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})},
)
register_error_handlers(app)
# The routes that need `Authorization: Bearer <JWT>` say so in the OpenAPI document; the CDK puts
# API Gateway's JWT authorizer on exactly those and the local adapter checks a token on them
# (functions/handlers/openapi.py: routes). Every route that takes the user (UserDep) declares it.
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]

ServicesDep = Annotated[Services, Depends(get_services)]


class Unauthorized(FramecastError):
    status = 401
    code = "unauthorized"


def current_user() -> str:
    """The token's `sub`, put in the event by the JWT authorizer (API Gateway's, or the local adapter's)."""
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthorized("a bearer token is required")
    return subject


UserDep = Annotated[str, Depends(current_user)]


@app.get("/health")
def health() -> Health:
    return Health(status="ok")


@app.post("/projects", security=BEARER)
def create_project(
    project: Annotated[Project, Body()], user: UserDep, services: ServicesDep
) -> Response[ProjectResponse]:
    record = projects.create_project(services.store, user, project, services.limits)
    return Response(201, "application/json", ProjectResponse.of(record))


@app.get("/projects", security=BEARER)
def list_projects(user: UserDep, services: ServicesDep) -> ProjectList:
    return ProjectList(items=[ProjectSummary.of(r) for r in projects.list_projects(services.store, user)])


@app.get("/projects/<project_id>", security=BEARER)
def get_project(project_id: str, user: UserDep, services: ServicesDep) -> ProjectResponse:
    return ProjectResponse.of(projects.get_project(services.store, user, project_id))


@app.put("/projects/<project_id>/scenes", security=BEARER)
def put_scenes(
    project_id: str, request: Annotated[PutScenesRequest, Body()], user: UserDep, services: ServicesDep
) -> PutScenesResponse:
    return projects.replace_scenes(services.store, user, project_id, request.scenes, services.limits)


@app.get("/projects/<project_id>/preview", security=BEARER)
def preview(project_id: str, user: UserDep, services: ServicesDep) -> Preview:
    return previews.preview(services, user, project_id)


@app.delete("/projects/<project_id>", responses={204: {"description": "Deleted"}}, security=BEARER)
def delete_project(project_id: str, user: UserDep, services: ServicesDep) -> Response[None]:
    projects.delete_project(services.store, user, project_id)
    return Response(204)


class StartRenderCall(BaseModel):
    """One start, as the idempotency layer keys it: the user, their key and what they asked."""

    user_id: str
    idempotency_key: str | None
    project_id: str
    format: OutputFormat
    quality: Quality


def _start(call: StartRenderCall, services: Services) -> StartRenderResponse:
    started = lifecycle.start_render(services, call.user_id, call.project_id, call.format, call.quality)
    metrics.add_metric(
        name="ExportReused" if started.status.terminal else "ExportStarted", unit=MetricUnit.Count, value=1
    )
    return started


@lru_cache(maxsize=4)
def _start_once(table_name: str, aws: AwsAccess) -> Callable[..., StartRenderResponse]:
    """`_start`, made idempotent on (user, Idempotency-Key), for one idempotency table. Made on first
    use, as Powertools' idempotency (with boto3) is imported only when a key is sent; one per table
    and AWS access, so that two local stacks in one process keep their keys apart."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

    config = IdempotencyConfig(
        event_key_jmespath="[user_id, idempotency_key]",
        payload_validation_jmespath="[project_id, format, quality]",
        expires_after_seconds=24 * 3600,
    )
    persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=aws.client("dynamodb"))
    # Configured here, once: Powertools configures a layer at its first call and marks it done before
    # it has compiled its JMESPath, so the local stack's concurrent first calls could see it half-made.
    persistence.configure(config)
    once: Callable[..., StartRenderResponse] = idempotent_function(
        data_keyword_argument="call", persistence_store=persistence, config=config, output_serializer=PydanticSerializer
    )(_start)

    def start(call: StartRenderCall, services: Services) -> StartRenderResponse:
        config.register_lambda_context(app.lambda_context)  # stops waiting when the invocation ends
        return once(call=call, services=services)

    return start


def _start_idempotently(call: StartRenderCall, services: Services) -> StartRenderResponse:
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    try:
        start = _start_once(services.settings.idempotency_table_name, services.store.aws)
        return start(call=call, services=services)
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyInFlight("a request with this Idempotency-Key is still being processed") from None
    except IdempotencyValidationError:
        raise IdempotencyKeyReused("this Idempotency-Key was used with a different request") from None


@app.post("/renders", security=BEARER)
def start_render(
    request: Annotated[StartRenderRequest, Body()],
    user: UserDep,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", min_length=1, max_length=128)] = None,
) -> Response[StartRenderResponse]:
    call = StartRenderCall(
        user_id=user,
        project_id=request.project_id,
        format=request.format,
        quality=request.quality,
        idempotency_key=idempotency_key,
    )
    started = _start_idempotently(call, services) if idempotency_key else _start(call, services)
    return Response(202, "application/json", started)


@app.get("/renders", security=BEARER)
def list_renders(
    user: UserDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> RenderList:
    records, next_cursor = services.store.list_renders(user, limit, cursor)
    return RenderList(items=[lifecycle.describe(services, r) for r in records], next_cursor=next_cursor)


@app.get("/renders/<render_id>", security=BEARER)
def get_render(render_id: str, user: UserDep, services: ServicesDep) -> RenderResponse:
    return lifecycle.get_render(services, user, render_id)


@app.post("/renders/<render_id>/cancel", security=BEARER)
def cancel_render(render_id: str, user: UserDep, services: ServicesDep) -> RenderResponse:
    return lifecycle.cancel_render(services, user, render_id)


@app.post("/renders/<render_id>/downloads", security=BEARER)
def download(render_id: str, user: UserDep, services: ServicesDep) -> DownloadResponse:
    event = app.current_event
    # Behind CloudFront the connection is CloudFront's: the viewer is the first X-Forwarded-For address.
    forwarded = event.headers.get("x-forwarded-for", "").split(",")[0].strip()
    return downloads.record_download(
        services,
        user,
        render_id,
        user_agent=event.headers.get("user-agent", ""),
        ip=forwarded or event.request_context.http.source_ip or "",
    )


@app.get("/exports/stats", security=BEARER)
def export_stats(user: UserDep, services: ServicesDep) -> StatsResponse:
    return stats.export_stats(services, user)


@lru_cache(maxsize=1)
def _traced_resolve() -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The resolver under X-Ray: the SDK is imported at the first invocation, not at import."""
    from aws_lambda_powertools import Tracer

    tracer = Tracer(service="framecast-api")

    @tracer.capture_lambda_handler
    def resolve(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return resolve


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _traced_resolve()(event, context)
