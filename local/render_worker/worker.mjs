// Framecast's local render worker: renders the remotion_site composition with @remotion/renderer
// and the system Chromium. The Python side (local/render_worker/client.py) drives it over
// JSON lines: commands on stdin, events on stdout. Everything else goes to stderr.
//
//   -> {"type":"render","id":"r1","inputProps":{...},"codec":"h264","crf":23,"jpegQuality":80,
//       "everyNthFrame":1,"outputPath":"/abs/out.mp4"}
//   -> {"type":"cancel","id":"r1"}
//   <- {"type":"ready"} | {"type":"progress","id","progress"} | {"type":"done","id",...}
//   <- {"type":"error","id","message","cancelled"}
//
// The bundle is built once and reused until the site's sources change; the browser is opened
// once and reused for every render of this process.
import {createHash} from 'node:crypto';
import {existsSync, promises as fs, readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {fileURLToPath} from 'node:url';
import {bundle} from '@remotion/bundler';
import {makeCancelSignal, renderMedia, selectComposition} from '@remotion/renderer';
import {launchBrowser} from './browser.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = path.join(REPO, 'remotion_site');
const CACHE = process.env.FRAMECAST_CACHE_DIR ?? path.join(REPO, '.cache');
// The constants every side shares (functions/contract.json): the composition id and the prefix of
// the scene runtime's console reports.
const CONTRACT = JSON.parse(readFileSync(path.join(REPO, 'functions/contract.json'), 'utf8'));
const COMPOSITION_ID = CONTRACT.compositionId;
const REPORT_PREFIX = `${CONTRACT.reportPrefix} `;

// stdout is the protocol; Remotion and React log through console, so send that to stderr.
for (const level of ['log', 'info', 'debug']) console[level] = (...args) => console.error(...args);
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const listFiles = (dir) =>
	readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? listFiles(full) : [full];
	});

// Everything the bundle is made of: the site's sources and the exact dependency tree.
export const bundleHash = () => {
	const hash = createHash('sha256');
	const files = [...listFiles(path.join(SITE, 'src')), path.join(SITE, 'package.json'), path.join(SITE, 'tsconfig.json'), path.join(REPO, 'package-lock.json'), path.join(REPO, 'functions/contract.json')];
	for (const file of files.sort()) {
		hash.update(path.relative(REPO, file)).update('\0').update(readFileSync(file)).update('\0');
	}
	return hash.digest('hex').slice(0, 16);
};

export const ensureBundle = async () => {
	const dir = path.join(CACHE, 'bundle', bundleHash());
	if (existsSync(path.join(dir, 'index.html'))) return {dir, cached: true};
	const tmp = `${dir}.tmp-${process.pid}`;
	await fs.rm(tmp, {recursive: true, force: true});
	await bundle({entryPoint: path.join(SITE, 'src/index.ts'), outDir: tmp, enableCaching: true});
	// Renamed into place whole, so a half-written bundle is never taken for a cached one.
	await fs.rm(dir, {recursive: true, force: true});
	await fs.rename(tmp, dir);
	return {dir, cached: false};
};

const concurrency = () => process.env.FRAMECAST_RENDER_CONCURRENCY ?? null;

const collectReports = (warnings) => (log) => {
	const text = log.text ?? '';
	const at = text.indexOf(REPORT_PREFIX);
	if (at < 0) return;
	try {
		const event = JSON.parse(text.slice(at + REPORT_PREFIX.length));
		const message =
			event.type === 'scene-error'
				? `scene "${event.sceneId}" (${event.sceneName}) threw while rendering: ${event.message}; a fallback frame was shown`
				: event.sceneId
					? `scene "${event.sceneId}": ${event.message}`
					: event.message;
		warnings.add(message); // every tab reports the same error for every frame: keep it once
	} catch {
		warnings.add(text);
	}
};

