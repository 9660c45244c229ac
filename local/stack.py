"""The local stack: emulator, the same handlers behind the HTTP adapter, and the render worker.

    framecast dev [--port 8000]       (make dev)

Nothing is lost when it stops, however it stops: the emulator writes its state through to
STATE_DIR (docs/reliability.md). When the emulator dies on its own it is started again on the
same port from that state. At start, renders that were in flight when the stack last stopped
are ended by the design's rule for our failures (failed, quota refunded, lock released), so
their users can export again at once; the sweeper then runs on its schedule.
"""

import logging
import os
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Self

from functions import REPO_ROOT, tables
from functions.store import AwsAccess
from functions.tables import IDEMPOTENCY_TABLE, SERVICE_TABLE
from local import auth, emulator

if TYPE_CHECKING:
    from functions.domain.services import Services
    from functions.models.thumbnail import ThumbnailRequest
    from functions.settings import ServiceSettings
    from functions.store import Store
    from local.adapter import HttpServer
    from local.render_backend import LocalRenderBackend

logger = logging.getLogger(__name__)
LOCAL_DIR = auth.LOCAL_DIR
STATE_DIR = LOCAL_DIR / "state"
SERVICE_TABLE_NAME = "framecast-service"
IDEMPOTENCY_TABLE_NAME = "framecast-idempotency"
BUCKET_NAME = "remotionlambda-local"
# The bucket's S3 Object Ownership, from the definition the CDK stack uses, so that an ACL the
# AWS bucket would refuse is refused here too (the emulator enforces AWS's rule).
BUCKET_OBJECT_OWNERSHIP = tables.BUCKET_OBJECT_OWNERSHIP
SWEEP_SECONDS = 120
WATCH_SECONDS = 0.5
PAGE_USER = "local-user"
# Requests a function serves at once (its execution environments; on AWS the API has 50 reserved,
# the webhook 10): a burst of polls waits for one of the API's, never for the webhook's.
# More would not answer sooner on 2 cores: most of an API call's time here is the emulated
# render function's cold start.
API_ENVIRONMENTS = 4
WEBHOOK_ENVIRONMENTS = 2
# The services of the request a thread serves (LocalStack._with_services).
_REQUEST = threading.local()
IN_FLIGHT_AT_RESTART = (
    "the local stack stopped while this export was in flight; it was not counted "
    "against your quota, please export again"
)


