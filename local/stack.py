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
from pathlib import Path

from functions import REPO_ROOT, tables
from functions.tables import IDEMPOTENCY_TABLE, SERVICE_TABLE
from local import auth, emulator

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
IN_FLIGHT_AT_RESTART = (
    "the local stack stopped while this export was in flight; it was not counted "
    "against your quota, please export again"
)


def import_legacy_state(folder: Path) -> int:
    """Bring in what an earlier version saved on Ctrl-C (`framecast-service.json`, `objects/`), once:
    the files move to `legacy-imported/` and the emulator keeps the data from then on."""
    import json

    import boto3

    items_path, objects = folder / f"{SERVICE_TABLE_NAME}.json", folder / "objects"
    if not items_path.is_file() and not objects.is_dir():
        return 0
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    imported = 0
    for item in json.loads(items_path.read_text()) if items_path.is_file() else []:
        dynamodb.put_item(TableName=SERVICE_TABLE_NAME, Item=item)
        imported += 1
    for path in sorted(objects.rglob("*")) if objects.is_dir() else []:
        if path.is_file():
            s3.upload_file(str(path), BUCKET_NAME, str(path.relative_to(objects)))
            imported += 1
    done = folder / "legacy-imported"
    done.mkdir(exist_ok=True)
    for path in (items_path, objects):
        if path.exists():
            path.rename(done / path.name)
    logger.warning("imported %d items and files saved by an earlier version", imported)
    return imported


class LocalStack:
    """Start with `with LocalStack(port) as stack:`; `stack.url` is the API."""

    def __init__(self, port: int = 8000, state_dir: Path | None = STATE_DIR, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self.state_dir = state_dir  # None: nothing kept across restarts (make demo, tests)
        self.emulator_port = emulator.free_port()
        self.restored = 0
        self.resolved_at_start = 0
        self._emulator: subprocess.Popen | None = None
        self._emulator_lock = threading.Lock()
        self._server = None
        self._backend = None
        self._stopping = threading.Event()
        self.credentials = auth.emulator_credentials()
        self.download_signer: auth.DownloadSigner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        access_key, secret_key = self.credentials
        return {
            # boto3 sends every AWS call of this process to the emulator, signed with its credentials.
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.emulator_port}",
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_DEFAULT_REGION": emulator.REGION,
            "AWS_REGION": emulator.REGION,
            "TABLE_NAME": SERVICE_TABLE_NAME,
            "IDEMPOTENCY_TABLE_NAME": IDEMPOTENCY_TABLE_NAME,
            "BUCKET_NAME": BUCKET_NAME,
            "RENDER_MODE": "local",
            "WEBHOOK_URL": f"{self.url}/webhooks/remotion",
            "WEBHOOK_SECRET": auth.local_secret("webhook-secret"),
            "POWERTOOLS_SERVICE_NAME": "framecast",
            "POWERTOOLS_METRICS_NAMESPACE": "Framecast",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            # The design's limits, passed through from the environment of `make dev`.
            **{
                k: os.environ[k]
                for k in ("USER_DAILY_EXPORT_LIMIT", "USER_CONCURRENT_RENDER_LIMIT", "MAX_RENDER_DURATION_MINUTES")
                if k in os.environ
            },
        }

    def start(self) -> "LocalStack":
        from local.adapter import Adapter, Downloads, Function, HttpServer, routes_from_openapi

        self._start_emulator()
        # Imported only now: the handlers read their settings from the environment set above.
        os.environ.update(self.environment())
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        emulator.create_resources(
            {SERVICE_TABLE_NAME: SERVICE_TABLE, IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE},
            BUCKET_NAME,
            BUCKET_OBJECT_OWNERSHIP,
        )
        if self.state_dir:
            self.restored += import_legacy_state(self.state_dir)

        import boto3

        from functions.handlers import api as api_handler
        from functions.handlers import webhook as webhook_handler
        from functions.handlers.openapi import routes

        # Both handlers are Powertools resolvers: one request at a time between them (adapter.Function).
        resolver_slot = threading.BoundedSemaphore(1)
        api = Function(api_handler.lambda_handler, "framecast-api", slots=resolver_slot)
        webhook = Function(webhook_handler.lambda_handler, "framecast-webhook", slots=resolver_slot)
        adapter = Adapter(
            routes_from_openapi(routes(), api, webhook),
            static_dir=REPO_ROOT / "web/dist",
            page_config=self.page_config,
        )
        self._server = HttpServer(adapter, self.host, self.port)
        self.port = self._server.port
        os.environ.update(self.environment())  # WEBHOOK_URL names the real port
        self.download_signer = auth.DownloadSigner(self.url, auth.local_secret("download-key"))
        adapter.downloads = Downloads(self.download_signer, boto3.client("s3"), BUCKET_NAME)
        self.services = self._compose_services()
        for handler_module in (api_handler, webhook_handler):
            self._inject(handler_module)
        self.resolved_at_start = self.resolve_in_flight()
        self.seed_examples(PAGE_USER)
        self._server.start()
        threading.Thread(target=self._sweep_every, args=(SWEEP_SECONDS,), daemon=True, name="sweeper").start()
        threading.Thread(target=self._watch_emulator, daemon=True, name="emulator-watch").start()
        return self

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
                emulator.create_resources(
                    {SERVICE_TABLE_NAME: SERVICE_TABLE, IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE},
                    BUCKET_NAME,
                    BUCKET_OBJECT_OWNERSHIP,
                )
            except Exception:
                logger.exception("the emulator could not be started again; trying again")
                time.sleep(2)

    # --- wiring -----------------------------------------------------------------------------------

    def _compose_services(self):
        """The handlers' services with this machine's parts: the local render worker, and download
        links served and checked by this stack."""
        from functions.settings import ServiceSettings
        from functions.store import Store
        from functions.wiring import compose

        settings = ServiceSettings.from_env()
        store = Store(table_name=settings.table_name, bucket_name=settings.bucket_name)
        self._backend = self.render_backend(settings, store)
        signer = self.download_signer
        assert signer is not None
        return compose(settings, store=store, backend=self._backend, sign_download=signer)

    def render_backend(self, settings, store):
        """This machine's renderer: the local worker. (LambdaModeStack answers None: the functions
        then build the Remotion Lambda backend, as they do on AWS.)"""
        from local.render_backend import LocalRenderBackend

        return LocalRenderBackend(settings, store)

    def _inject(self, handler_module) -> None:
        """Powertools' dependency overrides: every route of the handler's resolver gets our services."""
        from functions.wiring import get_services

        handler_module.app.dependency_overrides[get_services] = lambda: self.services

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

    def page_config(self) -> dict:
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
        if self._backend:
            self._backend.close()
        with self._emulator_lock:
            process, self._emulator = self._emulator, None
        if process:
            emulator.stop(process)

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
