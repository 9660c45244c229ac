"""`framecast`: the command line of the local stack.

    framecast render PROJECT.json --format mp4 --quality medium --out out/video.mp4
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from functions.errors import FramecastError, SceneCompileError
from functions.limits import Limits
from functions.models.composition import CompositionProps
from functions.models.project import Project
from functions.preprocess.compile import compile_project
from functions.render_settings import (
    OutputFormat,
    Quality,
    RenderSettings,
    check_duration,
    design_size,
    render_settings,
)
from local.progress import ProgressBar
from local.render_worker import LocalRenderWorker, RenderFailed, RenderJob


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
        lines += [f'  scene "{d["sceneId"]}", line {d["line"]}, column {d["column"]}: {d["message"]}' for d in error.details]
        return "\n".join(lines)
    return f"framecast: {error.message}"


@dataclass(frozen=True)
class PreparedExport:
    props: CompositionProps
    settings: RenderSettings
    warnings: list[str]

    def job(self, output_path: Path) -> RenderJob:
        return RenderJob(input_props=self.props.to_json_dict(), settings=self.settings, output_path=output_path)


def prepare(project: Project, fmt: OutputFormat, quality: Quality) -> PreparedExport:
    """Preprocess and check a project for one export: everything before the renderer starts."""
    limits = Limits.from_env()
    compiled = compile_project(project, limits)
    check_duration(compiled.total_frames, fmt, limits)
    settings = render_settings(project, fmt, quality)
    design_width, design_height = design_size(project)
    props = CompositionProps(
        title=project.title, width=settings.width, height=settings.height,
        design_width=design_width, design_height=design_height, scenes=compiled.scenes,
    )
    return PreparedExport(props, settings, compiled.warnings)


def cmd_render(args: argparse.Namespace) -> int:
    project = load_project(Path(args.project))
    fmt, quality = OutputFormat(args.format), Quality(args.quality)
    out = Path(args.out) if args.out else Path("out") / f"{Path(args.project).stem}.{fmt.value}"
    try:
        export = prepare(project, fmt, quality)
    except FramecastError as error:
        print(describe(error), file=sys.stderr)
        return 1
    settings = export.settings
    bar = ProgressBar(f"{project.title} → {out} ({fmt.value}, {quality.value}, {settings.width}×{settings.height})")
    try:
        with LocalRenderWorker() as worker:
            result = worker.render(export.job(out), on_progress=bar.update)
    except RenderFailed as error:
        bar.finish()
        print(f"framecast: the render failed: {error}", file=sys.stderr)
        return 1
    bar.finish()
    for warning in export.warnings + result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    seconds = result.duration_in_frames / 30
    print(f"{result.output_path} ({result.size_bytes / 1e6:.2f} MB, {seconds:.1f} s of video, "
          f"{result.width}×{result.height}, rendered in {result.render_seconds:.1f} s)")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from local.auth import issue_token

    print(issue_token(args.user, days=args.days))
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    import signal
    import threading

    from local.stack import LocalStack

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stack = LocalStack(port=args.port)
    stack.start()
    kept = f"data is kept in {stack.state_dir} across restarts ({stack.restored} items and files restored)"
    print(f"Framecast local stack on {stack.url}\n  {kept}; in-flight renders and idempotency records are not\n"
          f"  token for a user: framecast token USER\n  Ctrl-C stops it", flush=True)
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
    token = commands.add_parser("token", help="print a bearer token for a local user")
    token.add_argument("user")
    token.add_argument("--days", type=int, default=30)
    token.set_defaults(handler=cmd_token)
    dev = commands.add_parser("dev", help="run the local stack (API, emulated AWS, render worker)")
    dev.add_argument("--port", type=int, default=8000)
    dev.set_defaults(handler=cmd_dev)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
