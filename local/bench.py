"""`make bench`: preprocessing and rendering measured on this machine, written to docs/benchmarks.md.

Machines here are noisy, so every comparison is a ratio of two figures taken in the same run.
"""

import statistics
import time
from datetime import date
from pathlib import Path

from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.models.project import Project, SceneInput
from functions.preprocess import esbuild
from functions.preprocess.allowlist import EXTERNAL_PACKAGES
from functions.preprocess.compile import compile_project
from functions.render_settings import OutputFormat, Quality
from local.cli import render_job
from local.render_worker import LocalRenderWorker

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "docs/benchmarks.md"
OUT = REPO_ROOT / ".cache/bench"


def _median_seconds(action, repeat: int) -> float:
    action()  # warm-up: page cache, icon sets parsed once per process
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_compile() -> list[str]:
    landscape = Project.model_validate_json((REPO_ROOT / "examples/landscape.json").read_bytes())
    scenes = [SceneInput(id=f"s{i}", name=s.name, tsx_code=s.tsx_code)
              for i, s in enumerate(landscape.scenes * 10)]
    project = Project(title="bench", scenes=scenes)
    entries = {str(i): s.tsx_code for i, s in enumerate(scenes)}
    one_call = _median_seconds(lambda: esbuild.build(entries, EXTERNAL_PACKAGES), 5)
    per_scene = _median_seconds(lambda: [esbuild.build({k: v}, EXTERNAL_PACKAGES) for k, v in entries.items()], 3)
    whole = _median_seconds(lambda: compile_project(project), 5)
    return [
        f"| esbuild, {len(scenes)} scenes in one process | {one_call * 1000:.0f} ms | 1.00 |",
        f"| esbuild, {len(scenes)} scenes one process each | {per_scene * 1000:.0f} ms | {per_scene / one_call:.2f} |",
        f"| compile_project, {len(scenes)} scenes (esbuild + icons + checks) | {whole * 1000:.0f} ms | {whole / one_call:.2f} |",
    ]


def bench_render() -> list[str]:
    project = Project.model_validate_json((REPO_ROOT / "examples/landscape.json").read_bytes())
    rows = []
    with LocalRenderWorker() as worker:
        first = None
        for fmt, quality in [(OutputFormat.MP4, Quality.LOW), (OutputFormat.MP4, Quality.LOW),
                             (OutputFormat.MP4, Quality.MEDIUM), (OutputFormat.WEBM, Quality.LOW),
                             (OutputFormat.GIF, Quality.LOW)]:
            plan = plan_export(project, fmt, quality, Limits.from_env())
            settings = plan.output
            job = render_job(plan, OUT / f"landscape-{quality}.{settings.extension}")
            started = time.perf_counter()
            result = worker.render(job)
            seconds = time.perf_counter() - started
            first = first or seconds
            frames = result.duration_in_frames // settings.every_nth_frame
            rows.append(f"| {fmt.value} {quality.value} {result.width}×{result.height} | {frames} | {seconds:.1f} s | "
                        f"{frames / seconds:.1f} | {seconds / first:.2f} | {result.size_bytes / 1e6:.2f} MB |")
    return rows


def main() -> None:
    compile_rows = bench_compile()
    render_rows = bench_render()
    text = "\n".join([
        "# Benchmarks",
        "",
        f"`make bench` on {date.today().isoformat()}, this repository's 2-core machine. Ratios compare figures",
        "taken in the same run; absolute times move with the machine's load.",
        "",
        "## Preprocessing (median of repeated runs)",
        "",
        "One esbuild process for every scene of an export is what `compile_project` does; the second row",
        "is what one process per scene would cost.",
        "",
        "| what | time | ratio to one process |",
        "|---|---|---|",
        *compile_rows,
        "",
        "## Local renders of examples/landscape.json (310 frames), one worker",
        "",
        "The first render opens the browser tab pool; the second is the same job on the warm worker.",
        "Frames per second are bound by Chromium taking screenshots on two cores, not by encoding:",
        "mp4 and webm at 480p and 720p differ little, and gif encodes a third of the frames.",
        "",
        "| export | frames encoded | wall time | frames/s | ratio to first | size |",
        "|---|---|---|---|---|---|",
        *render_rows,
        "",
    ])
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