# The design's limits, by the variables that set them in Lambda.
LIMIT_VARIABLES = ("USER_DAILY_EXPORT_LIMIT", "USER_CONCURRENT_RENDER_LIMIT", "MAX_RENDER_DURATION_MINUTES")
# Powertools' switches for handlers that run outside Lambda: the same for every stack of a process.
HANDLER_RUNTIME = {
    "POWERTOOLS_SERVICE_NAME": "framecast",
    "POWERTOOLS_METRICS_NAMESPACE": "Framecast",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


@dataclass(frozen=True)
class StackSettings:
    """Everything a local stack depends on, handed in: the stack reads no environment of its own."""

    port: int = 8000
    host: str = "127.0.0.1"
    state_dir: Path | None = STATE_DIR  # None: nothing kept across restarts (make demo, tests)
    # The handlers' settings beyond the stack's own, by their variable names (functions/settings.py):
    # the design's limits from `make dev`'s environment, or whatever a test or a demo sets.
    service: Mapping[str, str] = field(default_factory=dict)
    log_level: str = "WARNING"
    # The render pool's processes, and so the local render budget (None: FRAMECAST_RENDER_POOL_SIZE or the cores).
    pool_size: int | None = None

    @classmethod
    def from_env(cls, **given: Any) -> "StackSettings":
        """`make dev` and `make demo`: the design's limits and the log level from this process's environment."""
        limits = {name: os.environ[name] for name in LIMIT_VARIABLES if name in os.environ}
        return cls(service=limits, log_level=os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"), **given)


def _services_of_this_request() -> "Services":
    """Outside a stack's request (a handler called directly), the Lambda's own services."""
    from functions.wiring import get_services

    services: Services | None = getattr(_REQUEST, "services", None)
    return services if services is not None else get_services()


class LocalStack:
    """Start with `with LocalStack(StackSettings(port=0)) as stack:`; `stack.url` is the API.

    Its AWS calls name the stack's emulator and credentials (AwsAccess), and its handlers get its
    services per request, so stacks in one process keep apart; the process environment gets only
    what `process_environment()` names, restored when the stack stops."""

    def __init__(self, settings: StackSettings | None = None):
        self.settings = settings or StackSettings()
        self.host, self.port = self.settings.host, self.settings.port
        self.state_dir = self.settings.state_dir
        self.emulator_port = emulator.free_port()
        self.restored = 0
        self.resolved_at_start = 0
        self._emulator: subprocess.Popen[bytes] | None = None
        self._emulator_lock = threading.Lock()
        self._server: HttpServer | None = None
        self._backend: LocalRenderBackend | None = None
        self._stopping = threading.Event()
        self._thumbnailer: ThreadPoolExecutor | None = None
        self._saved_environment: dict[str, str | None] = {}
        self.credentials = auth.emulator_credentials()
        self.download_signer: auth.DownloadSigner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def aws(self) -> AwsAccess:
        """The stack's emulated AWS, as every client of this process that works for it reaches it."""
        endpoint = f"http://127.0.0.1:{self.emulator_port}"
        return AwsAccess(
            endpoints=(("dynamodb", endpoint), ("s3", endpoint)), credentials=self.credentials, region=emulator.REGION
        )

    def service_environment(self) -> dict[str, str]:
        """The handlers' settings, as a Lambda function's environment would hold them."""
        return {
            "TABLE_NAME": SERVICE_TABLE_NAME,
            "IDEMPOTENCY_TABLE_NAME": IDEMPOTENCY_TABLE_NAME,
            "BUCKET_NAME": BUCKET_NAME,
            "RENDER_MODE": "local",
            "AWS_REGION": emulator.REGION,
            "WEBHOOK_URL": f"{self.url}/webhooks/remotion",
            "WEBHOOK_SECRET": auth.local_secret("webhook-secret"),
            **self.settings.service,
        }

    def process_environment(self) -> dict[str, str]:
        """What this process's environment must hold while the stack runs (the lambda-mode stack adds
        the endpoints the official Remotion client reads from it, as it does in Lambda)."""
        return {**HANDLER_RUNTIME, "POWERTOOLS_LOG_LEVEL": self.settings.log_level}

    def _enter_environment(self) -> None:
        wanted = self.process_environment()
        self._saved_environment = {name: os.environ.get(name) for name in wanted}
        os.environ.update(wanted)

    def _leave_environment(self) -> None:
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = {}

    def start(self) -> Self:
        # The thumbnailer function's asynchronous invocations, here: one still at a time, in order.
        self._thumbnailer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thumbnailer")
        from local.adapter import Adapter, Downloads, Function, HttpServer, prepare_resolver, routes_from_openapi

        self._start_emulator()
        self._enter_environment()
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        self._create_resources()

        from functions.handlers import api as api_handler
        from functions.handlers import webhook as webhook_handler
        from functions.handlers.openapi import routes

        for handler_module in (api_handler, webhook_handler):
            prepare_resolver(handler_module.app)
        api = Function(self._with_services(api_handler), "framecast-api", API_ENVIRONMENTS)
        webhook = Function(self._with_services(webhook_handler), "framecast-webhook", WEBHOOK_ENVIRONMENTS)
        adapter = Adapter(
            routes_from_openapi(routes(), api, webhook),
            static_dir=REPO_ROOT / "web/dist",
            page_config=self.page_config,
        )
        self._server = HttpServer(adapter, self.host, self.port)
        self.port = self._server.port  # WEBHOOK_URL names the real port from here on
        self.download_signer = auth.DownloadSigner(self.url, auth.local_secret("download-key"))
        self.services = self._compose_services()
        adapter.downloads = Downloads(self.download_signer, self.services.store.s3, BUCKET_NAME)
        self.resolved_at_start = self.resolve_in_flight()
        self.seed_examples(PAGE_USER)
        self._server.start()
        threading.Thread(target=self._sweep_every, args=(SWEEP_SECONDS,), daemon=True, name="sweeper").start()
        threading.Thread(target=self._watch_emulator, daemon=True, name="emulator-watch").start()
        return self

    def _create_resources(self) -> None:
        emulator.create_resources(
            self.aws,
            {SERVICE_TABLE_NAME: SERVICE_TABLE, IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE},
            BUCKET_NAME,
            BUCKET_OBJECT_OWNERSHIP,
        )

    # --- the emulator -----------------------------------------------------------------------------

    def _start_emulator(self) -> None:
        process, restored = emulator.start(
            self.emulator_port, LOCAL_DIR / "emulator.log", self.state_dir, *self.credentials
        )
        with self._emulator_lock:
            stopping = self._stopping.is_set()  # a restart that raced the stack's stop: undo it
            if not stopping:
                self._emulator = process
        if stopping:
            emulator.stop(process)
            return
        self.restored = restored

    def _watch_emulator(self) -> None:
        """If the emulator dies on its own (killed, crashed), start it again from its saved state.
        Requests meanwhile get 503 (a dependency is down), not a hang."""
        while not self._stopping.wait(WATCH_SECONDS):
            with self._emulator_lock:
                process = self._emulator
            if process is None or process.poll() is None:
                continue
            logger.warning("the emulator exited (%s); starting it again", process.returncode)
            try:
                self._start_emulator()
                self._create_resources()
            except Exception:
                logger.exception("the emulator could not be started again; trying again")
                time.sleep(2)

    # --- wiring -----------------------------------------------------------------------------------

    def _compose_services(self) -> "Services":
        """The handlers' services with this machine's parts: the stack's emulated AWS, the local
        render worker, and download links served and checked by this stack."""
        from functions.settings import ServiceSettings
        from functions.store import Store
        from functions.wiring import compose

        settings = ServiceSettings.model_validate(self.service_environment())
        store = Store(table_name=settings.table_name, bucket_name=settings.bucket_name, aws=self.aws)
        self._backend = self.render_backend(settings, store)
        signer = self.download_signer
        assert signer is not None
        return compose(
            settings,
            store=store,
            backend=self._backend,
            sign_download=signer,
            request_thumbnail=self._request_thumbnail,
        )

    def _request_thumbnail(self, request: "ThumbnailRequest") -> None:
        """As Lambda's asynchronous invocation: queued at once, made by the same handler later."""
        assert self._thumbnailer is not None, "the stack makes stills only while it runs"
        try:
            self._thumbnailer.submit(self._make_thumbnail, request)
        except RuntimeError:  # asked while the stack stops (a last webhook): dropped, as at its stop
            logger.info("the stack is stopping: no still for render %s", request.render_id)

    def stop_thumbnails(self) -> None:
        """Let the still being made finish (it needs the renderer); those still queued are dropped,
        as an asynchronous invocation whose function is deleted would be."""
        if self._thumbnailer is not None:
            self._thumbnailer.shutdown(wait=True, cancel_futures=True)

    def _make_thumbnail(self, request: "ThumbnailRequest") -> None:
        from functions.handlers import thumbnailer

        if self._stopping.is_set():
            return
        try:
            thumbnailer.make_once(self.services, request)
        except Exception:  # Lambda would retry it; a thumbnail is a nicety, so here it is only logged
            logger.exception("thumbnail for render %s failed", request.render_id)

    def render_backend(self, settings: "ServiceSettings", store: "Store") -> "LocalRenderBackend | None":
        """This machine's renderer: the local worker. (LambdaModeStack answers None: the functions
        then build the Remotion Lambda backend, as they do on AWS.)"""
        from local.render_backend import LocalRenderBackend
        from render import RenderPool

        return LocalRenderBackend(settings, store, RenderPool(size=self.settings.pool_size))

    def _with_services(self, handler_module: ModuleType) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        """The module's Lambda handler, its routes given this stack's services for the request
        (Powertools' dependency override, the same for every stack: it answers with the services of
        the request its thread serves), so that stacks of one process keep apart."""
        from functions.wiring import get_services

        handler_module.app.dependency_overrides[get_services] = _services_of_this_request

        def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
            _REQUEST.services = self.services
            try:
                answer: dict[str, Any] = handler_module.lambda_handler(event, context)
                return answer
            finally:
                del _REQUEST.services

        return handle

    def resolve_in_flight(self) -> int:
        """End, by the rule for our failures, the renders that were in flight when the stack stopped:
        this process owns the only render worker, so none of them can still be running."""
        from functions.domain import lifecycle
        from functions.models.records import RenderStatus

        services = self.services
        ended = 0
        for record in services.store.stale_renders(news_before=2**53):
            ended += lifecycle.finish(services, record, RenderStatus.FAILED, error=IN_FLIGHT_AT_RESTART, refund=True)
        if ended:
            logger.warning("%d render(s) in flight at the last stop were ended and refunded", ended)
        return ended

    def page_config(self) -> dict[str, Any]:
        """The page on the local stack is signed in as PAGE_USER."""
        return {"mode": "local", "apiUrl": "", "token": auth.issue_token(PAGE_USER, days=1), "user": PAGE_USER}

    def seed_examples(self, user: str) -> int:
        """Give a user with no projects the example projects, so the page has something to show."""
        from functions.domain.projects import create_project
        from functions.models.project import Project

        store = self.services.store
        if store.list_projects(user):
            return 0
        examples = sorted((REPO_ROOT / "examples").glob("*.json"))
        for path in examples:
            create_project(store, user, Project.model_validate_json(path.read_bytes()), self.services.limits)
        return len(examples)

    def _sweep_every(self, seconds: float) -> None:
        """The sweeper Lambda's schedule, here: the same handler every few minutes."""
        from functions.handlers import sweeper

        while not self._stopping.wait(seconds):
            try:
                sweeper.sweep_once(self.services)
            except Exception:  # a failed sweep is retried at the next tick, as the schedule would
                logger.exception("sweep failed")

    def stop(self) -> None:
        """In order: no new requests (those in flight finish), the renderer, then the emulator, which
        saves what is left to save. Safe to call twice."""
        self._stopping.set()
        if self._server:
            self._server.stop()
            self._server = None
        self.stop_thumbnails()
        if self._backend:
            self._backend.close()
        with self._emulator_lock:
            process, self._emulator = self._emulator, None
        if process:
            emulator.stop(process)
        self._leave_environment()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
