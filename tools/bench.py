"""`make bench`: Framecast's renders against plain Remotion, cold imports and preprocessing, on this
machine, written to docs/benchmarks.md.

Machines here are noisy (2 cores shared with other work), so every comparison is a ratio of two
figures taken in the same run, back to back: the naive `remotion render` CLI from the prebuilt
bundle on the same input props, then `framecast render` (the CLI, its render pool and chunk cache).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from functions import REPO_ROOT
from functions.contract import FPS
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.models.project import Project, SceneInput
from functions.preprocess.compile import compile_project
from functions.render_settings import OutputFormat, Quality
from render.bundle import bundle_dir
from render.pool import default_pool_size
from render.process import _parent_map, descendants, pss_bytes
from tools.naive import naive_command, worker_browser

RESULTS = REPO_ROOT / "docs/benchmarks.md"
EXAMPLE = REPO_ROOT / "examples/landscape.json"
GOALS = {"full": 0.55, "edited": 0.35, "identical": 0.15}


@dataclass
class Timed:
    seconds: float
    peak_bytes: int = 0  # of the process's children (the render pool: Node workers and Chromium)
    cpu_seconds: float = 0.0  # user + system of the command and all it started, as last sampled


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def run_watched(command: list[str], env: dict[str, str] | None = None, sampled: bool = False) -> Timed:
    """Run a command to its end; if sampled, sample the memory (PSS) and CPU of everything it started.

    Timed runs are not sampled: reading every Chromium process's smaps_rollup four times a second
    costs CPU, and more of it beside the pool (a dozen processes) than beside the naive CLI.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    cpu: dict[int, float] = {}  # per process, the last figure seen (a process's last 0.25 s is missed)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.25):
            pids = [process.pid, *descendants(process.pid, _parent_map())]
            peak = max(peak, sum(pss_bytes(pid) for pid in pids))
            cpu.update({pid: max(cpu.get(pid, 0.0), _cpu_seconds(pid)) for pid in pids})

    sampler = threading.Thread(target=sample, daemon=True) if sampled else None
    if sampler:
        sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    if sampler:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command[:3])} failed:\n{stderr[-2000:]}")
    return Timed(seconds, peak, sum(cpu.values()))


class Renders:
    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.bundle = bundle_dir()
        self.cache_dir = scratch / "chunk-cache"

    def naive(
        self,
        project: Project,
        fmt: OutputFormat,
        quality: Quality,
        name: str,
        sampled: bool = False,
        concurrency: int | None = None,
    ) -> Timed:
        plan = plan_export(project, fmt, quality, Limits.from_env())  # what `framecast props` prints
        props = self.scratch / f"{name}.props.json"
        props.write_text(json.dumps(plan.props.to_json_dict()))
        out = self.scratch / f"naive-{name}.{plan.output.extension}"
        command = naive_command(self.bundle, props, plan.output, out)
        if concurrency is not None:
            command.append(f"--concurrency={concurrency}")
        return run_watched(command, sampled=sampled)

    def naive_halves(self, project: Project, fmt: OutputFormat, quality: Quality, name: str) -> Timed:
        """The naive CLI as two processes side by side, each on one half of the frames: the floor
        for two processes that issue 11 names (no chunk cache, no join, no pool)."""
        plan = plan_export(project, fmt, quality, Limits.from_env())
        props = self.scratch / f"{name}.props.json"
        input_props = plan.props.to_json_dict()
        props.write_text(json.dumps(input_props))
        total = sum(scene["durationInFrames"] for scene in input_props["scenes"])
        half = total // 2
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [
                    *naive_command(
                        self.bundle, props, plan.output, self.scratch / f"naive-{name}-{a}.{plan.output.extension}"
                    ),
                    f"--frames={a}-{b}",
                ],
                cwd=REPO_ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for a, b in ((0, half - 1), (half, total - 1))
        ]
        if any(process.wait() != 0 for process in processes):
            raise SystemExit("bench: a half of the naive render failed")
        return Timed(time.perf_counter() - started)

    def framecast(
        self, project: Project, fmt: OutputFormat, quality: Quality, name: str, cache: str, sampled: bool = False
    ) -> Timed:
        path = self.scratch / f"{name}.json"
        path.write_text(project.model_dump_json(by_alias=True))
        out = self.scratch / f"framecast-{name}.{fmt.value}"
        return run_watched(
            [
                sys.executable,
                "-m",
                "cli.main",
                "render",
                str(path),
                "--format",
                fmt.value,
                "--quality",
                quality.value,
                "--out",
                str(out),
            ],
            env={"FRAMECAST_CHUNK_CACHE_DIR": str(self.cache_dir / cache)},
            sampled=sampled,
        )


