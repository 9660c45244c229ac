// One process of Framecast's render pool: renders frame ranges ("chunks") of the remotion_site
// composition with @remotion/renderer in its own Chromium, and joins chunks with Remotion's
// combineChunks(), as Remotion Lambda's renderer and main functions do.
// The Python side (render/pool.py) drives it over JSON lines: commands on stdin,
// events on stdout. Everything else goes to stderr.
//
//   -> {"type":"chunk","id":"c1","inputProps":{...},"composition":{"width","height","fps","durationInFrames"},
//       "codec":"h264","crf":23,"jpegQuality":80,"everyNthFrame":1,"frameRange":[0,59],"lastChunk":false,
//       "videoPath":"/abs/c1.ts","audioPath":"/abs/c1.wav"|null}
//   -> {"type":"combine","id":"r1","codec":"h264","fps":30,"everyNthFrame":1,"durationInFrames":310,
//       "videoFiles":[...],"audioFiles":[...],"outputPath":"/abs/out.mp4"}
//   -> {"type":"still","id":"s1","inputProps":{...},"composition":{...},"frame":45,"scale":0.25,
//       "jpegQuality":80,"outputPath":"/abs/thumbnail.jpg"}
//   -> {"type":"cancel","id":"c1"}
//   <- {"type":"ready","bundle","bundleHash","bundleCached"}
//   <- {"type":"progress","id","rendered","encoded"} | {"type":"chunk-done","id","videoPath","audioPath","warnings"}
//   <- {"type":"combined","id","outputPath","sizeBytes"} | {"type":"still-done","id","outputPath"} | {"type":"error","id","message","cancelled","infra"}
//
// The browser is launched as the process starts and kept for every chunk and still of it; chunks
// load the bundle from this process's own server (bundle_server.mjs), stills from Remotion's.
import {existsSync, promises as fs, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import {fileURLToPath} from 'node:url';
import {combineChunks, makeCancelSignal, renderMedia, renderStill} from '@remotion/renderer';
import {chromeModeFor, chromiumOptions, findBrowser, launchBrowser} from './browser.mjs';
import {ensureBundle} from './bundle.mjs';
import {serveBundle} from './bundle_server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The constants every side shares (functions/contract.json): the composition id and the prefix of
// the scene runtime's console reports.
const CONTRACT = JSON.parse(readFileSync(path.join(REPO, 'functions/contract.json'), 'utf8'));
const COMPOSITION_ID = CONTRACT.compositionId;
const REPORT_PREFIX = `${CONTRACT.reportPrefix} `;

// stdout is the protocol; Remotion and React log through console, so send that to stderr.
for (const level of ['log', 'info', 'debug']) console[level] = (...args) => console.error(...args);
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

// Tabs per browser for a chunk. A headless shell renders with two tabs in about two thirds of the
// time of one (while one tab waits for its frame, the other works); a full Chromium in its new
// headless mode got no faster and spent a third more CPU (docs/decisions.md). The environment may
// say otherwise. Remotion refuses more tabs than cores.
const concurrency = (chromeMode) =>
	Number(process.env.FRAMECAST_RENDER_CONCURRENCY || (chromeMode === 'headless-shell' ? Math.min(2, os.availableParallelism()) : 1));

// What Remotion Lambda renders a chunk as (serverless/handlers/renderer): h264 and gif chunks are
// MPEG-TS h264 (byte-concatenated, or re-encoded to gif with one palette when joined); audio is
// PCM, so chunks of any length join sample-exactly before the one encode to AAC or Opus.
export const chunkCodec = (codec) => (codec === 'h264' || codec === 'gif' ? 'h264-ts' : codec);

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

const main = async () => {
	if (process.argv.includes('--which-browser')) {
		// The browser and mode this worker renders with, for the naive reference (naive.py).
		const executable = findBrowser();
		process.stdout.write(`${JSON.stringify({executable, chromeMode: chromeModeFor(executable)})}\n`);
		return;
	}
	const {dir: serveUrl, hash, cached} = await ensureBundle();
	// Chunks load the bundle from origins that live as long as this process (bundle_server.mjs says
	// why). The pool may send a chunk while the last one's encoder finishes: each chunk in flight
	// holds an origin of its own, so two chunks' pages never share storage, whoever they belong to.
	const origins = [await serveBundle(serveUrl), await serveBundle(serveUrl)];
	const freeOrigins = [...origins];
	// An origin is taken only once no page of its last chunk is left: Remotion closes a chunk's pages
	// without waiting, and a page still open could hold the origin's storage (an IndexedDB
	// connection that blocks the next page's clearing) or run the last scene's timers beside the next.
	const takeOrigin = async (openBrowser) => {
		const origin = freeOrigins.shift() ?? (await serveBundle(serveUrl));
		if (!origins.includes(origin)) origins.push(origin);
		const left = () => openBrowser.targets().filter((target) => target.type() === 'page' && target.url().startsWith(origin.url));
		await Promise.all(left().map((target) => openBrowser.connection.send('Target.closeTarget', {targetId: target._targetId}).catch(() => {})));
		for (let waited = 0; left().length > 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
		return origin;
	};
	let browserPromise = null;
	const browser = () => {
		// A browser that failed to start is forgotten, so the next task launches one afresh.
		browserPromise ??= launchBrowser().catch((error) => {
			browserPromise = null;
			throw error;
		});
		return browserPromise;
	};
	// Launched now, while the pool starts its other processes and plans the export: the first chunk
	// finds it up instead of waiting most of a second for it. A failure is reported by that chunk.
	browser().catch(() => {});
	const running = new Map();
	const cancelledEarly = new Set();

	const renderChunk = async (command) => {
		const {id, inputProps, frameRange, videoPath, audioPath} = command;
		const {cancelSignal, cancel} = makeCancelSignal();
		running.set(id, cancel);
		if (cancelledEarly.delete(id)) cancel();
		const warnings = new Set();
		const videoPartial = partialPath(videoPath, id);
		const audioPartial = audioPath ? partialPath(audioPath, id) : null;
		let launched;
		try {
			launched = await browser();
		} catch (error) {
			running.delete(id);
			emit({type: 'error', id, message: String(error?.message ?? error), cancelled: false, infra: true});
			return;
		}
		let origin = null;
		try {
			const {browser: puppeteerInstance, browserExecutable, chromeMode} = launched;
			origin = await takeOrigin(puppeteerInstance);
			const composition = compositionOf(command);
			let rendered = -1;
			let encoded = -1;
			await renderMedia({
				serveUrl: origin.url, composition, inputProps, puppeteerInstance, browserExecutable, chromeMode,
				chromiumOptions: chromiumOptions(), frameRange, codec: chunkCodec(command.codec),
				crf: command.crf ?? undefined, jpegQuality: command.jpegQuality, imageFormat: 'jpeg',
				everyNthFrame: command.everyNthFrame ?? 1, outputLocation: videoPartial, overwrite: true,
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
			const message = String(error?.message ?? error);
			emit({type: 'error', id, message, cancelled: /cancel/i.test(message), infra: false, warnings: [...warnings]});
		} finally {
			running.delete(id);
			if (origin) freeOrigins.push(origin);
			await fs.rm(videoPartial, {force: true});
			if (audioPartial) await fs.rm(audioPartial, {force: true});
		}
	};

	const combine = async (command) => {
		const {id, outputPath} = command;
		const {cancelSignal, cancel} = makeCancelSignal();
		running.set(id, cancel);
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
			const message = String(error?.message ?? error);
			emit({type: 'error', id, message, cancelled: /cancel/i.test(message), infra: true});
		} finally {
			running.delete(id);
		}
	};

	// A still of the composition (an export's thumbnail), in this process's browser beside its chunk.
	const still = async (command) => {
		const {id, outputPath} = command;
		const {cancelSignal, cancel} = makeCancelSignal();
		running.set(id, cancel);
		const partial = partialPath(outputPath, id);
		try {
			const {browser: puppeteerInstance, browserExecutable, chromeMode} = await browser();
			await fs.mkdir(path.dirname(outputPath), {recursive: true});
			await renderStill({
				serveUrl, composition: compositionOf(command), inputProps: command.inputProps, frame: command.frame,
				output: partial, overwrite: true, imageFormat: 'jpeg', jpegQuality: command.jpegQuality ?? 80,
				scale: command.scale ?? 1, puppeteerInstance, browserExecutable, chromeMode,
				chromiumOptions: chromiumOptions(), cancelSignal, timeoutInMilliseconds: 30000,
			});
			await fs.rename(partial, outputPath);
			emit({type: 'still-done', id, outputPath});
		} catch (error) {
			await fs.rm(partial, {force: true});
			const message = String(error?.message ?? error);
			emit({type: 'error', id, message, cancelled: /cancel/i.test(message), infra: false});
		} finally {
			running.delete(id);
		}
	};

	emit({type: 'ready', bundle: serveUrl, bundleHash: hash, bundleCached: cached});
	const tasks = new Set();
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
		// The pool sends a process one chunk at a time, and the next of the same render once the last
		// one's frames are all captured (its encoder still finishing); a combine (ffmpeg only) or a
		// still may run beside them.
		const handlers = {chunk: renderChunk, combine, still};
		const task = Object.hasOwn(handlers, command.type) ? handlers[command.type](command) : null;
		if (task) {
			tasks.add(task);
			task.finally(() => tasks.delete(task));
		} else if (command.type === 'cancel') {
			if (running.has(command.id)) running.get(command.id)();
			else cancelledEarly.add(command.id);
		} else if (command.type === 'shutdown') {
			break;
		}
	}
	// stdin closed or shutdown: cancel what runs, then close the browser.
	for (const cancel of running.values()) cancel();
	await Promise.allSettled([...tasks]);
	if (browserPromise) await browserPromise.then(({browser: open}) => open.close({silent: true}), () => {});
	for (const origin of origins) origin.close();
};

main().catch((error) => {
	emit({type: 'fatal', message: String(error?.stack ?? error)});
	process.exitCode = 1;
});
