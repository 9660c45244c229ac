"""The render log's bookkeeping: a byte budget per render, repeats counted, violations shortened,
lines tagged by render, files rotated (render/log_budget.py, render/worker_log.py,
render/worker/log_gate.mjs)."""

import io
import json
import subprocess

from functions import REPO_ROOT
from render.log_budget import MAX_CLOSING_LINE_BYTES, LogBudget, Verdict, size_of
from render.worker_log import MAX_READ_CHARS, WorkerLog, parse
from tests.helpers.logs import render_lines

POLICY = "default-src http://127.0.0.1:4000/public/ " + " ".join(f"https://*.tld{i}" for i in range(3000))
VIOLATION = (
    f"[console.error] Connecting to 'http://127.0.0.1:9/secret' violates the following Content Security Policy "
    f"directive: \"{POLICY}\". Note that 'connect-src' was not explicitly set, so 'default-src' is used as a "
    "fallback. The action has been blocked."
)


def test_lines_alike_but_in_digits_are_counted_once_and_their_count_closes_the_render():
    budget = LogBudget(10_000)
    verdicts = [budget.judge("r", f"frame {i} refused", f"w0 r: frame {i} refused") for i in range(1000)]
    assert verdicts[0] is Verdict.WRITE
    assert set(verdicts[1:]) == {Verdict.REPEAT}
    assert budget.end("r") == ["r: the line “frame 0 refused” and lines like it: 999 more times"]


def test_past_its_budget_a_render_writes_nothing_more_but_one_line_saying_how_much_it_dropped():
    budget = LogBudget(1000)
    lines = [f"w0 r: {letter * 3} " + "x" * 80 for letter in "abcdefghijklmnopqrst"]
    written = [line for line in lines if budget.judge("r", line, line) is Verdict.WRITE]
    closing = budget.end("r")
    assert sum(size_of(line) for line in written) <= 1000
    assert len(closing) == 1 and "past this render's log budget of 1000 bytes" in closing[0]
    assert size_of(closing[0]) <= MAX_CLOSING_LINE_BYTES
    # Another render has a budget of its own; a late line of the ended one none left.
    assert budget.judge("other", "epsilon", "w0 other: epsilon") is Verdict.WRITE
    assert budget.judge("r", "zeta " + "x" * 900, "w0 r: zeta " + "x" * 900) is Verdict.DROP
    assert budget.end("r") == []


def test_repeat_counts_that_do_not_fit_the_budget_are_folded_into_the_dropped_line():
    budget = LogBudget(200)
    line = "w0 r: refused http://10.0.0.1/" + "a" * 60
    assert budget.judge("r", line, line) is Verdict.WRITE
    for _ in range(50):
        budget.judge("r", line, line)
    closing = budget.end("r")
    assert len(closing) == 1 and closing[0].startswith("r: 50 more lines")


def test_the_pool_log_writes_each_render_within_its_budget_across_processes(tmp_path):
    log = WorkerLog(tmp_path / "workers.log", budget_bytes=2000)
    for i in range(200):
        log.write(f"worker-{i % 2}", f"@{{flood}} distinct {chr(97 + i % 26) * (i // 26 + 1)} " + "y" * 50 + "\n")
        log.write("worker-0", f"@{{calm}} calm line {i}\n")
    log.write("worker-1", "a worker's own start line, charged to no render\n")
    log.end("flood")
    log.end("calm")
    log.close()
    flood = render_lines(log.path, "flood")
    assert sum(len(line.encode()) + 1 for line in flood) <= 2000 + MAX_CLOSING_LINE_BYTES
    assert "past this render's log budget" in flood[-1]
    calm = render_lines(log.path, "calm")
    assert calm == ["worker-0 calm: calm line 0", "calm: the line “calm line 0” and lines like it: 199 more times"]
    assert "worker-1: a worker's own start line, charged to no render" in log.path.read_text()


def test_a_line_charged_to_two_renders_is_written_only_while_both_have_room(tmp_path):
    log = WorkerLog(tmp_path / "workers.log", budget_bytes=400)
    log.write("worker-0", "@{a} " + "x" * 270 + "\n")  # a's budget for lines is spent
    log.write("worker-0", "@{a,b} shared line\n")
    log.close()
    assert "shared line" not in log.path.read_text()
    assert parse("@{a,b} text") == (["a", "b"], "text")
    assert parse("@{a} a scene wrote @{b} here") == (["a"], "a scene wrote @{b} here")
    assert parse("untagged") == ([], "untagged")


def test_the_log_file_rotates_by_size_and_keeps_a_few(tmp_path):
    log = WorkerLog(tmp_path / "workers.log", budget_bytes=10**9, max_bytes=10_000, backups=2)
    for i in range(2000):
        log.write("worker-0", f"@{{r}} {'abcdefghij'[i % 10] * (i % 37 + 1)} line {'z' * 40}\n")
    log.close()
    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["workers.log", "workers.log.1", "workers.log.2"]
    assert all(path.stat().st_size <= 10_000 for path in tmp_path.iterdir())


def test_a_worker_line_longer_than_the_read_limit_is_written_cut(tmp_path):
    log = WorkerLog(tmp_path / "workers.log")
    stream = io.StringIO("@{r} " + "q" * (MAX_READ_CHARS * 3) + "\n@{r} next line\n")
    log.pump("worker-0", stream)
    log.close()
    lines = log.path.read_text().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("… (cut)") and len(lines[0]) < MAX_READ_CHARS + 40
    assert lines[1] == "worker-0 r: next line"


def _gate(script: str) -> object:
    module = json.dumps(str(REPO_ROOT / "render/worker/log_gate.mjs"))
    out = subprocess.run(
        ["node", "--input-type=module", "-e", f"import * as gate from {module};\n{script}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return json.loads(out)


def test_the_worker_logs_a_violation_as_its_blocked_url_and_directive_never_the_policy():
    found = _gate(f"console.log(JSON.stringify(gate.shortenViolation({json.dumps(VIOLATION)})))")
    assert found == (
        "[console.error] Connecting to 'http://127.0.0.1:9/secret' was refused by the page's "
        "Content-Security-Policy (connect-src)"
    )
    older = "Refused to load the image 'http://10.0.0.1/a.png' because it violates the following Content Security Policy directive: \"img-src https://*.com\"."
    assert _gate(f"console.log(JSON.stringify(gate.shortenViolation({json.dumps(older)})))") == (
        "Refused to load the image 'http://10.0.0.1/a.png' was refused by the page's Content-Security-Policy (img-src)"
    )


def test_the_worker_tags_every_physical_line_with_the_renders_whose_tasks_run():
    found = _gate(
        """
const lines = [];
const g = gate.logGate((text) => lines.push(text));
g.log('before any task');
g.begin('job-1/chunk-0-1');
g.log('a scene wrote\\n@{job-9} a forged tag', 'x'.repeat(5000));
g.begin('job-2/still-3');
g.log('two at once');
g.end('job-1/chunk-0-1');
g.end('job-2/still-3');
g.log('after: still charged to the last');
console.log(JSON.stringify(lines.join('')));
"""
    )
    assert isinstance(found, str)
    lines = found.splitlines()
    assert lines[0] == "@{} before any task"
    assert lines[1] == "@{job-1} a scene wrote"
    assert lines[2].startswith("@{job-1} @{job-9} a forged tag x") and lines[2].endswith("(3022 more characters cut)")
    assert lines[3] == "@{job-1,job-2} two at once"
    assert lines[4] == "@{job-2} after: still charged to the last"