def edited(project: Project) -> Project:
    """One scene of three changed (a visible word of the middle one)."""
    scenes = list(project.scenes)
    middle = scenes[1]
    scenes[1] = middle.model_copy(update={"tsx_code": middle.tsx_code.replace("Render fast", "Render faster")})
    assert scenes[1].tsx_code != middle.tsx_code
    return project.model_copy(update={"scenes": scenes})


FULL_ROUNDS = 3


def bench_renders(renders: Renders) -> tuple[list[str], list[str], int]:
    project = Project.model_validate_json(EXAMPLE.read_bytes())
    frames = 310
    mp4, medium = OutputFormat.MP4, Quality.MEDIUM
    # Alternating, each framecast figure right after its naive twin. The full export, the figure
    # that moves most with the machine's load, is measured in rounds (each with a cache of its own)
    # and the round with the median ratio is shown; the first round's cache goes on to the edit.
    rounds = [
        (
            renders.naive(project, mp4, medium, f"full-{i}"),
            renders.framecast(project, mp4, medium, f"full-{i}", "main" if i == 0 else f"full-{i}"),
        )
        for i in range(FULL_ROUNDS)
    ]
    full = sorted(rounds, key=lambda pair: pair[1].seconds / pair[0].seconds)[FULL_ROUNDS // 2]
    pairs = {
        "full": full,
        "edited": (
            renders.naive(edited(project), mp4, medium, "edited"),
            renders.framecast(edited(project), mp4, medium, "edited", "main"),
        ),
        "identical": (
            renders.naive(edited(project), mp4, medium, "identical"),
            renders.framecast(edited(project), mp4, medium, "identical", "main"),
        ),
    }
    labels = {
        "full": "full export, never rendered",
        "edited": "one scene of three edited",
        "identical": "identical re-export",
    }
    rows = []
    for key, (naive, ours) in pairs.items():
        ratio = ours.seconds / naive.seconds
        rows.append(
            f"| {labels[key]} | {naive.seconds:.1f} s | {ours.seconds:.1f} s | **{ratio:.2f}×** | "
            f"≤ {GOALS[key]}× | {'met' if ratio <= GOALS[key] else 'not met'} |"
        )
    format_rows = []
    for fmt, quality in [
        (OutputFormat.MP4, Quality.LOW),
        (OutputFormat.WEBM, Quality.LOW),
        (OutputFormat.GIF, Quality.LOW),
        (OutputFormat.MP4, Quality.HIGH),
    ]:
        name = f"{fmt.value}-{quality.value}"
        naive = renders.naive(project, fmt, quality, name)
        ours = renders.framecast(project, fmt, quality, name, name)
        settings = plan_export(project, fmt, quality, Limits.from_env()).output
        encoded = -(-frames // settings.every_nth_frame)
        format_rows.append(
            f"| {fmt.value} {quality.value} {settings.width}×{settings.height} | {encoded} | "
            f"{encoded / naive.seconds:.1f} | {encoded / ours.seconds:.1f} | {ours.seconds / naive.seconds:.2f}× |"
        )
    halves = renders.naive_halves(project, mp4, medium, "halves")
    two_tabs = renders.naive(project, mp4, medium, "two-tabs", concurrency=2)
    full_naive = pairs["full"][0]
    round_ratios = ", ".join(f"{ours.seconds / naive.seconds:.2f}×" for naive, ours in rounds)
    rows += [
        "",
        f"The full export's rounds, each a naive run and then Framecast's: {round_ratios} (the median is above).",
        "",
        f"For scale, in the same run: the naive CLI as two processes side by side, each on one half of the "
        f"frames (no chunk cache, no join), took {halves.seconds:.1f} s, **{halves.seconds / full_naive.seconds:.2f}×** "
        "of the naive full export: the floor for two processes that the issue names. The naive CLI with two "
        f"tabs (`--concurrency=2`, not its default here) took {two_tabs.seconds:.1f} s, "
        f"**{two_tabs.seconds / full_naive.seconds:.2f}×**.",
    ]
    # Memory and CPU in runs of their own, never rendered before: the full export, the largest frames.
    sampled_naive = renders.naive(project, mp4, medium, "sampled", sampled=True)
    sampled = [
        renders.framecast(project, mp4, quality, f"sampled-{quality.value}", f"sampled-{quality.value}", True)
        for quality in (medium, Quality.HIGH)
    ]
    peak = max(run.peak_bytes for run in sampled)
    busy = sampled[0].cpu_seconds / sampled[0].seconds / (os.cpu_count() or 1)
    rows += [
        "",
        f"CPU time of the full export (user + system of every process, sampled in runs of their own): "
        f"naive {sampled_naive.cpu_seconds:.1f} s in {sampled_naive.seconds:.1f} s, framecast "
        f"{sampled[0].cpu_seconds:.1f} s in {sampled[0].seconds:.1f} s, the cores {busy:.0%} busy.",
    ]
    return rows, format_rows, peak


def _import_micros(module: str, pycache: Path) -> int:
    """One fresh interpreter's import of `module`, its bytecode cached under `pycache`."""
    # Bytecode is read from and written to the bench's own cache, whatever the caller's environment
    # says (PYTHONDONTWRITEBYTECODE would make every run compile every module from source).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=REPO_ROOT,
        env={**env, "PYTHONPYCACHEPREFIX": str(pycache)},
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stderr.splitlines():
        parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1])
    raise SystemExit(f"bench: no importtime line for {module}")


