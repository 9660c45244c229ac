"""The local stack with RENDER_MODE=lambda: the same stack, its renders made by the emulated
Remotion Lambda function through the `remotion_lambda` backend, as on AWS.

    with LambdaModeStack(port=0, state_dir=None) as stack: ...

Only the environment differs from the local mode: RENDER_MODE=lambda with the function's name,
the site's serve URL and the Lambda and S3 endpoints. The function is started once the emulated
bucket exists (the site is deployed into it) and before the first request reaches a handler.
"""

from pathlib import Path

from local.lambda_emulator.function import RemotionLambdaEmulator
from local.stack import BUCKET_NAME, LocalStack


class LambdaModeStack(LocalStack):
    def __init__(self, *args, function_timeout_seconds: float | None = None, renderer_slots: int | None = None,
                 function_state_dir: Path | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        options = {"renderer_slots": renderer_slots}
        if function_timeout_seconds is not None:
            options["timeout_seconds"] = function_timeout_seconds
        if function_state_dir is not None:
            options["state_dir"] = function_state_dir
        self.function = RemotionLambdaEmulator(self.emulator_port, BUCKET_NAME, **options)

    def environment(self) -> dict[str, str]:
        return super().environment() | self.function.service_environment()

    def start(self) -> "LambdaModeStack":
        self.function.serve()  # the stack's own S3 calls go through the function's S3 front
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
                self.function.stop()  # the S3 front last: the stack saves its data through it