const main = async () => {
	const {dir: serveUrl, cached} = await ensureBundle();
	if (process.argv.includes('--bundle-only')) {
		console.error(`bundle ${cached ? 'up to date' : 'built'}: ${serveUrl}`);
		return;
	}
	const {browser, browserExecutable, chromeMode} = await launchBrowser();
	const jobs = new Map();

	const render = async (command) => {
		const {id, inputProps, outputPath} = command;
		if (cancelledWhileQueued.delete(id)) {
			emit({type: 'error', id, message: 'the render was cancelled', cancelled: true, warnings: []});
			return;
		}
		const {cancelSignal, cancel} = makeCancelSignal();
		jobs.set(id, cancel);
		const warnings = new Set();
		// Same folder (so the final rename is atomic) and same extension (Remotion checks it).
		const {dir, name, ext} = path.parse(outputPath);
		const partial = path.join(dir, `.${name}.part-${process.pid}-${id}${ext}`);
		const started = Date.now();
		try {
			await fs.mkdir(path.dirname(outputPath), {recursive: true});
			const composition = await selectComposition({
				serveUrl, id: COMPOSITION_ID, inputProps, puppeteerInstance: browser, browserExecutable, chromeMode,
				onBrowserLog: collectReports(warnings),
			});
			let last = -1;
			await renderMedia({
				serveUrl, composition, inputProps, puppeteerInstance: browser, browserExecutable, chromeMode,
				codec: command.codec, crf: command.crf ?? undefined, jpegQuality: command.jpegQuality, imageFormat: 'jpeg',
				everyNthFrame: command.everyNthFrame ?? 1, outputLocation: partial, overwrite: true,
				concurrency: concurrency(), cancelSignal, onBrowserLog: collectReports(warnings),
				// A loaded 2-core machine can take longer than Remotion's default 30 s to load the bundle.
				timeoutInMilliseconds: 120000,
				onProgress: ({progress}) => {
					const percent = Math.floor(progress * 100);
					if (percent !== last) {
						last = percent;
						emit({type: 'progress', id, progress});
					}
				},
			});
			// The output appears whole or not at all.
			await fs.rename(partial, outputPath);
			emit({
				type: 'done', id, outputPath, sizeBytes: statSync(outputPath).size, warnings: [...warnings],
				durationInFrames: composition.durationInFrames, width: composition.width, height: composition.height,
				renderSeconds: (Date.now() - started) / 1000,
			});
		} catch (error) {
			await fs.rm(partial, {force: true});
			const cancelled = /cancel/i.test(String(error?.message ?? error));
			emit({type: 'error', id, message: String(error?.message ?? error), cancelled, warnings: [...warnings]});
		} finally {
			jobs.delete(id);
		}
	};

	emit({type: 'ready', bundle: serveUrl, bundleCached: cached, browser: browserExecutable});
	// One render at a time: Remotion already spreads a render's frames over the browser's tabs, and
	// two renders at once on a small machine only slow each other down. The rest wait their turn.
	let queue = Promise.resolve();
	const waiting = new Set();
	const cancelledWhileQueued = new Set();
	const lines = readline.createInterface({input: process.stdin});
	for await (const line of lines) {
		if (!line.trim()) continue;
		let command;
		try {
			command = JSON.parse(line);
		} catch {
			emit({type: 'error', id: null, message: `not JSON: ${line.slice(0, 200)}`});
			continue;
		}
		if (command.type === 'render') {
			waiting.add(command.id);
			queue = queue.then(() => {
				waiting.delete(command.id);
				return render(command);
			});
		} else if (command.type === 'cancel') {
			if (waiting.has(command.id)) cancelledWhileQueued.add(command.id);
			jobs.get(command.id)?.();
		} else if (command.type === 'shutdown') {
			break;
		}
	}
	// stdin closed or shutdown: cancel what waits and what runs, then close the browser.
	for (const id of waiting) cancelledWhileQueued.add(id);
	for (const cancel of jobs.values()) cancel();
	await queue;
	await browser.close({silent: true});
};

main().catch((error) => {
	emit({type: 'fatal', message: String(error?.stack ?? error)});
	process.exitCode = 1;
});