def bench_imports() -> list[str]:
    """A cold start imports into a fresh interpreter from compiled bytecode, as an installed package
    has it: a first import of each writes the cache, then five of each, alternating, are timed."""
    api, boto3 = [], []
    with tempfile.TemporaryDirectory(prefix="framecast-pycache-") as scratch:
        pycache = Path(scratch)
        for module in ("functions.handlers.api", "boto3"):
            _import_micros(module, pycache)
        for _ in range(5):
            api.append(_import_micros("functions.handlers.api", pycache))
            boto3.append(_import_micros("boto3", pycache))
    api_ms, boto3_ms = statistics.median(api) / 1000, statistics.median(boto3) / 1000
    return [
        f"| `import boto3` (reference) | {boto3_ms:.0f} ms | 1.00× | |",
        f"| `import functions.handlers.api` | {api_ms:.0f} ms | {api_ms / boto3_ms:.2f}× | ≤ 300 ms: "
        f"{'met' if api_ms <= 300 else 'not met'} |",
    ]


def bench_preprocessing() -> list[str]:
    landscape = Project.model_validate_json(EXAMPLE.read_bytes())
    scenes = [
        SceneInput(id=f"s{i}", name=s.name, tsx_code=s.tsx_code) for i, s in enumerate((landscape.scenes * 4)[:10])
    ]
    project = Project(title="bench", scenes=scenes)
    compile_project(project)  # warm-up: icon sets parsed once per process
    times = []
    for _ in range(5):
        started = time.perf_counter()
        compile_project(project)
        times.append(time.perf_counter() - started)
    ms = statistics.median(times) * 1000
    return [
        f"| preprocessing a 10-scene project (`compile_project`) | {ms:.0f} ms | ≤ 30 ms: "
        f"{'met' if ms <= 30 else 'not met'} |"
    ]


# Remotion Lambda on paper: AWS's arm64 Lambda price per GB-second (us-east-1, 2026) and the render
# function's memory; per-frame and start-up times are the Lambda backend's own estimate.
ARM_USD_PER_GB_SECOND = 0.0000133334
RENDER_FUNCTION_GB = 2
RENDERER_START_SECONDS = 3.0
# The video lengths the framesPerLambda table shows: (label, seconds).
BENCH_LENGTHS = [("10 s", 10), ("1 min", 60), ("10 min", 600), ("30 min", 1800)]


