// How the local renderer's Chromium is found and launched: one place, so that the render
// sandbox (its flags and walls) and the render pool (how many browsers, when) stay apart.
import {existsSync} from 'node:fs';
import {openBrowser} from '@remotion/renderer';

const BROWSER_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

export const findBrowser = () => {
	const named = process.env.REMOTION_BROWSER_EXECUTABLE;
	if (named) {
		if (!existsSync(named)) throw new Error(`REMOTION_BROWSER_EXECUTABLE=${named} does not exist`);
		return named;
	}
	// null: Remotion downloads its own headless shell, where the network allows it.
	return BROWSER_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
};

// A system Chrome/Chromium has no old headless mode any more; Remotion's own shell has.
export const chromeModeFor = (executable) => (executable ? 'chrome-for-testing' : 'headless-shell');

// The Chromium options every render of this worker uses (passed to openBrowser and renderMedia).
export const chromiumOptions = () => ({});

export const launchBrowser = async (browserExecutable = findBrowser()) => {
	const chromeMode = chromeModeFor(browserExecutable);
	const browser = await openBrowser('chrome', {browserExecutable, chromeMode, chromiumOptions: chromiumOptions()}).catch((error) => {
		const hint = browserExecutable
			? `could not start ${browserExecutable}`
			: 'no system Chromium was found and Remotion could not get its own: install Chromium ' +
				"(Debian: apt-get install chromium) or set REMOTION_BROWSER_EXECUTABLE";
		throw new Error(`${hint}: ${error.message}`);
	});
	return {browser, browserExecutable, chromeMode};
};
