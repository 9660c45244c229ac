// One process of Framecast's render pool: renders frame ranges ("chunks") of the remotion_site
// composition with @remotion/renderer in its own Chromium, and joins chunks with Remotion's
// combineChunks(), as Remotion Lambda's renderer and main functions do.
// The Python side (render/pool.py) drives it over JSON lines: commands on stdin, events on stdout,
// in the shapes of protocol.mjs (render/protocol.py on the Python side). Everything else goes to
// stderr. One handler per command: chunk, combine, still, cancel.
//
// The browser is launched as the process starts and kept for every chunk and still of it; chunks
// load the bundle from this process's own server (bundle_server.mjs), stills from Remotion's.
import {existsSync, promises as fs, readFileSync, realpathSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';
import readline from 'node:readline';
import {fileURLToPath} from 'node:url';
import {combineChunks, makeCancelSignal, renderMedia, renderStill} from '@remotion/renderer';
import {browserVersion, chromeModeFor, chromiumOptions, findBrowser, launchBrowser} from './browser.mjs';
import {ensureBundle} from './bundle.mjs';
import {serveBundle} from './bundle_server.mjs';
import {COMMANDS, EVENTS, messageProblems} from './protocol.mjs';

// Remotion's Node side downloads media for the scene (audio to mix, /proxy sources, stack-trace
// files): net_guard.cjs refuses every address that is not public before a packet leaves. Only
// this process's own bundle servers are allowed (staticFile() audio is served there).
const require = createRequire(import.meta.url);
const {installNetGuard, allowOrigin} = require('./net_guard.cjs');
const {installLogGate} = require('./log_gate.cjs');

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The constants every side shares (functions/contract.json): the composition id and the prefix of
// the scene runtime's console reports.
const CONTRACT = JSON.parse(readFileSync(path.join(REPO, 'functions/contract.json'), 'utf8'));
const COMPOSITION_ID = CONTRACT.compositionId;
const REPORT_PREFIX = `${CONTRACT.reportPrefix} `;

// stdout is the protocol; Remotion and React log through console, so all of that goes to stderr,
// each line tagged with the renders it belongs to (log_gate.cjs).
const logs = installLogGate();
const emit = (event) => {
	// Sent all the same: the pool turns a malformed event into its task's error, so it never hangs.
	const wrong = messageProblems(EVENTS, event);
	if (wrong.length > 0) console.error(`an event breaks the protocol: ${wrong.join('; ')}`);
	process.stdout.write(`${JSON.stringify(event)}\n`);
};
const emitError = (id, error, {infra = false, warnings = [], cancelled} = {}) => {
	const message = String(error?.message ?? error);
	emit({type: 'error', id, message, cancelled: cancelled ?? /cancel/i.test(message), infra, warnings: [...warnings]});
};

// Tabs per browser for a chunk. A headless shell renders with two tabs in about two thirds of the
// time of one (while one tab waits for its frame, the other works); a full Chromium in its new
// headless mode got no faster and spent a third more CPU (docs/decisions.md). The environment may
// say otherwise. Remotion refuses more tabs than cores.
const concurrency = (chromeMode) =>
	Number(process.env.FRAMECAST_RENDER_CONCURRENCY || (chromeMode === 'headless-shell' ? Math.min(2, os.availableParallelism()) : 1));

// What Remotion Lambda renders a chunk as (serverless/handlers/renderer): h264 and gif chunks are
// MPEG-TS h264 (byte-concatenated, or re-encoded to gif with one palette when joined); audio is
// PCM, so chunks of any length join sample-exactly before the one encode to AAC or Opus.
const chunkCodec = (codec) => (codec === 'h264' || codec === 'gif' ? 'h264-ts' : codec);

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
					? `scene "${event.sceneId}"${event.sceneName ? ` (${event.sceneName})` : ''}: ${event.message}`
					: event.message;
		warnings.add(message); // every tab reports the same error for every frame: keep it once
	} catch {
		warnings.add(text);
	}
};

