// Two render pages of one origin, as the tabs of one chunk are: the first page's scene opens an
// IndexedDB database and keeps it open; the second page then loads (its sandbox clears the
// origin's state) and its scene opens the same database. Prints what each page found in it ('stuck':
// the open never finished) and whether the first page's connection was closed. Usage: node shared_origin_check.mjs BUNDLE_DIR
import {launchBrowser} from '../../render/worker/browser.mjs';
import {serveBundle} from '../../render/worker/bundle_server.mjs';

const origin = await serveBundle(process.argv[2]);
const {browser} = await launchBrowser();

const renderPage = async (index) => {
	const page = await browser.newPage({context: null, logLevel: 'error', indent: false, pageIndex: index, onBrowserLog: null, onLog: () => undefined});
	// What Remotion's renderer sets before a page loads (set-props-and-env): the bundle then seals
	// itself as a render page.
	await page.evaluateOnNewDocument(() => {
		window.remotion_puppeteerTimeout = 30000;
		window.process = {env: {NODE_ENV: 'production'}};
	});
	await page.goto({url: origin.url, timeout: 30000});
	const client = page._client();
	const run = async (expression) => {
		const {value: {result, exceptionDetails}} = await client.send('Runtime.evaluate', {expression, awaitPromise: true, returnByValue: true});
		if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
		return result.value;
	};
	// Sealed: the sandbox's own delayRender() (src/index.ts) is cleared, so the clearing is over.
	const sealed = `typeof window.getStaticCompositions === 'function' &&
		!Object.values(window.remotion_delayRenderTimeouts ?? {}).some(({label}) => label === 'Sealing the render page')`;
	for (let waited = 0; !(await run(sealed)); waited += 50) {
		if (waited > 30000) throw new Error(`render page ${index} was not sealed in 30 s`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return run;
};

// Opens the database (creating its store on first use), writes the page's mark and keeps the
// connection; resolves with what the store held before, or 'stuck' if the open never finished.
const openAndHold = (mark) => `new Promise((resolve) => {
	setTimeout(() => resolve('stuck'), 5000);
	const request = indexedDB.open('held', 1);
	request.onupgradeneeded = () => request.result.createObjectStore('kv');
	request.onsuccess = () => {
		const db = (window.__held = request.result);
		const store = db.transaction('kv', 'readwrite').objectStore('kv');
		const before = store.get('mark');
		before.onsuccess = () => {
			store.put(${JSON.stringify(mark)}, 'mark');
			resolve(before.result ?? null);
		};
	};
	request.onerror = () => resolve('error: ' + request.error);
})`;

try {
	const first = await renderPage(0);
	const firstFound = await first(openAndHold('first'));
	const second = await renderPage(1);
	const secondFound = await second(openAndHold('second'));
	// The first page's connection gave way to the second page's clearing: it is closed.
	const firstClosed = await first(`(() => {
		try {
			window.__held.transaction('kv');
			return false;
		} catch (error) {
			return error.name === 'InvalidStateError';
		}
	})()`);
	console.log(JSON.stringify({firstFound, secondFound, firstClosed}));
} finally {
	await browser.close({silent: true});
	origin.close();
}
