"""The local stack with RENDER_MODE=lambda, in its own process (python -m local.lambda_emulator.serve):
the real Remotion Lambda function, emulated, behind the same API."""

import pytest

from tests.helpers.lambda_stack import BOUNDED_FAN_OUT, BOUNDED_RESERVATION, LambdaStack


@pytest.fixture(scope="session")
def lambda_stack(tmp_path_factory):
    """Renders here end only by the function's own webhook: GET /renders never asks the backend."""
    stack = LambdaStack(
        tmp_path_factory.mktemp("lambda-stack"),
        env={"PROGRESS_REFRESH_SECONDS": "3600", **BOUNDED_FAN_OUT},
        args=BOUNDED_RESERVATION,
    )
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def short_timeout_stack(tmp_path_factory):
    """The function's timeout cut to 20 s; as above, only the function's webhook ends a render."""
    stack = LambdaStack(
        tmp_path_factory.mktemp("lambda-timeout"),
        function_timeout=20,
        # Three renderers and the main function, not sixteen: `launch` sends its timeout webhook a
        # second before the kill, and with sixteen Chromiums on two cores its event loop missed that
        # second (the sweeper then ended the render as failed). A concurrency of 8 keeps 3 for the
        # function's short calls and 1 for the render's start and still (render_lambdas).
        env={"PROGRESS_REFRESH_SECONDS": "3600", "RENDER_CONCURRENCY_LIMIT": "8"},
        args=BOUNDED_RESERVATION,
    )
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def reserved_two_stack(tmp_path_factory):
    """The render function with a reserved concurrency of 2: less than one render of a few chunks needs."""
    stack = LambdaStack(tmp_path_factory.mktemp("lambda-reserved-2"), args=["--reserved-concurrency", "2"])
    yield stack
    stack.stop()
