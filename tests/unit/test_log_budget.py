"""The render log's bookkeeping: a byte budget per render, repeats counted, violations shortened,
lines tagged by render, files rotated (render/log_budget.py, render/worker_log.py,
render/worker/log_gate.cjs)."""

import io
import json
import re
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
    module = json.dumps(str(REPO_ROOT / "render/worker/log_gate.cjs"))
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


# The render function's own gate (Lambda): log_gate.cjs's functionLogGate, as function_preload.cjs
# installs it.


def test_the_function_counts_repeats_and_holds_to_its_budget():
    found = _gate(
        """
const written = [];
let clock = 0;
const admit = gate.functionLogGate({write: (level, text) => written.push([level, text]), budgetBytes: 2000, windowMs: 1000, now: () => clock});
for (let i = 0; i < 500; i++) admit('error', [`the same line, call ${i}`]);
for (let i = 0; i < 100; i++) admit('error', [`distinct ${'abcdefghij'[i % 10]}${'klmnopqrst'[Math.floor(i / 10)]} ${'x'.repeat(40)}`]);
const beforeWindow = written.length;
clock = 1000;
admit('log', ['after the window']);
console.log(JSON.stringify({written, beforeWindow}));
"""
    )
    written = [text for _, text in found["written"]]
    assert written[0] == "the same line, call 0"
    assert written[1] == "[framecast] … and 499 more lines like it"
    charged = [t for t in written[: found["beforeWindow"]] if "log budget of" not in t]
    assert sum(len(t.encode()) + 1 for t in charged) <= 2000
    notices = [t for t in written if "log budget of 2000 bytes spent" in t]
    assert [n.split(": ")[1] for n in notices] == ["1 lines dropped so far", "10 lines dropped so far"]
    assert re.fullmatch(r"\[framecast\] \d+ lines \(\d+ bytes\) dropped by the log budget", written[-2])
    assert written[-1] == "after the window"  # a new window, a new budget


def test_the_function_gate_stays_when_the_lambda_runtime_installs_its_console():
    found = _gate(
        f"""
const out = [];
gate.installFunctionLogGate({{budgetBytes: 5000}});
// What the Node runtime does as it starts, after the preload: its writers, and log = info.
console.info = (text) => out.push(['INFO', text]);
console.error = (text) => out.push(['ERROR', text]);
console.log = console.info;
for (let i = 0; i < 300; i++) console.error({json.dumps(VIOLATION)});
for (let i = 0; i < 300; i++) console.log(`line ${{'abcdefghij'[i % 10]}}${{'abcdefghij'[Math.floor(i / 10) % 10]}}${{'abcdefghij'[Math.floor(i / 100)]}} ${{'y'.repeat(100)}}`);
process.stdout.write(JSON.stringify(out));
"""
    )
    levels = {level for level, _ in found}
    assert levels == {"INFO", "ERROR"}
    texts = [text for _, text in found]
    assert texts[0].endswith("was refused by the page's Content-Security-Policy (connect-src)")
    assert texts[1] == "[framecast] … and 299 more lines like it"
    assert sum(len(t.encode()) + 1 for t in texts if "log budget of" not in t) <= 5000
