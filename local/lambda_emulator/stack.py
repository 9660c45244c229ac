"""The local stack with RENDER_MODE=lambda: the same stack, its renders made by the emulated
Remotion Lambda function through the `remotion_lambda` backend, as on AWS.

    with LambdaModeStack(StackSettings(port=0, state_dir=None)) as stack: ...

Only two things differ from the local mode: the environment (RENDER_MODE=lambda with the
function's name, the site's serve URL and the Lambda and S3 endpoints, which the official client
reads from the process environment as it does in Lambda) and the render backend,
which the stack leaves to the functions' composition root (it builds RemotionLambdaBackend, as in
AWS). The function serves before the stack starts (the stack's own S3 calls go through its S3
front) and gets its site once the stack has made the bucket.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from functions.store import AwsAccess
from local.lambda_emulator.function import RemotionLambdaEmulator
from local.lambda_emulator.lambda_api import ConcurrencyLimits
from local.stack import BUCKET_NAME, LocalStack, StackSettings

if TYPE_CHECKING:
    from functions.settings import ServiceSettings
    from functions.store import Store
    from local.render_backend import LocalRenderBackend


class LambdaModeStack(LocalStack):
    def __init__(
        self,
        settings: StackSettings | None = None,
        *,
        function_timeout_seconds: float | None = None,
        concurrency: ConcurrencyLimits | None = None,
        function_state_dir: Path | None = None,
    ):
        """`concurrency`: the emulated account's and function's limits (see RemotionLambdaEmulator)."""
        super().__init__(settings)
        options: dict[str, Any] = {"concurrency": concurrency}
        if function_timeout_seconds is not None:
            options["timeout_seconds"] = function_timeout_seconds
        if function_state_dir is not None:
            options["state_dir"] = function_state_dir
        self.function = RemotionLambdaEmulator(self.emulator_port, BUCKET_NAME, self.credentials, **options)

    @property
    def aws(self) -> AwsAccess:
        """The service's own S3 calls go through the function's S3 front, which logs them."""
        local = super().aws
        return AwsAccess(
            endpoints=(*(e for e in local.endpoints if e[0] != "s3"), ("s3", self.function.s3.url)),
            credentials=local.credentials,
            region=local.region,
        )

    def service_environment(self) -> dict[str, str]:
        # As the stack sets it on AWS: the render budget is the function's concurrency (its
        # reservation), unless the settings name another.
        budget = {"RENDER_CONCURRENCY_LIMIT": str(self.function.api.limits.function_limit)}
        return budget | super().service_environment() | self.function.service_environment()

    def process_environment(self) -> dict[str, str]:
        """The official Remotion client (and boto3 under it) finds the function, the S3 front and the
        credentials in the environment, as in Lambda."""
        access_key, secret_key = self.credentials
        return (
            super().process_environment()
            | {
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.emulator_port}",
                "AWS_ACCESS_KEY_ID": access_key,
                "AWS_SECRET_ACCESS_KEY": secret_key,
                "AWS_DEFAULT_REGION": self.function.region,
            }
            | self.function.service_environment()
        )

    def render_backend(self, settings: "ServiceSettings", store: "Store") -> "LocalRenderBackend | None":
        return None  # the composition root builds the Remotion Lambda backend from RENDER_MODE=lambda

    def start(self) -> Self:
        self.function.serve()
        super().start()
        self.function.deploy()
        return self

    def stop(self) -> None:
        try:
            self.stop_thumbnails()  # a still in flight needs the function
            self.function.api.close()  # no new invocation; those running are killed
        finally:
            try:
                super().stop()
            finally:
                self.function.stop()
