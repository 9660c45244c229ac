// How the local renderer's Chromium is found and launched: one place, so that the render
// sandbox (its flags and walls) and the render pool (how many browsers, when) stay apart.
// docs/security.md says which walls live here and which in the render page itself.
import {createHash} from 'node:crypto';
import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ensureBrowser, openBrowser} from '@remotion/renderer';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = process.env.FRAMECAST_CACHE_DIR ?? path.join(REPO, '.cache');
// The headless shell first: it is the browser Remotion itself downloads and renders with, and it
// renders a frame with about a sixth less CPU than a full Chromium in its new headless mode
// (docs/decisions.md). Debian ships it as chromium-headless-shell; a full Chromium still works.
const BROWSER_CANDIDATES = [
	'/usr/lib/chromium/chromium-headless-shell',
	'/usr/bin/chromium-headless-shell',
	'/usr/bin/chromium',
	'/usr/bin/chromium-browser',
	'/usr/bin/google-chrome-stable',
	'/usr/bin/google-chrome',
];

export const findBrowser = () => {
	const named = process.env.REMOTION_BROWSER_EXECUTABLE;
	if (named) {
		if (!existsSync(named)) throw new Error(`REMOTION_BROWSER_EXECUTABLE=${named} does not exist`);
		return named;
	}
	// null: Remotion downloads its own headless shell, where the network allows it.
	return BROWSER_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
};

// What renders, as the browser names itself (`--version`): part of every chunk's cache key, so a
// new browser renders again. Remotion's own download is the one its package pins, and the package
// lock is in the bundle's hash already.
export const browserVersion = (named) => {
	let executable = named;
	try {
		executable ??= findBrowser();
		if (!executable) return 'remotion-headless-shell';
		const answer = execFileSync(executable, ['--version'], {encoding: 'utf8', timeout: 15000, stdio: ['ignore', 'pipe', 'ignore']});
		return `${answer.trim()} (${executable})`;
	} catch (error) {
		return `unknown (${executable ?? 'no browser'}: ${error.message.split('\n')[0]})`;
	}
};

// A system Chrome/Chromium has no old headless mode any more; a headless shell (Remotion's own, or
// Debian's chromium-headless-shell) is nothing else.
export const chromeModeFor = (executable) =>
	!executable || /headless[-_]shell/.test(path.basename(executable)) ? 'headless-shell' : 'chrome-for-testing';

// Flags Remotion's openBrowser always passes that take a wall down, and chromiumOptions cannot
// remove: --disable-popup-blocking lets a page open windows without a user gesture. The launcher
// below drops them, so Chromium's own pop-up blocker stands behind the render page's guard.
// (Remotion also disables the Local/Private Network Access checks; re-enabling them would not
// help here: the local render page is itself on loopback, and loopback-to-loopback is allowed.
// The page's Content-Security-Policy is what refuses loopback: see docs/security.md.)
export const DROPPED_FLAGS = ['--disable-popup-blocking'];

