// The bundle of one render-pool process, served on one loopback origin for the life of the process.
//
// Remotion starts a file server of its own, on a new port, for every renderMedia() call it is
// given a folder for: every chunk's page then has a new origin, and Chromium can reuse neither its
// HTTP cache nor V8's code cache for the bundle's megabytes of script (both are keyed by URL).
// Given this server's URL instead, a chunk's page loads the bundle from cache: measured on the
// landscape example, a page load went from about 0.4 to 0.16 CPU-seconds (docs/decisions.md).
//
// It serves the files of the bundle folder and nothing else: GET and HEAD, no directory
// listings, no path outside the folder, on 127.0.0.1 only. A scene cannot reach it anyway: the
// render page's Content-Security-Policy allows the site's own files by path, never the origin.
// Chunks of this process reuse its origins, so their pages share an origin's storage, which the
// sandbox clears when each page starts (remotion_site/src/runtime/sandbox/state.ts); a chunk in
// flight holds an origin of its own (worker.mjs), and stills keep Remotion's own server.
import {createReadStream, promises as fs} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import mime from 'mime-types';

// The file a request names inside root, or null: decoded, normalised, and refused if it leaves root.
export const resolveInside = (root, url) => {
	let pathname;
	try {
		pathname = decodeURIComponent(new URL(url, 'http://bundle.invalid').pathname);
	} catch {
		return null;
	}
	if (pathname.includes('\0')) return null;
	const file = path.resolve(root, `.${path.posix.normalize(pathname.endsWith('/') ? `${pathname}index.html` : pathname)}`);
	return file === root || file.startsWith(`${root}${path.sep}`) ? file : null;
};

export const serveBundle = async (dir) => {
	const root = path.resolve(dir);
	const server = http.createServer(async (request, response) => {
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			response.writeHead(405, {allow: 'GET, HEAD'}).end();
			return;
		}
		const file = resolveInside(root, request.url);
		const stat = file ? await fs.stat(file).catch(() => null) : null;
		if (!stat?.isFile()) {
			response.writeHead(404).end();
			return;
		}
		response.writeHead(200, {
			'content-type': mime.contentType(path.extname(file)) || 'application/octet-stream',
			'content-length': stat.size,
			// The folder is named by the hash of what it was built from and this origin lives only as
			// long as the process: a file here never changes under its URL.
			'cache-control': 'public, max-age=31536000, immutable',
			'access-control-allow-origin': '*', // fonts and media loaded with CORS, as Remotion's server allows
		});
		if (request.method === 'HEAD') response.end();
		else createReadStream(file).pipe(response);
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	server.unref(); // never what keeps the process alive
	return {url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close()};
};
