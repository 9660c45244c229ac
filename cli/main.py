"""`framecast`: the command line of the local stack.

framecast render PROJECT.json --format mp4 --quality medium --out out/video.mp4
framecast props PROJECT.json --format mp4 --quality medium   (the composition's input props)
"""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from cli.progress import ProgressBar
from functions.contract import FPS
from functions.domain.export_plan import ExportPlan, plan_export
from functions.errors import FramecastError, SceneCompileError
from functions.limits import Limits
from functions.models.project import Project
from functions.render_settings import OutputFormat, Quality
from functions.settings import LimitSettings
from functions.time_budget import time_budget_seconds
from render import RenderFailed, RenderJob, RenderPool


def load_project(path: Path) -> Project:
    try:
        return Project.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise SystemExit(f"framecast: {path}: no such file") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'project'}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"framecast: {path} is not a valid project: {problems}") from None


def describe(error: FramecastError) -> str:
    if isinstance(error, SceneCompileError):
        lines = [f"framecast: {error.message}:"]
        lines += [
            f'  scene "{d["sceneId"]}", line {d["line"]}, column {d["column"]}: {d["message"]}' for d in error.details
        ]
        return "\n".join(lines)
    return f"framecast: {error.message}"


def render_job(plan: ExportPlan, output_path: Path, time_budget_seconds: float | None = None) -> RenderJob:
    return RenderJob(
        input_props=plan.props.to_json_dict(),
        settings=plan.output,
        output_path=output_path,
        time_budget_seconds=time_budget_seconds,
    )


def _plan(args: argparse.Namespace) -> ExportPlan | None:
    project = load_project(Path(args.project))
    try:
        return plan_export(project, OutputFormat(args.format), Quality(args.quality), Limits.from_env())
    except FramecastError as error:
        print(describe(error), file=sys.stderr)
        return None


def cmd_render(args: argparse.Namespace) -> int:
    plan = _plan(args)
    if plan is None:
        return 1
    out = Path(args.out) if args.out else Path("out") / f"{Path(args.project).stem}.{args.format}"
    output = plan.output
    bar = ProgressBar(f"{plan.props.title} → {out} ({args.format}, {args.quality}, {output.width}×{output.height})")
    try:
        with RenderPool() as worker:
            budget = time_budget_seconds(
                plan.total_frames,
                output.every_nth_frame,
                Quality(args.quality),
                LimitSettings.from_env().time_budget_scale,
            )
            result = worker.render(render_job(plan, out, budget), on_progress=bar.update)
    except RenderFailed as error:
        bar.finish()
        print(f"framecast: the render failed: {error}", file=sys.stderr)
        return 1
    bar.finish()
    for warning in plan.warnings + result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    seconds = result.duration_in_frames / FPS
    print(
        f"{result.output_path} ({result.size_bytes / 1e6:.2f} MB, {seconds:.1f} s of video, "
        f"{result.width}×{result.height}, rendered in {result.render_seconds:.1f} s)"
    )
    return 0


def cmd_props(args: argparse.Namespace) -> int:
    """The input props of the composition for one export: `npx remotion render --props=...` or the
    Studio render exactly what Framecast would."""
    plan = _plan(args)
    if plan is None:
        return 1
    print(json.dumps(plan.props.to_json_dict(), indent=None if args.compact else 2))
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from local.auth import issue_token

    print(issue_token(args.user, days=args.days))
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    import signal
    import threading

    from local.stack import LocalStack, StackSettings

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stack = LocalStack(StackSettings.from_env(port=args.port))
    stack.start()
    kept = f"data is written through to {stack.state_dir} ({stack.restored} items and files restored)"
    ended = (
        f"; {stack.resolved_at_start} export(s) in flight at the last stop were ended and refunded"
        if stack.resolved_at_start
        else ""
    )
    print(
        f"Framecast local stack on {stack.url}\n  {kept}{ended}\n"
        f"  token for a user: framecast token USER\n  Ctrl-C stops it",
        flush=True,
    )
    while not stop.wait(1):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the state save short
    print("stopping: saving the data, closing the renderer", flush=True)
    stack.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="framecast", description="Export Remotion scene projects to video.")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="render a project file on this machine")
    render.add_argument("project", help="project JSON: {title, format, width?, height?, scenes: [...]}")
    render.add_argument("--format", choices=[f.value for f in OutputFormat], default="mp4")
    render.add_argument("--quality", choices=[q.value for q in Quality], default="medium")
    render.add_argument("--out", help="output file (default: out/PROJECT.FORMAT)")
    render.set_defaults(handler=cmd_render)
    props = commands.add_parser("props", help="print the composition's input props for one export, as JSON")
    props.add_argument("project", help="project JSON: {title, format, width?, height?, scenes: [...]}")
    props.add_argument("--format", choices=[f.value for f in OutputFormat], default="mp4")
    props.add_argument("--quality", choices=[q.value for q in Quality], default="medium")
    props.add_argument("--compact", action="store_true", help="one line instead of indented JSON")
    props.set_defaults(handler=cmd_props)
    token = commands.add_parser("token", help="print a bearer token for a local user")
    token.add_argument("user")
    token.add_argument("--days", type=int, default=30)
    token.set_defaults(handler=cmd_token)
    dev = commands.add_parser("dev", help="run the local stack (API, emulated AWS, render worker)")
    dev.add_argument("--port", type=int, default=8000)
    dev.set_defaults(handler=cmd_dev)
    commands.add_parser("smoke", help="check a deployed stack end to end (framecast smoke --help)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["smoke"]:  # its own options: tools/smoke.py (make smoke)
        from tools.smoke import main as smoke

        return smoke(argv[1:])
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
