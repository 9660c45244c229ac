// The worker's stderr, as the pool reads it (render/worker_log.py): every physical line starts with
// the renders it belongs to, `@{job-1,job-2} `, so the pool can hold each render to its log budget
// across processes. A message is split at its newlines before tagging: a scene's text can never
// start a line of its own and so never names a render.
//
// Chromium reports each refused request with the whole violated directive (the policy lists every
// shipped font and top-level domain: 72 KB), and Remotion prints it at every log level. Here such a
// line keeps what a reader needs, the blocked URL and the directive's name, and drops the policy.
import {format} from 'node:util';

// Long enough for a stack frame or a URL worth reading; a line past it is cut, saying by how much.
export const MAX_LINE_CHARS = 2000;

const VIOLATION = /^(.*?)\s*(?:because it )?violates the following Content Security Policy directive: "([^\s"]+)[^"]*"\.?(?:\s*Note that '([^']+)' was not explicitly set)?/s;

export const shortenViolation = (text) => {
	const found = VIOLATION.exec(text);
	if (!found) return text;
	const [, what, directive, effective] = found;
	return `${what} was refused by the page's Content-Security-Policy (${effective ?? directive})`;
};

export const capLine = (line) =>
	line.length <= MAX_LINE_CHARS ? line : `${line.slice(0, MAX_LINE_CHARS)} … (${line.length - MAX_LINE_CHARS} more characters cut)`;

// Task ids are `<render id>/<task>` (render/pool.py, render/join.py).
export const renderOf = (taskId) => (taskId.includes('/') ? taskId.slice(0, taskId.lastIndexOf('/')) : taskId);

// Lines are charged to the renders with a task in flight; between tasks, to the last ones (a
// render's pages may still log while Remotion closes them after its task ended).
export const logGate = (write) => {
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
export const installLogGate = (stream = process.stderr) => {
	const gate = logGate((text) => stream.write(text));
	for (const level of ['log', 'info', 'debug', 'warn', 'error', 'trace']) console[level] = gate.log;
	return gate;
};
