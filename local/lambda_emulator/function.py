"""The pinned Remotion render function, emulated on this machine: its Invoke API, its S3, its site.

    with RemotionLambdaEmulator(moto_port, bucket) as function:
        os.environ |= function.service_environment()   # what RENDER_MODE=lambda reads

Everything else in the local stack stays as it is: the service calls the function through the
official `remotion_lambda` client, the function reaches S3 (moto, through the logging front that
applies S3's ACL rule) and Lambda (this emulator) through the AWS SDK's endpoint variables, and
posts its real webhook to the stack's webhook route.
"""

import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Self

import boto3

from functions import REPO_ROOT
from local.lambda_emulator.function_dir import prepare
from local.lambda_emulator.invoker import FunctionConfig, lambda_browser, namespace_command
from local.lambda_emulator.lambda_api import ACCOUNT_CONCURRENCY, ConcurrencyLimits, LambdaApi
from local.lambda_emulator.s3_front import S3Front
from local.lambda_emulator.site import current_bundle, deploy_site, site_key
from local.lambda_emulator.site_origin import SiteOrigin
from stacks import function_preload
from stacks.config import StackConfig
from stacks.remotion_facts import DEFAULT_SIZE, remotion_facts

DEFAULT_STATE_DIR = REPO_ROOT / ".cache/lambda-emulator"
# The limits for `make demo-lambda` and `make dev RENDER_MODE=lambda` (an integer each; the
# reservation may also be `none`, a function without reserved concurrency).
ACCOUNT_CONCURRENCY_ENV = "FRAMECAST_LAMBDA_ACCOUNT_CONCURRENCY"
RESERVED_CONCURRENCY_ENV = "FRAMECAST_LAMBDA_RESERVED_CONCURRENCY"
logger = logging.getLogger(__name__)


def stack_reserved_concurrency() -> int:
    """The render function's reserved concurrency as `cdk deploy` sets it: renderConcurrencyCap from
    cdk.json's context, else StackConfig's default (stacks/renderer.py reserves it)."""
    context = json.loads((REPO_ROOT / "cdk.json").read_text()).get("context", {})
    default = next(f.default for f in fields(StackConfig) if f.name == "render_concurrency_cap")
    return int(context.get("renderConcurrencyCap", default))


def parse_reserved(text: str) -> int | None:
    """A reserved concurrency as flags and the environment give it: an integer, or `none`."""
    return None if text.strip().lower() == "none" else int(text)


def concurrency_limits(
    account: int | None = None, reserved: str | None = None, environ: Mapping[str, str] = os.environ
) -> ConcurrencyLimits:
    """The emulated function's limits: those given (`reserved` as a flag gives it: an integer or
    `none`), else the environment's, else AWS's default account concurrency and the stack's own
    reservation."""
    if account is None:
        account = int(environ.get(ACCOUNT_CONCURRENCY_ENV) or ACCOUNT_CONCURRENCY)
    if reserved is None:
        reserved = environ.get(RESERVED_CONCURRENCY_ENV) or str(stack_reserved_concurrency())
    return ConcurrencyLimits(account=account, reserved=parse_reserved(reserved))


class RemotionLambdaEmulator:
    def __init__(
        self,
        emulator_port: int,
        bucket: str,
        credentials: tuple[str, str],
        region: str = "us-east-1",
        *,
        timeout_seconds: float = DEFAULT_SIZE.timeout_seconds,
        concurrency: ConcurrencyLimits | None = None,
        state_dir: Path = DEFAULT_STATE_DIR,
    ) -> None:
        """`emulator_port`: the local stack's emulator (moto behind signature checks and S3's ACL rule),
        whose `credentials` the function signs its calls with, as the stack does. `concurrency`: the
        account's and the function's limits, by default `concurrency_limits()` (the environment's,
        else AWS's default account and the stack's reservation)."""
        namespace_command()  # refuse here, before anything starts, where no private /tmp can be made
        lambda_browser()  # and where the function's browser is missing
        facts = remotion_facts(region)
        self.bucket, self.region, self.credentials = bucket, region, credentials
        self.function_name, self.version = facts.function_name, facts.version
        self.bundle = current_bundle()
        self.site_key = site_key(facts.sites_key, self.bundle)
        self.state_dir = state_dir
        self.s3 = S3Front(emulator_port, state_dir / "s3-requests.jsonl")
        self.site_origin = SiteOrigin(self.s3_client(), bucket, (facts.sites_key,))
        self.config = FunctionConfig(
            function_dir=prepare(),
            function_name=self.function_name,
            region=region,
            log_dir=state_dir / "logs",
            timeout_seconds=timeout_seconds,
            environment={
                "AWS_ACCESS_KEY_ID": credentials[0],
                "AWS_SECRET_ACCESS_KEY": credentials[1],
                "AWS_ENDPOINT_URL_S3": self.s3.url,
                "AWS_ENDPOINT_URL_LAMBDA": "",
                # As the stack sets it (stacks/renderer.py); the emulated site is on loopback.
                "NODE_OPTIONS": function_preload.NODE_OPTIONS,
                function_preload.ALLOW_ENV: self.site_origin.url,
            },
        )
        self.api = LambdaApi(
            self.config, concurrency or concurrency_limits(), record_path=state_dir / "invocations.jsonl"
        )
        self.config.environment["AWS_ENDPOINT_URL_LAMBDA"] = self.api.url
        self._threads: list[threading.Thread] = []

    @property
    def serve_url(self) -> str:
        """The site as the function's browser loads it: the stack's https://<distribution>/sites/<name>/index.html."""
        return f"{self.site_origin.url}/{self.site_key}/index.html"

    def service_environment(self) -> dict[str, str]:
        """What the service needs to run RENDER_MODE=lambda against this function."""
        return {
            "RENDER_MODE": "lambda",
            "REMOTION_FUNCTION_NAME": self.function_name,
            "REMOTION_SERVE_URL": self.serve_url,
            "AWS_REGION": self.region,
            "BUCKET_NAME": self.bucket,
            "AWS_ENDPOINT_URL_LAMBDA": self.api.url,
            # The service's own S3 calls (large props, bucket discovery, downloads) are logged too.
            "AWS_ENDPOINT_URL_S3": self.s3.url,
            "RENDER_TIMEOUT_SECONDS": str(max(10, int(self.config.timeout_seconds))),
        }

    def serve(self) -> None:
        """Answer on the S3 front and the Invoke API (their ports are taken at construction)."""
        for server, name in ((self.s3, "s3-front"), (self.site_origin, "site-origin"), (self.api, "lambda-api")):
            thread = threading.Thread(target=server.serve_forever, daemon=True, name=name)
            thread.start()
            self._threads.append(thread)

    def s3_client(self) -> Any:  # boto3's clients are untyped here (no boto3-stubs)
        """A client of the emulated S3 through the front (its requests logged), with the stack's credentials."""
        return boto3.client(
            "s3",
            endpoint_url=self.s3.url,
            region_name=self.region,
            aws_access_key_id=self.credentials[0],
            aws_secret_access_key=self.credentials[1],
        )

    def deploy(self) -> None:
        """The render site into the bucket (which the stack has made, with the stack's ownership setting)."""
        files = deploy_site(self.s3_client(), self.bucket, self.site_key, self.bundle)
        logger.info("render site deployed: %d files under s3://%s/%s/", files, self.bucket, self.site_key)

    def start(self) -> Self:
        self.serve()
        self.deploy()
        return self

    def stop(self) -> None:
        self.api.close()
        for server in (self.site_origin, self.s3):
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
