"""`make demo`: one real export through the HTTP API of the local stack, as a user makes it.

Starts the stack (fresh data, its own ports), creates the landscape example with POST /projects,
starts an mp4/medium export, follows GET /renders/{id} with a progress bar, fetches the file
through POST /renders/{id}/downloads, writes out/demo.mp4, and stops what it started.
"""

import json
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from cli.progress import ProgressBar
from functions import REPO_ROOT
from local.auth import issue_token
from local.stack import LocalStack, StackSettings
from tools.api_client import Api

USER = "demo-user"


def stats_line(user: str, stats: dict[str, Any]) -> str:
    return (
        f"stats for {user}: {stats['byStatus']} exports, {stats['downloads']} download(s), "
        f"{stats['usedToday']}/{stats['dailyLimit']} used today"
    )


def export(api: Api, project_file: Path, fmt: str, quality: str, out: Path) -> dict[str, Any]:
    status, project = api.call("POST", "/projects", json.loads(project_file.read_text()))
    if status != 201:
        raise SystemExit(f"creating the project failed ({status}): {project}")
    status, started = api.call(
        "POST", "/renders", {"projectId": project["projectId"], "format": fmt, "quality": quality}
    )
    if status != 202:
        raise SystemExit(f"starting the export failed ({status}): {started}")
    estimate = started["estimate"]
    bar = ProgressBar(
        f"{project['title']}: {fmt}/{quality}, {estimate['videoSeconds']:.1f} s of video, "
        f"about {estimate['renderSeconds']:.0f} s to render"
    )
    while True:
        status, render = api.call("GET", f"/renders/{started['renderId']}")
        bar.update(render["progress"] / 100)
        if render["status"] not in ("queued", "rendering"):
            break
        time.sleep(1)
    bar.finish()
    download(api, render, out)
    return render


def download(api: Api, render: dict[str, Any], out: Path) -> None:
    """An ended export's file, through its counted download link, to `out`; exits if it failed."""
    if render["status"] != "succeeded":
        raise SystemExit(f"the export ended {render['status']}: {render.get('error')}")
    status, link = api.call("POST", f"/renders/{render['renderId']}/downloads")
    if status != 200:
        raise SystemExit(f"the download link failed ({status}): {link}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(link["url"], timeout=60) as response:
        out.write_bytes(response.read())


def main() -> int:
    out = REPO_ROOT / "out/demo.mp4"
    with LocalStack(StackSettings.from_env(port=0, state_dir=None)) as stack:
        print(f"local stack on {stack.url} (emulated DynamoDB and S3 on port {stack.emulator_port})", file=sys.stderr)
        api = Api(stack.url, issue_token(USER))
        render = export(api, REPO_ROOT / "examples/landscape.json", "mp4", "medium", out)
        _, stats = api.call("GET", "/exports/stats")
    for warning in render["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{out} ({out.stat().st_size / 1e6:.2f} MB, {render['width']}×{render['height']}, "
        f"{render['videoSeconds']:.1f} s of video)"
    )
    print(stats_line(USER, stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
