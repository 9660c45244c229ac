// The control of a wall: an attack of scenes/ (the same file the hostile scene runs) in a plain page
// of the worker's own browser (render/worker/browser.mjs), with no render sandbox. What it sends
// must be seen here, or the sandboxed test proves nothing. Prints what started.
// argv: the attack file, the targets (JSON), and optionally the browser executable and a page URL
// to run it in (an http page: Chromium prefetches nothing for about:blank).
import {readFileSync} from 'node:fs';
import {launchBrowser} from '../../render/worker/browser.mjs';

const [attackFile, targets, executable, url] = process.argv.slice(2);
const {browser} = await launchBrowser(executable || undefined);
try {
	const page = await browser.newPage({context: null, logLevel: 'error', indent: false, pageIndex: 0, onBrowserLog: null, onLog: () => undefined});
	if (url) {
		await page._client().send('Page.navigate', {url});
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	const expression = `(() => { const started = []; (${readFileSync(attackFile, 'utf8')})(${targets}, (what) => started.push(what)); return started; })()`;
	const {value} = await page._client().send('Runtime.evaluate', {expression, returnByValue: true});
	await new Promise((resolve) => setTimeout(resolve, 2500));
	console.log(JSON.stringify({started: value.result.value ?? []}));
} finally {
	await browser.close({silent: true});
}
