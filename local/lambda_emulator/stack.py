"""The local stack with RENDER_MODE=lambda: the same stack, its renders made by the emulated
Remotion Lambda function through the `remotion_lambda` backend, as on AWS.

    with LambdaModeStack(port=0, state_dir=None) as stack: ...

Only two things differ from the local mode: the environment (RENDER_MODE=lambda with the
function's name, the site's serve URL and the Lambda and S3 endpoints) and the render backend,
which the stack leaves to the functions' composition root (it builds RemotionLambdaBackend, as in
AWS). The function serves before the stack starts (the stack's own S3 calls go through its S3
front) and gets its site once the stack has made the bucket.
"""

from pathlib import Path

from local.lambda_emulator.function import RemotionLambdaEmulator
from local.stack import BUCKET_NAME, LocalStack


class LambdaModeStack(LocalStack):
    def __init__(
        self,
        *args,
        function_timeout_seconds: float | None = None,
        renderer_slots: int | None = None,
        function_state_dir: Path | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        options: dict = {"renderer_slots": renderer_slots}
        if function_timeout_seconds is not None:
            options["timeout_seconds"] = function_timeout_seconds
        if function_state_dir is not None:
            options["state_dir"] = function_state_dir
        self.function = RemotionLambdaEmulator(self.emulator_port, BUCKET_NAME, self.credentials, **options)

    def environment(self) -> dict[str, str]:
        return super().environment() | self.function.service_environment()

    def render_backend(self, settings, store):
        return None  # the composition root builds the Remotion Lambda backend from RENDER_MODE=lambda

    def start(self) -> "LambdaModeStack":
        self.function.serve()
        super().start()
        self.function.deploy()
        return self

    def stop(self) -> None:
        try:
            self.function.api.close()  # no new invocation; those running are killed
        finally:
            try:
                super().stop()
            finally:
                self.function.stop()
