// The channel from the page to whoever renders it: one structured console line per event.
// The local worker collects these through onBrowserLog; they become the render's warnings.
import {REPORT_PREFIX} from '../contract';

export type Report =
	| {type: 'scene-error'; sceneId: string; sceneName: string; message: string}
	| {type: 'warning'; sceneId?: string; sceneName?: string; message: string};

// Taken before the sandbox holds the scene's console to its budget (sandbox/console.ts): reports
// have a budget of their own. Each distinct report is sent once per page (a scene that throws
// throws on every frame, a refused pop-up may be retried in a loop), at most MAX_REPORTS of them,
// each message cut to MAX_REPORT_CHARS: a page's reports stay under about 60 KB on both backends.
const warn = console.warn.bind(console);
export const MAX_REPORTS = 100;
export const MAX_REPORT_CHARS = 500;
const sent = new Set<string>();

const send = (event: Report): void => {
	// console.warn so that it also shows in Remotion's own logs at the default log level.
	warn(`${REPORT_PREFIX} ${JSON.stringify(event)}`);
};

export const report = (event: Report): void => {
	const message = event.message.length <= MAX_REPORT_CHARS ? event.message : `${event.message.slice(0, MAX_REPORT_CHARS)}…`;
	const key = JSON.stringify({...event, message});
	if (sent.has(key) || sent.size > MAX_REPORTS) return;
	sent.add(key);
	if (sent.size > MAX_REPORTS) {
		send({type: 'warning', message: `this page made more than ${MAX_REPORTS} different reports; the rest were dropped`});
		return;
	}
	send({...event, message});
};
