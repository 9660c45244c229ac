// What the render's Node side logs, bounded: the local worker's stderr (installLogGate) and the
// Lambda render function's console (installFunctionLogGate, loaded by function_preload.cjs).
//
// The worker's stderr, as the pool reads it (render/worker_log.py): every physical line starts with
// the renders it belongs to, `@{job-1,job-2} `, so the pool can hold each render to its log budget
// across processes. A message is split at its newlines before tagging: a scene's text can never
// start a line of its own and so never names a render.
//
// Chromium reports each refused request with the whole violated directive (the policy lists every
// shipped font and top-level domain: 72 KB), and Remotion prints it at every log level. Here such a
// line keeps what a reader needs, the blocked URL and the directive's name, and drops the policy.
'use strict';

const {format} = require('node:util');

// Long enough for a stack frame or a URL worth reading; a line past it is cut, saying by how much.
const MAX_LINE_CHARS = 2000;

const VIOLATION = /^(.*?)\s*(?:because it )?violates the following Content Security Policy directive: "([^\s"]+)[^"]*"\.?(?:\s*Note that '([^']+)' was not explicitly set)?/s;

const shortenViolation = (text) => {
	const found = VIOLATION.exec(text);
	if (!found) return text;
	const [, what, directive, effective] = found;
	return `${what} was refused by the page's Content-Security-Policy (${effective ?? directive})`;
};

const capLine = (line) =>
	line.length <= MAX_LINE_CHARS ? line : `${line.slice(0, MAX_LINE_CHARS)} … (${line.length - MAX_LINE_CHARS} more characters cut)`;

// Task ids are `<render id>/<task>` (render/pool.py, render/join.py).
const renderOf = (taskId) => (taskId.includes('/') ? taskId.slice(0, taskId.lastIndexOf('/')) : taskId);

// Lines are charged to the renders with a task in flight; between tasks, to the last ones (a
// render's pages may still log while Remotion closes them after its task ended).
const logGate = (write) => {
	const running = new Map(); // task id -> render id
	let charged = [];
	const tag = () => `@{${charged.join(',')}} `;
	return {
		begin: (taskId) => {
			running.set(taskId, renderOf(taskId));
			charged = [...new Set(running.values())];
		},
		end: (taskId) => {
			running.delete(taskId);
			if (running.size > 0) charged = [...new Set(running.values())];
		},
		log: (...args) => {
			const text = shortenViolation(format(...args));
			write(text.split(/\r?\n/).map((line) => `${tag()}${capLine(line)}\n`).join(''));
		},
	};
};

// Every console method Node's libraries and Remotion write through goes through the gate; stdout
// stays the protocol's alone.
const installLogGate = (stream = process.stderr) => {
	const gate = logGate((text) => stream.write(text));
	for (const level of ['log', 'info', 'debug', 'warn', 'error', 'trace']) console[level] = gate.log;
	return gate;
};

// On Lambda nobody reads the function's output before CloudWatch ingests (and bills) it, so the
// function holds itself to a budget: at most FUNCTION_LOG_BUDGET_BYTES in any window of 15 minutes,
// Lambda's longest invocation, so one invocation (one chunk of one render) writes at most that
// much. A line alike to the one before but in its digits is counted, not written; past the budget
// lines are dropped, with one notice at the 1st, 10th, 100th, ... drop and a summary when the
// window closes. Violations are shortened and lines cut as in the worker.
const FUNCTION_LOG_BUDGET_BYTES = 256 * 1024;
const FUNCTION_LOG_WINDOW_MS = 15 * 60 * 1000;

const functionLogGate = ({write, budgetBytes = FUNCTION_LOG_BUDGET_BYTES, windowMs = FUNCTION_LOG_WINDOW_MS, now = Date.now}) => {
	let opened = now();
	let spent = 0;
	let dropped = 0;
	let droppedBytes = 0;
	let last = null; // the repeat key of the last line given
	let lastLevel = 'log';
	let repeats = 0;
	const charge = (level, text) => {
		const bytes = Buffer.byteLength(text) + 1;
		if (spent + bytes <= budgetBytes) {
			spent += bytes;
			write(level, text);
			return;
		}
		dropped += 1;
		droppedBytes += bytes;
		if (/^10*$/.test(String(dropped))) write('warn', `[framecast] log budget of ${budgetBytes} bytes spent: ${dropped} lines dropped so far`);
	};
	const flushRepeats = () => {
		if (repeats > 0) charge(lastLevel, `[framecast] … and ${repeats} more lines like it`);
		repeats = 0;
	};
	const closeWindow = () => {
		flushRepeats();
		if (dropped > 0) write('warn', `[framecast] ${dropped} lines (${droppedBytes} bytes) dropped by the log budget`);
		opened = now();
		spent = dropped = droppedBytes = 0;
		last = null;
	};
	return (level, args) => {
		if (now() - opened >= windowMs) closeWindow();
		const text = format(...args).split(/\r?\n/).map((line) => capLine(shortenViolation(line))).join('\n');
		const key = text.replace(/\d+/g, '#');
		if (key === last) {
			repeats += 1;
			return;
		}
		flushRepeats();
		last = key;
		lastLevel = level;
		charge(level, text);
	};
};

const LEVELS = ['log', 'info', 'debug', 'warn', 'error', 'trace'];

// The console methods go through the gate, and stay there when the Lambda runtime installs its
// own later (it assigns console.log & co. as it starts, after our preload): an assignment sets
// what the gate writes to, never replaces the gate.
const installFunctionLogGate = (options = {}) => {
	const inner = Object.fromEntries(LEVELS.map((level) => [level, console[level].bind(console)]));
	const gate = functionLogGate({write: (level, text) => inner[level](text), ...options});
	const gated = Object.fromEntries(LEVELS.map((level) => [level, (...args) => gate(level, args)]));
	const levelOf = new Map(LEVELS.map((level) => [gated[level], level]));
	for (const level of LEVELS) {
		Object.defineProperty(console, level, {
			configurable: true,
			enumerable: true,
			get: () => gated[level],
			// The runtime sets console.log = console.info: that is the info level's writer, not ours.
			set: (fn) => {
				inner[level] = levelOf.has(fn) ? (...args) => inner[levelOf.get(fn)](...args) : fn;
			},
		});
	}
	return gate;
};

module.exports = {
	MAX_LINE_CHARS,
	FUNCTION_LOG_BUDGET_BYTES,
	shortenViolation,
	capLine,
	renderOf,
	logGate,
	installLogGate,
	functionLogGate,
	installFunctionLogGate,
};