def aws_model_rows() -> tuple[int, list[str], list[str]]:
    """The framesPerLambda rule at a few lengths, and the modelled time and cost of 1 minute of 1080p."""
    from functions.backends.remotion_lambda_backend import (
        _FIXED_SECONDS,
        _SECONDS_PER_FRAME_PER_LAMBDA,
        frames_per_lambda,
        render_lambdas,
    )
    from functions.settings import ServiceSettings

    cap = int(ServiceSettings.model_fields["render_concurrency_limit"].default)
    rule = []
    for label, seconds in BENCH_LENGTHS:
        frames = seconds * FPS
        per = frames_per_lambda(frames, render_lambdas(cap))
        rule.append(f"| {label} | {frames} | {per} | {-(-frames // per)} |")
    frames = 60 * FPS  # one minute
    per = frames_per_lambda(frames, render_lambdas(cap))
    lambdas = -(-frames // per)
    wall = _FIXED_SECONDS + per * _SECONDS_PER_FRAME_PER_LAMBDA
    renderer_seconds = RENDERER_START_SECONDS + per * _SECONDS_PER_FRAME_PER_LAMBDA
    gb_seconds = RENDER_FUNCTION_GB * (lambdas * renderer_seconds + wall)  # the renderers and the main function
    cost = gb_seconds * ARM_USD_PER_GB_SECOND
    model = [
        f"| Lambdas | {lambdas} renderers of {per} frames, and the main function |",
        f"| wall time (warm) | {wall:.1f} s (Remotion's anchor: about 19 s) |",
        f"| compute | {gb_seconds:.0f} GB-s at {RENDER_FUNCTION_GB} GB, arm64 |",
        f"| cost | ${cost:.3f} (Remotion's anchor: about $0.02) |",
    ]
    return cap, rule, model


# The worst minute at scale: this many users press Export at once (issue 23).
BURST_USERS = 1000
# (account concurrency limit, the render function's reservation: renderConcurrencyCap).
ACCOUNT_LIMITS = ((1000, 600), (5000, 4500), (10000, 9000))


def worst_minute_rows() -> tuple[list[str], list[str]]:
    """The queue when BURST_USERS exports start at once, strictly in order within the render budget:
    identical renders start in waves of as many as the budget holds."""
    from functions.backends.remotion_lambda_backend import (
        _FIXED_SECONDS,
        _SECONDS_PER_FRAME_PER_LAMBDA,
        frames_per_lambda,
        render_budget,
        render_lambdas,
        share_of,
    )

    def queue(frames: int, reserved: int) -> tuple[int, int, float, list[float]]:
        budget = render_budget(reserved)
        share = share_of(frames, reserved)
        seconds = _FIXED_SECONDS + frames_per_lambda(frames, render_lambdas(reserved)) * _SECONDS_PER_FRAME_PER_LAMBDA
        at_once = budget // share
        return share, at_once, seconds, [(i // at_once) * seconds for i in range(BURST_USERS)]

    rows, needs = [], []
    for label, frames in (("1 min 1080p", 60 * FPS), ("30 s", 30 * FPS)):
        for account, reserved in ACCOUNT_LIMITS:
            share, at_once, seconds, waits = queue(frames, reserved)
            waits.sort()
            rows.append(
                f"| {label} | {account:,} | {render_budget(reserved):,} | {share} | {seconds:.1f} s | {at_once} | "
                f"{at_once / seconds * 60:.0f} / min | {BURST_USERS - at_once} | {statistics.mean(waits) / 60:.1f} min | "
                f"{waits[int(0.95 * BURST_USERS) - 1] / 60:.1f} min | {waits[-1] / 60:.1f} min |"
            )
        for target in (300, 60):
            reserved = next(r for r in range(100, 10**6, 100) if max(queue(frames, r)[3]) <= target)
            needs.append(
                f"{label}: a worst wait of {target // 60 if target >= 60 else target} min needs a reservation of about {reserved:,}"
            )
    return rows, needs


def main() -> None:
    # The millisecond figures first, before the renders leave the machine busy with their wind-down.
    import_rows = bench_imports()
    preprocessing_rows = bench_preprocessing()
    with tempfile.TemporaryDirectory(prefix="framecast-bench-") as scratch:
        renders = Renders(Path(scratch))
        render_rows, format_rows, peak = bench_renders(renders)
    concurrency_cap, rule_rows, model_rows = aws_model_rows()
    burst_rows, burst_needs = worst_minute_rows()
    pool = default_pool_size()
    executable, chrome_mode = worker_browser()
    browser_name = f"`{executable}`" if executable else "Remotion's own download"
    peak_gib = peak / 2**30
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            f"`make bench` on {date.today().isoformat()}, this repository's {os.cpu_count()}-core machine (shared with",
            "other work while it ran: absolute times move with its load, ratios compare figures taken",
            "back to back in one run). The reference is the naive `remotion render` CLI from the prebuilt",
            "bundle on the same input props (the ones `framecast props` prints), with its defaults (one tab on",
            f"this machine) and the browser the pool uses ({browser_name}, in Remotion's `{chrome_mode}` mode);",
            f"Framecast is `framecast render`: the CLI, its render pool ({pool} processes at this machine's",
            "default, each with its own browser and two tabs a chunk), scene-aligned chunks joined with",
            "`combineChunks()`, and the chunk cache.",
            "",
            "## Exports of examples/landscape.json (310 frames, mp4 medium, 1280×720)",
            "",
            "The edit changes a word of the middle scene of three; the identical re-export follows it with",
            "the same chunk cache (the service's own short cut for identical exports is not involved).",
            "",
            "| | naive CLI | framecast | ratio | goal | |",
            "|---|---|---|---|---|---|",
            *render_rows,
            "",
            "The bound is the machine's two cores: the naive CLI keeps about one busy, Framecast both (the",
            "CPU line above). Its browsers are headless shells with two tabs a chunk (while one tab waits for",
            "its frame the other works), capture each frame without the relayout Remotion asks Chromium for",
            "around every screenshot (the same pixels, tests/render/test_capture.py), load each chunk's page",
            "from a warm HTTP and code cache (the worker's own origins), and start a chunk while the last",
            "one's encoder finishes. Chunks are long (a scene, or pieces of up to 160 captures), as each tab",
            "of a chunk pays a page load and a cold start of its code, about five frames' CPU; the pool",
            "watches its memory through counters the kernel keeps, not by walking Chromium's page tables. What",
            "is left is CPU the pool spends and one process does not: those page loads, a second browser,",
            "Python. What was tried and left is in docs/decisions.md. gif chunks hold as many captures as the",
            "others (every 3rd frame: three times the frames), and gif is re-encoded once at the join, as",
            "Remotion Lambda does; vp8 costs more CPU in several short encodes than in one long one.",
            "",
            "## Frames per second by format (never rendered before)",
            "",
            "| export | frames encoded | naive frames/s | framecast frames/s | ratio of times |",
            "|---|---|---|---|---|",
            *format_rows,
            "",
            "## Memory",
            "",
            "Peak memory (PSS, summed over the Node workers and their Chromium processes) of the render pool at",
            f"its default size of {pool}, over the landscape export at medium and at high quality, never rendered,",
            f"sampled every 0.25 s in runs of their own (the timed runs are not sampled): **{peak_gib:.2f} GiB**",
            f"(goal ≤ 2 GiB: {'met' if peak_gib <= 2 else 'not met'}).",
            "",
            "## On AWS, on paper",
            "",
            "`framesPerLambda` is Remotion's own default (`bestFramesPerFunctionParam`: 75 Lambdas for a short",
            "video up to 150 from 10 minutes, at least 20 frames each), widened only so that one render",
            f"never asks for more Lambdas than `RENDER_CONCURRENCY_LIMIT` (default {concurrency_cap}):",
            "",
            f"| video ({FPS} fps) | frames | framesPerLambda | Lambdas |",
            "|---|---|---|---|",
            *rule_rows,
            "",
            "One minute of 1080p mp4, modelled from the Lambda backend's estimate (8 s of start-up and",
            "stitching, 0.25 s a frame) and AWS's arm64 price; each render's real cost is stored from its",
            "webhook and summed in `GET /exports/stats` (`totalCostUsd`):",
            "",
            "| | |",
            "|---|---|",
            *model_rows,
            "",
            "## The worst minute at scale (admission control, on paper)",
            "",
            f"{BURST_USERS:,} users press Export at 9:00. Each render holds its renderers and its main function for",
            "its whole length (the Lambda backend's `lambdas_of` and estimate, warm); the queue is strictly first",
            "come, first served; renders hold the reservation less the headroom kept for progress reads and",
            "stills (`render_budget`).",
            "",
            "| export | account limit | render budget | Lambdas a render | render | at once | throughput "
            "| queue after the first wave | mean wait | p95 wait | last start |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *burst_rows,
            "",
            *[f"- {need}." for need in burst_needs],
            "",
            "With the default account limit nothing fails any more (every export waits its turn and is counted",
            "once), but the wait at 9:00 is half an hour: ask AWS for a raised concurrency limit before such a",
            "launch, and set `renderConcurrencyCap` to match.",
            "",
            "## Cold import and preprocessing (median of five)",
            "",
            "Each import in a fresh interpreter, from compiled bytecode as an installed package has it (a",
            "first import writes it to a cache of the bench's own, whatever PYTHONDONTWRITEBYTECODE says).",
            'The Lambda layer ships no bytecode (docs/decisions.md, "Cold starts").',
            "",
            "| what | time | ratio | goal |",
            "|---|---|---|---|",
            *import_rows,
            "",
            "| what | time | goal |",
            "|---|---|---|",
            *preprocessing_rows,
            "",
        ]
    )
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
