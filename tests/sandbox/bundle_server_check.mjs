// Attacks the render pool's bundle server (render/worker/bundle_server.mjs) over real HTTP:
// it must serve the files of its folder and nothing else. Prints what each request got.
// Usage: node bundle_server_check.mjs ROOT   (ROOT holds bundle/ and a secret.txt beside it)
import http from 'node:http';
import path from 'node:path';
import {serveBundle} from '../../render/worker/bundle_server.mjs';

const root = process.argv[2];
const server = await serveBundle(path.join(root, 'bundle'));
const {hostname, port} = new URL(server.url);

// The raw request target, as a hostile client would send it (no URL normalisation on the way).
const request = (target, method = 'GET') =>
	new Promise((resolve, reject) => {
		const req = http.request({host: hostname, port, method, path: target}, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk) => (body += chunk));
			res.on('end', () => resolve({status: res.statusCode, type: res.headers['content-type'] ?? null, body}));
		});
		req.on('error', reject);
		req.end();
	});

const targets = {
	script: '/bundle.js',
	index: '/',
	nested: '/public/font.woff2',
	dotdot: '/../secret.txt',
	dotdotEncoded: '/%2e%2e/secret.txt',
	slashEncoded: '/..%2fsecret.txt',
	backslash: '/..%5csecret.txt',
	deep: '/public/../../secret.txt',
	absolute: `/${encodeURIComponent(path.join(root, 'secret.txt'))}`,
	nul: '/bundle.js%00.txt',
	badEncoding: '/%E0%A4%A',
	directory: '/public/',
	missing: '/nope.js',
};
const answers = {};
for (const [name, target] of Object.entries(targets)) answers[name] = await request(target);
answers.post = await request('/bundle.js', 'POST');
answers.head = await request('/bundle.js', 'HEAD');
console.log(JSON.stringify({host: hostname, answers}));
server.close();
