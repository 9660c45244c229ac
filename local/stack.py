"""The local stack: emulator, the same handlers behind the HTTP adapter, and the render worker.

    framecast dev [--port 8000]       (make dev)
"""

import logging
import os
import secrets
import threading
import warnings
from pathlib import Path

from functions.tables import IDEMPOTENCY_TABLE, SERVICE_TABLE
from local import emulator

REPO_ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = REPO_ROOT / ".cache/local"
SERVICE_TABLE_NAME = "framecast-service"
IDEMPOTENCY_TABLE_NAME = "framecast-idempotency"
BUCKET_NAME = "remotionlambda-local"
SWEEP_SECONDS = 120
PAGE_USER = "local-user"


class LocalStack:
    """Start with `with LocalStack(port) as stack:`; `stack.url` is the API."""

    def __init__(self, port: int = 8000, state_dir: Path | None = STATE_DIR / "state", host: str = "127.0.0.1"):
        self.host, self.port = host, port or emulator.free_port()
        self.state_dir = state_dir  # None: nothing kept across restarts (make demo, tests)
        self.emulator_port = emulator.free_port()
        self._emulator = None
        self._server = None
        self._backend = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        secret_file = STATE_DIR / "webhook-secret"
        if not secret_file.is_file():
            secret_file.parent.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(secrets.token_hex(32))
        return {
            # boto3 sends every AWS call of this process to the emulator.
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.emulator_port}",
            "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "TABLE_NAME": SERVICE_TABLE_NAME, "IDEMPOTENCY_TABLE_NAME": IDEMPOTENCY_TABLE_NAME,
            "BUCKET_NAME": BUCKET_NAME, "RENDER_MODE": "local",
            "WEBHOOK_URL": f"{self.url}/webhooks/remotion", "WEBHOOK_SECRET": secret_file.read_text().strip(),
            "POWERTOOLS_SERVICE_NAME": "framecast", "POWERTOOLS_METRICS_NAMESPACE": "Framecast",
            "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            # The design's limits, passed through from the environment of `make dev`.
            **{k: os.environ[k] for k in ("USER_DAILY_EXPORT_LIMIT", "USER_CONCURRENT_RENDER_LIMIT",
                                          "MAX_RENDER_DURATION_MINUTES") if k in os.environ},
        }

    def start(self) -> "LocalStack":
        os.environ.update(self.environment())
        # Metrics are off locally; Powertools still says so after every request that adds none.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        self._emulator = emulator.start(self.emulator_port, STATE_DIR / "emulator.log")
        tables = {SERVICE_TABLE_NAME: SERVICE_TABLE, IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE}
        emulator.create_resources(tables, BUCKET_NAME)
        self.restored = emulator.load_state(self.state_dir, [SERVICE_TABLE_NAME], BUCKET_NAME) if self.state_dir else 0

        # Imported only now: the handlers read their settings from the environment just set.
        from local.adapter import Adapter

        self.services = self._compose_services()
        api, webhook = self._inject(self.services)
        self._server = Adapter((self.host, self.port), api.lambda_handler, webhook.lambda_handler,
                               static_dir=REPO_ROOT / "web/dist", page_config=self.page_config)
        self.seed_examples(PAGE_USER)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True, name="adapter").start()
        threading.Thread(target=self._sweep_every, args=(SWEEP_SECONDS,), daemon=True, name="sweeper").start()
        return self

    def _compose_services(self):
        """The handlers' services with this machine's parts: the local render worker and presigned links."""
        from functions.settings import ServiceSettings
        from functions.store import Store
        from functions.wiring import compose
        from local.render_backend import LocalRenderBackend

        settings = ServiceSettings.from_env()
        store = Store(table_name=settings.table_name, bucket_name=settings.bucket_name)
        self._backend = LocalRenderBackend(settings, store)

        def presigned(record, filename: str, seconds: int) -> str:
            return store.presigned_download(record.bucket_name or store.bucket_name, record.output_key, filename,
                                            seconds)

        return compose(settings, store=store, backend=self._backend, sign_download=presigned)

    @staticmethod
    def _inject(services):
        """Powertools' dependency overrides: every route of both resolvers gets these services."""
        from functions.handlers import api, webhook
        from functions.wiring import get_services

        for app in (api.app, webhook.app):
            app.dependency_overrides[get_services] = lambda: services
        return api, webhook

    def page_config(self) -> dict:
        """The page on the local stack is signed in as PAGE_USER."""
        from local.auth import issue_token

        return {"mode": "local", "apiUrl": "", "token": issue_token(PAGE_USER, days=1), "user": PAGE_USER}

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
                logging.getLogger(__name__).exception("sweep failed")

    def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._backend:
            self._backend.close()
        if self._emulator:
            if self.state_dir:
                emulator.save_state(self.state_dir, [SERVICE_TABLE_NAME], BUCKET_NAME)
            self._emulator.terminate()
            self._emulator.wait(timeout=10)

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
