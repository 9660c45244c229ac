// The control of the WebRTC wall: peer_attack.js in a plain page of the worker's own browser
// (render/worker/browser.mjs), with no render sandbox. The listeners must hear it here, or the
// sandboxed test proves nothing. Prints what started; argv: the attack file, the targets (JSON).
import {readFileSync} from 'node:fs';
import {launchBrowser} from '../../render/worker/browser.mjs';

const [attackFile, targets] = process.argv.slice(2);
const {browser} = await launchBrowser();
try {
	const page = await browser.newPage({context: null, logLevel: 'error', indent: false, pageIndex: 0, onBrowserLog: null, onLog: () => undefined});
	const expression = `(() => { const started = []; (${readFileSync(attackFile, 'utf8')})(${targets}, (what) => started.push(what)); return started; })()`;
	const {value} = await page._client().send('Runtime.evaluate', {expression, returnByValue: true});
	await new Promise((resolve) => setTimeout(resolve, 2500));
	console.log(JSON.stringify({started: value.result.value ?? []}));
} finally {
	await browser.close({silent: true});
}