// A tiny executable that runs the real browser without the dropped flags. Remotion takes any
// executable path; the script is written once per browser path, beside the bundle cache.
export const sandboxedLauncher = (executable) => {
	const digest = createHash('sha256').update(executable).update(DROPPED_FLAGS.join(' ')).digest('hex').slice(0, 12);
	const launcher = path.join(CACHE, 'browser', `chromium-${digest}`);
	if (!existsSync(launcher)) {
		mkdirSync(path.dirname(launcher), {recursive: true});
		const cases = DROPPED_FLAGS.map((flag) => `${flag}) ;;`).join(' ');
		const script = [
			'#!/bin/sh',
			'# Written by render/worker/browser.mjs: runs Chromium without the flags it drops.',
			`for arg do shift; case "$arg" in ${cases} *) set -- "$@" "$arg" ;; esac; done`,
			`exec '${executable.replaceAll("'", `'\\''`)}' "$@"`,
			'',
		].join('\n');
		const tmp = `${launcher}.${process.pid}`;
		writeFileSync(tmp, script);
		chmodSync(tmp, 0o755);
		// Renamed into place whole, as the bundle is: a concurrent worker never runs half a script.
		renameSync(tmp, launcher);
	}
	return launcher;
};

// The Chromium options every render of this worker uses (passed to openBrowser and renderMedia).
// Web security stays on and certificate errors stay errors: Remotion's defaults.
export const chromiumOptions = () => ({});

// A pop-up is any page with an opener. The render page refuses window.open and the pop-up blocker
// is on, so none should exist; if one does, it is closed the moment Chromium reports it, so it
// cannot outlive its render and watch the next user's.
const closePopups = (browser) => {
	browser.on('targetcreated', (target) => {
		if (target.type() !== 'page' || !target.opener()) return;
		browser.connection.send('Target.closeTarget', {targetId: target._targetId}).catch(() => {});
	});
};

// Remotion captures every frame with `captureBeyondViewport: true`. Chromium then sets the view to
// the clip's size before each capture and back after: two relayouts a frame, about a sixth of a
// render's CPU on this machine, for nothing, as Remotion's clip is the page's own viewport (it sets
// the viewport to the composition's size). A capture whose clip lies inside the viewport last set
// on its page is sent without it: the same pixels (tests/render/test_capture.py compares them), no
// relayout. Any other capture goes through as Remotion wrote it.
export const captureInsideViewport = (connection) => {
	const viewports = new Map(); // CDP session -> the page's last device metrics override
	const rawSend = connection._rawSend.bind(connection);
	const fits = (clip, viewport) =>
		viewport !== undefined && clip !== undefined && (clip.scale ?? 1) === 1 && clip.x >= 0 && clip.y >= 0 &&
		clip.x + clip.width <= viewport.width && clip.y + clip.height <= viewport.height;
	connection._rawSend = (message) => {
		const {method, params, sessionId} = message;
		if (method === 'Emulation.setDeviceMetricsOverride') {
			viewports.set(sessionId, {width: params.width, height: params.height});
		} else if (method === 'Emulation.clearDeviceMetricsOverride') {
			viewports.delete(sessionId);
		} else if (method === 'Page.captureScreenshot' && params?.captureBeyondViewport && fits(params.clip, viewports.get(sessionId))) {
			return rawSend({...message, params: {...params, captureBeyondViewport: false}});
		}
		return rawSend(message);
	};
	connection.on('sessiondetached', (session) => viewports.delete(session.id()));
	return connection;
};

// Remotion's own headless shell, downloaded where the network allows it. A failed download rejects
// a promise that Remotion handles only after releasing its download lock; Node takes that for an
// unhandled rejection and ends the process, so a machine with neither Chromium nor the network lost
// its render worker without a word of why. That one rejection is let through here, and the caller
// gets the error; any other rejection in the meantime still ends the process, as it would have.
const ensureRemotionBrowser = async (chromeMode) => {
	const early = [];
	const hold = (reason) => early.push(reason);
	process.on('unhandledRejection', hold);
	let failure = null;
	try {
		await ensureBrowser({chromeMode, logLevel: 'error'});
	} catch (error) {
		failure = error;
	} finally {
		process.off('unhandledRejection', hold);
	}
	for (const reason of early.filter((reason) => reason !== failure)) {
		setImmediate(() => {
			throw reason;
		});
	}
	if (failure) throw failure;
};

const NO_BROWSER =
	'no system Chromium was found and Remotion could not download its own: install Chromium ' +
	'(Debian: apt-get install chromium-headless-shell) or name one in REMOTION_BROWSER_EXECUTABLE';

export const launchBrowser = async (browserExecutable = findBrowser()) => {
	const chromeMode = chromeModeFor(browserExecutable);
	const executable = browserExecutable ? sandboxedLauncher(browserExecutable) : null;
	if (!executable) {
		await ensureRemotionBrowser(chromeMode).catch((error) => {
			throw new Error(`${NO_BROWSER} (${error.message})`);
		});
	}
	const browser = await openBrowser('chrome', {browserExecutable: executable, chromeMode, chromiumOptions: chromiumOptions()}).catch((error) => {
		const hint = browserExecutable ? `could not start ${browserExecutable}` : 'could not start the browser Remotion downloaded';
		throw new Error(`${hint}: ${error.message}`);
	});
	closePopups(browser);
	captureInsideViewport(browser.connection);
	return {browser, browserExecutable: executable, chromeMode};
};
