"""`make demo-lambda`: `make demo` through the real Remotion Lambda function, emulated on this machine.

Starts the local stack with RENDER_MODE=lambda (fresh data, its own ports), creates the landscape
example with POST /projects, starts an mp4/medium export with POST /renders (the service calls the
pinned function through the `remotion_lambda` client), shows the function's progress as the client
reads it, and waits until GET /renders says the export ended. The API is told never to ask the
function itself (PROGRESS_REFRESH_SECONDS is an hour), so the final status is the one the
function's own signed webhook set. The file is then fetched through POST /renders/{id}/downloads
(counted, as on AWS) into out/demo-lambda.mp4.
"""

import json
import sys
import time
from dataclasses import replace

from cli.demo import download, stats_line
from cli.progress import ProgressBar
from functions import REPO_ROOT
from functions.backends.base import Running
from local.auth import issue_token
from local.lambda_emulator.stack import LambdaModeStack
from local.stack import StackSettings
from tools.api_client import Api

USER = "demo-user"
PROJECT = REPO_ROOT / "examples/landscape.json"


def main() -> int:
    out = REPO_ROOT / "out/demo-lambda.mp4"
    # The status must come from the webhook alone.
    settings = StackSettings.from_env(port=0, state_dir=None)
    settings = replace(settings, service={**settings.service, "PROGRESS_REFRESH_SECONDS": "3600"})
    with LambdaModeStack(settings) as stack:
        function = stack.function
        print(
            f"local stack on {stack.url}, RENDER_MODE=lambda: Remotion {function.version}'s render function "
            f"{function.function_name} on {function.api.url}",
            file=sys.stderr,
        )
        api = Api(stack.url, issue_token(USER))
        status, project = api.call("POST", "/projects", json.loads(PROJECT.read_text()))
        if status != 201:
            raise SystemExit(f"creating the project failed ({status}): {project}")
        status, started = api.call(
            "POST", "/renders", {"projectId": project["projectId"], "format": "mp4", "quality": "medium"}
        )
        if status != 202:
            raise SystemExit(f"starting the export failed ({status}): {started}")
        began = time.monotonic()
        record = stack.services.store.get_render(USER, started["renderId"])
        assert record is not None  # the API has just started it
        backend = stack.services.backend  # the composition root's RemotionLambdaBackend
        bar = ProgressBar(
            f"{project['title']}: mp4/medium, {started['estimate']['videoSeconds']:.1f} s of video; "
            f"Remotion render {record.backend_render_id} in s3://{record.bucket_name}"
        )
        while True:
            progress = backend.progress(record)
            bar.update(progress.progress if isinstance(progress, Running) else 1.0 if progress else 0.0)
            status, render = api.call("GET", f"/renders/{started['renderId']}")
            if render["status"] not in ("queued", "rendering"):
                break
            time.sleep(1)
        bar.finish()
        seconds = time.monotonic() - began
        download(api, render, out)
        _, stats = api.call("GET", "/exports/stats")
        invocations = [r for r in function.api.records if r.outcome]
        limits, peak, throttled = (
            function.api.limits,
            function.api.peak_concurrency,
            sum(function.api.throttled.values()),
        )
    chunks = sum(1 for r in invocations if r.routine == "renderer")
    print(
        f"{out} ({out.stat().st_size / 1e6:.2f} MB, {render['width']}×{render['height']}, "
        f"{render['videoSeconds']:.1f} s of video) in {seconds:.1f} s; status set by the function's webhook"
    )
    print(
        f"the function ran {len(invocations)} invocations: {chunks} chunk renders, "
        f"cost as Remotion estimates it on AWS: {render['costs']['estimatedDisplayCost'] if render['costs'] else 'n/a'}"
    )
    print(f"at most {peak} invocations ran at once ({limits.describe()}); {throttled} throttled")
    print(stats_line(USER, stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
