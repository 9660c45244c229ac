"""The local stack with RENDER_MODE=lambda, as a process: `make dev RENDER_MODE=lambda`, and the
tests of tests/lambda (which need their own process: the handlers read their settings once).

    python -m local.lambda_emulator.serve [--port 8000] [--function-timeout 900] [--fresh]
        [--account-concurrency N] [--reserved-concurrency N|none] [--state-dir DIR] [--ready-file FILE]

Prints where everything is; with --ready-file, writes the same as JSON once the stack answers.
Stops on SIGINT or SIGTERM, saving the data as `make dev` does (unless --fresh).
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path

from local.lambda_emulator.function import (
    ACCOUNT_CONCURRENCY_ENV,
    DEFAULT_STATE_DIR,
    RESERVED_CONCURRENCY_ENV,
    concurrency_limits,
)
from local.lambda_emulator.stack import LambdaModeStack
from local.stack import LOCAL_DIR, StackSettings

# Service settings this process passes on from its environment besides the limits StackSettings
# reads: how often GET /renders asks the function (the tests leave it to the webhook alone), and
# how many renderers one render may fan out to (the tests keep it under the function's reservation,
# so that a render's Chromiums fit this machine's memory).
SERVICE_SETTINGS_FROM_ENV = ("PROGRESS_REFRESH_SECONDS", "RENDER_CONCURRENCY_LIMIT")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.lambda_emulator.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--function-timeout", type=float, default=None, help="the render function's timeout, s (900)")
    parser.add_argument(
        "--account-concurrency",
        type=int,
        default=None,
        help=f"the emulated account's concurrency (${ACCOUNT_CONCURRENCY_ENV}, else AWS's default, 1000)",
    )
    parser.add_argument(
        "--reserved-concurrency",
        default=None,
        help=f"the function's reserved concurrency, or `none` (${RESERVED_CONCURRENCY_ENV}, else the stack's)",
    )
    parser.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="function logs and the S3 request log"
    )
    parser.add_argument("--fresh", action="store_true", help="keep no data across restarts")
    parser.add_argument("--ready-file", type=Path, help="write the addresses here as JSON once ready")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    for noisy in ("botocore", "local.adapter"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    # Its own saved state: renders of the local mode are not the function's to answer for.
    settings = StackSettings.from_env(port=args.port, state_dir=None if args.fresh else LOCAL_DIR / "state-lambda")
    passed = {name: os.environ[name] for name in SERVICE_SETTINGS_FROM_ENV if name in os.environ}
    stack = LambdaModeStack(
        replace(settings, service={**settings.service, **passed}),
        function_timeout_seconds=args.function_timeout,
        concurrency=concurrency_limits(args.account_concurrency, args.reserved_concurrency),
        function_state_dir=args.state_dir,
    )
    stack.start()
    function = stack.function
    where = {
        "url": stack.url,
        "functionName": function.function_name,
        "lambdaEndpoint": function.api.url,
        "s3Endpoint": function.s3.url,
        "serveUrl": function.serve_url,
        "stateDir": str(args.state_dir),
        "s3Log": str(function.s3.log_path),
        "invocationLog": str(function.api.record_path),
        "functionLogs": str(function.config.log_dir),
        "functionTimeoutSeconds": function.config.timeout_seconds,
        "accountConcurrency": function.api.limits.account,
        "reservedConcurrency": function.api.limits.reserved,
    }
    print(
        f"Framecast local stack, RENDER_MODE=lambda, on {stack.url}\n"
        f"  render function {function.function_name} (Remotion {function.version}) at {function.api.url}, "
        f"{function.api.limits.describe()}\n"
        f"  site {function.serve_url}\n  function logs in {function.config.log_dir}, S3 requests in "
        f"{function.s3.log_path}\n  Ctrl-C stops it",
        flush=True,
    )
    if args.ready_file:
        args.ready_file.write_text(json.dumps(where))
    while not stop.wait(1):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
