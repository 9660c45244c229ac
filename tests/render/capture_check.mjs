// Captures frames through the worker's browser (render/worker/browser.mjs, which sends
// Remotion's captures without captureBeyondViewport when the clip is the page's viewport) and
// through a browser opened by Remotion alone, and prints what each sent and drew.
// Usage: node capture_check.mjs BUNDLE_DIR PROPS_JSON FRAME...
import {readFileSync} from 'node:fs';
import {openBrowser, renderStill} from '@remotion/renderer';
import {chromeModeFor, chromiumOptions, findBrowser, launchBrowser} from '../../render/worker/browser.mjs';

const [serveUrl, propsFile, ...frameArgs] = process.argv.slice(2);
const inputProps = JSON.parse(readFileSync(propsFile, 'utf8'));
const frames = frameArgs.map(Number);

// What the browser was really sent: the transport under any rewriting.
const recordCaptures = (browser) => {
	const sent = [];
	const transport = browser.connection.transport;
	const send = transport.send.bind(transport);
	transport.send = (text) => {
		const message = JSON.parse(text);
		if (message.method === 'Page.captureScreenshot') sent.push(message.params);
		return send(text);
	};
	return sent;
};

const pngSize = (buffer) => ({width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20)});

// Each frame at full size, and the first again at a thumbnail's scale (a device scale factor below 1).
const stills = async ({browser, browserExecutable, chromeMode}) => {
	const images = [];
	for (const [frame, scale] of [...frames.map((f) => [f, 1]), [frames[0], 0.375]]) {
		const composition = {
			id: 'Main', width: inputProps.width, height: inputProps.height, fps: 30,
			durationInFrames: inputProps.scenes.reduce((sum, scene) => sum + scene.durationInFrames, 0),
			defaultProps: {}, props: inputProps, defaultCodec: null, defaultOutName: null, defaultVideoImageFormat: null,
			defaultPixelFormat: null, defaultProResProfile: null, defaultSampleRate: null,
		};
		const {buffer} = await renderStill({
			serveUrl, composition, inputProps, frame, scale, imageFormat: 'png', puppeteerInstance: browser,
			browserExecutable, chromeMode, chromiumOptions: chromiumOptions(), logLevel: 'error',
		});
		images.push(buffer.toString('base64'));
	}
	return images;
};

const ours = await launchBrowser();
const plainExecutable = findBrowser();
const plainMode = chromeModeFor(plainExecutable);
const plain = await openBrowser('chrome', {browserExecutable: plainExecutable, chromeMode: plainMode, chromiumOptions: chromiumOptions()});
try {
	const oursSent = recordCaptures(ours.browser);
	const plainSent = recordCaptures(plain);
	const oursImages = await stills(ours);
	const plainImages = await stills({browser: plain, browserExecutable: plainExecutable, chromeMode: plainMode});

	// A capture beyond the viewport (not Remotion's, but the wrapper must leave it whole).
	const page = await ours.browser.newPage({context: null, logLevel: 'error', indent: false, pageIndex: 0, onBrowserLog: null, onLog: () => undefined});
	await page.setViewport({width: 200, height: 100, deviceScaleFactor: 1});
	const before = oursSent.length;
	const {value} = await page._client().send('Page.captureScreenshot', {
		format: 'png', clip: {x: 0, y: 0, width: 200, height: 300, scale: 1}, captureBeyondViewport: true, fromSurface: true,
	});
	console.log(JSON.stringify({
		captures: oursImages.length,
		sameImages: oursImages.every((image, i) => image === plainImages[i]),
		thumbnailSize: pngSize(Buffer.from(oursImages.at(-1), 'base64')),
		distinctImages: new Set(oursImages).size,
		oursBeyondViewport: oursSent.slice(0, before).map((params) => params.captureBeyondViewport),
		plainBeyondViewport: plainSent.map((params) => params.captureBeyondViewport),
		tallCaptureBeyondViewport: oursSent[before].captureBeyondViewport,
		tallCaptureSize: pngSize(Buffer.from(value.data, 'base64')),
	}));
} finally {
	await ours.browser.close({silent: true});
	await plain.close({silent: true});
}