// Each chunk's encoder on one thread. The pool keeps every core busy with browsers and several
// encoders at once, and libvpx's threads wait for each other by spinning: under that load a vp8
// chunk's encode took three to five times its CPU alone (the landscape webm: 21 CPU-s of ffmpeg
// against 4 in one process). x264 saves its threads' system time too. `-threads` is an output
// option: it goes before the output file, Remotion's last argument.
// The exception is x264 on the last chunk the pool had queued (`lastChunk`): its encode starts after
// its last capture (h264-ts), when no next chunk captures beside it, and the render waits for it
// alone; x264's threads, unlike libvpx's, sleep while they wait.
const oneEncoderThread = ({args}) => [...args.slice(0, -1), '-threads', '1', args.at(-1)];
const encoderThreads = (command) => (command.lastChunk && chunkCodec(command.codec) === 'h264-ts' ? undefined : oneEncoderThread);

// The composition as selectComposition() would return it: the pool already knows its size and length.
const compositionOf = (command) => ({
	id: COMPOSITION_ID, ...command.composition, defaultProps: {}, props: command.inputProps, defaultCodec: null,
	defaultOutName: null, defaultVideoImageFormat: null, defaultPixelFormat: null, defaultProResProfile: null,
	defaultSampleRate: null,
});

// The file appears whole or not at all: written beside its final name, then renamed.
const partialPath = (target, id) => {
	const {dir, name, ext} = path.parse(target);
	return path.join(dir, `.${name}.part-${process.pid}-${String(id).replace(/[^\w.-]/g, '_')}${ext}`);
};

// The browser of this process, launched once and shared by its chunks and stills. One that failed
// to start is forgotten, so the next task launches one afresh.
const keptBrowser = () => {
	let launching = null;
	return {
		get: () => {
			launching ??= launchBrowser().catch((error) => {
				launching = null;
				throw error;
			});
			return launching;
		},
		close: async () => {
			if (launching) await launching.then(({browser}) => browser.close({silent: true}), () => {});
		},
	};
};

