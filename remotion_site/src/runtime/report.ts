// The channel from the page to whoever renders it: one structured console line per event.
// The local worker collects these through onBrowserLog; they become the render's warnings.
import {REPORT_PREFIX} from '../contract';

export type Report =
	| {type: 'scene-error'; sceneId: string; sceneName: string; message: string}
	| {type: 'warning'; sceneId?: string; sceneName?: string; message: string};

export const report = (event: Report): void => {
	// console.warn so that it also shows in Remotion's own logs at the default log level.
	console.warn(`${REPORT_PREFIX} ${JSON.stringify(event)}`);
};
