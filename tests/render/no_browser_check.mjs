// A machine with no system Chromium and no network: the render worker must say what to install,
// not die. Run with a working directory of its own (Remotion keeps its downloaded browser under
// the nearest package.json), so a browser Remotion downloaded on this machine is not found.
// The network is the edge this check stands at: every HTTPS request fails as it does offline.
import https from 'node:https';
import {EventEmitter} from 'node:events';

const requested = [];
https.get = (url) => {
	requested.push(String(url));
	const request = new EventEmitter();
	request.destroy = () => {};
	process.nextTick(() => request.emit('error', Object.assign(new Error(`getaddrinfo ENOTFOUND ${new URL(url).hostname}`), {code: 'ENOTFOUND'})));
	return request;
};

const {launchBrowser} = await import(process.argv[2]);
let message = null;
try {
	await launchBrowser(null);
} catch (error) {
	message = error.message;
}
// A tick later, where Remotion's late-handled rejection would have ended the process.
await new Promise((resolve) => setTimeout(resolve, 200));
console.log(JSON.stringify({message, downloadTried: requested.length > 0, alive: true}));