// Chunks load the bundle from origins that live as long as this process (bundle_server.mjs says
// why). The pool may send a chunk while the last one's encoder finishes: each chunk in flight holds
// an origin of its own, so two chunks' pages never share storage, whoever they belong to.
const originPool = async (bundleDir) => {
	const serveAllowed = async () => {
		const origin = await serveBundle(bundleDir);
		allowOrigin(origin.url);
		return origin;
	};
	const origins = [await serveAllowed(), await serveAllowed()];
	const free = [...origins];
	return {
		// Taken only once no page of its last chunk is left: Remotion closes a chunk's pages without
		// waiting, and a page still open could hold the origin's storage (an IndexedDB connection that
		// blocks the next page's clearing) or run the last scene's timers beside the next.
		take: async (openBrowser) => {
			const origin = free.shift() ?? (await serveAllowed());
			if (!origins.includes(origin)) origins.push(origin);
			const left = () => openBrowser.targets().filter((target) => target.type() === 'page' && target.url().startsWith(origin.url));
			await Promise.all(left().map((target) => openBrowser.connection.send('Target.closeTarget', {targetId: target._targetId}).catch(() => {})));
			for (let waited = 0; left().length > 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
			return origin;
		},
		release: (origin) => free.push(origin),
		close: () => origins.forEach((origin) => origin.close()),
	};
};

// What runs, by id, so that a cancel finds it; a cancel that comes first is kept for its task.
const cancellations = () => {
	const running = new Map();
	const early = new Set();
	return {
		start: (id) => {
			const {cancelSignal, cancel} = makeCancelSignal();
			running.set(id, cancel);
			if (early.delete(id)) cancel();
			return cancelSignal;
		},
		end: (id) => running.delete(id),
		cancel: (id) => (running.has(id) ? running.get(id)() : early.add(id)),
		cancelAll: () => running.forEach((cancel) => cancel()),
	};
};

// --- one handler per command ------------------------------------------------------------------

const renderChunk = async ({browser, origins, tasks}, command) => {
	const {id, inputProps, frameRange, videoPath, audioPath} = command;
	const cancelSignal = tasks.start(id);
	const warnings = new Set();
	const videoPartial = partialPath(videoPath, id);
	const audioPartial = audioPath ? partialPath(audioPath, id) : null;
	let launched;
	try {
		launched = await browser.get();
	} catch (error) {
		tasks.end(id);
		emitError(id, error, {infra: true, cancelled: false});
		return;
	}
	let origin = null;
	try {
		const {browser: puppeteerInstance, browserExecutable, chromeMode} = launched;
		origin = await origins.take(puppeteerInstance);
		let rendered = -1;
		let encoded = -1;
		await renderMedia({
			serveUrl: origin.url, composition: compositionOf(command), inputProps, puppeteerInstance, browserExecutable,
			chromeMode, chromiumOptions: chromiumOptions(), frameRange, codec: chunkCodec(command.codec),
			crf: command.crf ?? undefined, jpegQuality: command.jpegQuality, imageFormat: 'jpeg',
			everyNthFrame: command.everyNthFrame, outputLocation: videoPartial, overwrite: true,
			muted: audioPath === null, enforceAudioTrack: false, separateAudioTo: audioPartial,
			audioCodec: audioPath === null ? null : 'pcm-16',
			concurrency: concurrency(chromeMode), cancelSignal, onBrowserLog: collectReports(warnings),
			ffmpegOverride: encoderThreads(command),
			// A loaded 2-core machine can take longer than Remotion's default 30 s to load the bundle;
			// the pool's own watchdog ends a chunk that stops making frames long before this.
			timeoutInMilliseconds: 120000,
			// Encoded frames are news too: a slow encoder (vp8 at high quality) works on after the
			// last frame is captured, and the pool's watchdog must not take that for a stuck page.
			onProgress: ({renderedFrames, encodedFrames}) => {
				if (renderedFrames !== rendered || encodedFrames !== encoded) {
					rendered = renderedFrames;
					encoded = encodedFrames;
					emit({type: 'progress', id, rendered, encoded});
				}
			},
		});
		await fs.rename(videoPartial, videoPath);
		// No audio in these frames: Remotion writes no audio file (the pool pads with silence).
		const hasAudio = audioPartial !== null && existsSync(audioPartial);
		if (hasAudio) await fs.rename(audioPartial, audioPath);
		emit({type: 'chunk-done', id, videoPath, audioPath: hasAudio ? audioPath : null, warnings: [...warnings]});
	} catch (error) {
		emitError(id, error, {warnings});
	} finally {
		tasks.end(id);
		if (origin) origins.release(origin);
		await fs.rm(videoPartial, {force: true});
		if (audioPartial) await fs.rm(audioPartial, {force: true});
	}
};

const combine = async ({tasks}, command) => {
	const {id, outputPath} = command;
	const cancelSignal = tasks.start(id);
	const partial = partialPath(outputPath, id);
	try {
		await fs.mkdir(path.dirname(outputPath), {recursive: true});
		await combineChunks({
			outputLocation: partial, codec: command.codec, videoFiles: command.videoFiles,
			audioFiles: command.audioFiles, fps: command.fps, everyNthFrame: command.everyNthFrame,
			compositionDurationInFrames: command.durationInFrames,
			// Chunks here differ in length (they follow scene boundaries), so Remotion's seamless AAC
			// path (equal chunks, AAC priming trimmed per chunk) does not apply: the PCM chunks are
			// concatenated and encoded once, which is sample-exact. A framesPerChunk of at most 4 is
			// how combineChunks() is told to take that path (canConcatAudioSeamlessly).
			framesPerChunk: 1, preferLossless: false, cancelSignal, logLevel: 'error',
		});
		await fs.rename(partial, outputPath);
		emit({type: 'combined', id, outputPath, sizeBytes: statSync(outputPath).size});
	} catch (error) {
		await fs.rm(partial, {force: true});
		emitError(id, error, {infra: true});
	} finally {
		tasks.end(id);
	}
};

// A still of the composition (an export's thumbnail), in this process's browser beside its chunk.
const still = async ({browser, bundleDir, tasks}, command) => {
	const {id, outputPath} = command;
	const cancelSignal = tasks.start(id);
	const partial = partialPath(outputPath, id);
	try {
		const {browser: puppeteerInstance, browserExecutable, chromeMode} = await browser.get();
		await fs.mkdir(path.dirname(outputPath), {recursive: true});
		await renderStill({
			serveUrl: bundleDir, composition: compositionOf(command), inputProps: command.inputProps, frame: command.frame,
			output: partial, overwrite: true, imageFormat: 'jpeg', jpegQuality: command.jpegQuality,
			scale: command.scale, puppeteerInstance, browserExecutable, chromeMode,
			chromiumOptions: chromiumOptions(), cancelSignal, timeoutInMilliseconds: 30000,
		});
		await fs.rename(partial, outputPath);
		emit({type: 'still-done', id, outputPath});
	} catch (error) {
		await fs.rm(partial, {force: true});
		emitError(id, error);
	} finally {
		tasks.end(id);
	}
};

const cancel = async ({tasks}, command) => tasks.cancel(command.id);

export const HANDLERS = {chunk: renderChunk, combine, still, cancel};

// ------------------------------------------------------------------------------------------

const serve = async () => {
	installNetGuard({onRefused: (error) => console.error(`[framecast] ${error.message}`)});
	const {dir: bundleDir, hash, cached} = await ensureBundle();
	const browser = keptBrowser();
	// Launched now, while the pool starts its other processes and plans the export: the first chunk
	// finds it up instead of waiting most of a second for it. A failure is reported by that chunk.
	browser.get().catch(() => {});
	const worker = {bundleDir, browser, origins: await originPool(bundleDir), tasks: cancellations()};
	emit({type: 'ready', bundle: bundleDir, bundleHash: hash, bundleCached: cached, browserVersion: browserVersion()});
	// The pool sends a process one chunk at a time, and the next of the same render once the last
	// one's frames are all captured (its encoder still finishing); a combine (ffmpeg only) or a
	// still may run beside them.
	const pending = new Set();
	for await (const line of readline.createInterface({input: process.stdin})) {
		if (!line.trim()) continue;
		let command;
		try {
			command = JSON.parse(line);
		} catch {
			emitError(null, `not JSON: ${line.slice(0, 200)}`, {cancelled: false});
			continue;
		}
		const wrong = messageProblems(COMMANDS, command);
		if (wrong.length > 0) {
			emitError(typeof command?.id === 'string' ? command.id : null, `not a command: ${wrong.join('; ')}`, {cancelled: false});
			continue;
		}
		if (command.type !== 'cancel') logs.begin(command.id);
		const task = HANDLERS[command.type](worker, command);
		pending.add(task);
		task.finally(() => {
			pending.delete(task);
			if (command.type !== 'cancel') logs.end(command.id);
		});
	}
	// stdin closed: cancel what runs, then close the browser.
	worker.tasks.cancelAll();
	await Promise.allSettled([...pending]);
	await browser.close();
	worker.origins.close();
};

// Run, not imported (tests/integration/test_protocol.py imports it for HANDLERS).
const isMain = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain && process.argv.includes('--which-browser')) {
	// The browser and mode this worker renders with, for the naive reference (tools/naive.py).
	const executable = findBrowser();
	process.stdout.write(`${JSON.stringify({executable, chromeMode: chromeModeFor(executable)})}\n`);
} else if (isMain) {
	serve().catch((error) => {
		emit({type: 'fatal', message: String(error?.stack ?? error)});
		process.exitCode = 1;
	});
}
