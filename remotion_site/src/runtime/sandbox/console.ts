// The scene's console, held to a budget per page. Whatever a page logs through console, Remotion
// prints (console.error at every log level, the rest at verbose), locally into the worker's log
// and on Lambda into CloudWatch, which bills every byte: this is the part of a render's log budget
// that holds on both backends, because it travels in the bundle. Reports to the renderer
// (report.ts) keep the console they captured before this runs, and have a budget of their own.
//
// A page may write PAGE_CONSOLE_BUDGET characters. A call that differs from one already written
// only in its digits is a repeat: counted, and its count written once the burst is over. Past the
// budget, calls are counted and dropped, and a line says so when the count reaches 1, 10, 100, …

export const PAGE_CONSOLE_BUDGET = 32 * 1024;
export const MAX_MESSAGE_CHARS = 1000;
// What a non-string argument is taken to cost: Chromium sends a bounded preview of an object.
const OBJECT_CHARS = 200;
const BURST_QUIET_MS = 1000;
// What Remotion adds to each line it prints (`[console.error] `, the newline): charged to every call,
// so the budget is in printed characters however short the calls.
const LINE_OVERHEAD = 24;

type Method = (...args: unknown[]) => void;

const cut = (text: string): string =>
	text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)} … (${text.length - MAX_MESSAGE_CHARS} more characters cut)`;

// At least one character an argument: no call is free.
const sizeOf = (arg: unknown): number =>
	1 + (typeof arg === 'string' ? Math.min(arg.length, MAX_MESSAGE_CHARS + 40) : typeof arg === 'object' && arg !== null ? OBJECT_CHARS : String(arg).length);

const keyOf = (name: string, args: unknown[]): string =>
	[name, ...args.map((arg) => (typeof arg === 'string' ? arg.slice(0, 200) : typeof arg === 'object' && arg !== null ? '{}' : String(arg)))]
		.join(' ')
		.replace(/\d+/g, '#');

// Calls go out through a function made by `new Function`, like the scene's own code, so Remotion
// files them as it would the scene's calls (by the calling script), not as the bundle's.
// eslint-disable-next-line no-new-func
const forward = new Function('method', 'args', 'method.apply(console, args)') as (method: Method, args: unknown[]) => void;

export type ConsoleBudget = {spent: () => number; dropped: () => number};

export const installConsoleBudget = (budget: number = PAGE_CONSOLE_BUDGET): ConsoleBudget => {
	let spent = 0;
	let dropped = 0;
	let nextNotice = 1;
	const repeats = new Map<string, {name: string; first: string; count: number}>();
	let flushing: ReturnType<typeof setTimeout> | null = null;
	const originals = new Map<string, Method>();

	const write = (name: string, args: unknown[], size: number): boolean => {
		if (spent + size > budget) return false;
		spent += size;
		forward(originals.get(name) ?? originals.get('log')!, args);
		return true;
	};
	const flush = (): void => {
		flushing = null;
		for (const repeat of repeats.values()) {
			if (repeat.count === 0) continue;
			const line = `(console) the line "${repeat.first.slice(0, 160)}" and lines like it: ${repeat.count} more times`;
			if (!write(repeat.name, [line], line.length + LINE_OVERHEAD)) dropped += repeat.count;
			repeat.count = 0;
		}
	};
	const drop = (name: string): void => {
		dropped += 1;
		if (dropped < nextNotice) return;
		nextNotice *= 10;
		// Over the budget by design: at most one short line per power of ten.
		forward(originals.get(name)!, [`(console) this page's console passed its budget of ${budget} characters: ${dropped} calls dropped so far`]);
	};

	for (const name of Object.getOwnPropertyNames(console)) {
		const original = (console as unknown as Record<string, unknown>)[name];
		if (typeof original !== 'function') continue;
		originals.set(name, original as Method);
		Object.defineProperty(console, name, {
			configurable: false,
			writable: false,
			value: (...args: unknown[]) => {
				const key = keyOf(name, args);
				const seen = repeats.get(key);
				if (seen) {
					seen.count += 1;
					flushing ??= setTimeout(flush, BURST_QUIET_MS);
					return;
				}
				const shown = args.map((arg) => (typeof arg === 'string' ? cut(arg) : arg));
				if (!write(name, shown, shown.reduce<number>((sum, arg) => sum + sizeOf(arg), LINE_OVERHEAD))) {
					drop(name);
					return;
				}
				repeats.set(key, {name, first: typeof args[0] === 'string' ? args[0] : key, count: 0});
			},
		});
	}
	return {spent: () => spent, dropped: () => dropped};
};
