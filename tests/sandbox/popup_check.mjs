// Drives the worker's own browser launch (render/worker/browser.mjs) past the render page's
// guards, as a scene that found a way around them would, and prints what Chromium did.
import {chromeModeFor, findBrowser, launchBrowser} from '../../render/worker/browser.mjs';

const {browser} = await launchBrowser();
try {
	const {value: {arguments: flags}} = await browser.connection.send('Browser.getBrowserCommandLine');
	const page = await browser.newPage({context: null, logLevel: 'error', indent: false, pageIndex: 0, onBrowserLog: null, onLog: () => undefined});
	const client = page._client();
	const run = async (expression, userGesture) =>
		(await client.send('Runtime.evaluate', {expression, userGesture, returnByValue: true})).value.result.value;
	const pageTargets = () => browser.targets().filter((target) => target.type() === 'page').length;
	const before = pageTargets();
	// No user gesture (what a render page has): a full Chromium's pop-up blocker refuses it; a
	// headless shell has no pop-up blocker (it is part of Chrome's UI layer), so it opens.
	const blockedWithoutGesture = await run("(window.__quiet = window.open('about:blank', '_blank')) === null", false);
	// With a gesture the blocker lets it through: then the worker must close it at once, as every other.
	const openedWithGesture = await run("(window.__popup = window.open('about:blank', '_blank')) !== null", true);
	await new Promise((resolve) => setTimeout(resolve, 1500));
	const popupClosed = await run(
		'[window.__quiet, window.__popup].every((popup) => popup === null || popup.closed)', false,
	);
	console.log(JSON.stringify({
		chromeMode: chromeModeFor(findBrowser()),
		droppedFlagPassed: flags.includes('--disable-popup-blocking'),
		blockedWithoutGesture, openedWithGesture, popupClosed, extraPages: pageTargets() - before,
	}));
} finally {
	await browser.close({silent: true});
}
