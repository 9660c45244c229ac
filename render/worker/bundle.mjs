// The Remotion bundle of remotion_site, cached under .cache/bundle/<hash of its sources>.
// Imported by worker.mjs; run alone (`node render/worker/bundle.mjs`) it builds the bundle if
// missing and answers one JSON line on stdout, {"dir","hash","cached"}: the one entry point the
// stacks, the tools and the Makefile build it through (render/bundle.py).
import {createHash} from 'node:crypto';
import {existsSync, promises as fs, readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = path.join(REPO, 'remotion_site');
const CACHE = process.env.FRAMECAST_CACHE_DIR ?? path.join(REPO, '.cache');

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
	const hash = bundleHash();
	const dir = path.join(CACHE, 'bundle', hash);
	if (existsSync(path.join(dir, 'index.html'))) return {dir, hash, cached: true};
	const tmp = `${dir}.tmp-${process.pid}`;
	await fs.rm(tmp, {recursive: true, force: true});
	// Imported only to build (a seventh of a second of every worker's start otherwise).
	const {bundle} = await import('@remotion/bundler');
	await bundle({entryPoint: path.join(SITE, 'src/index.ts'), outDir: tmp, enableCaching: true});
	// Renamed into place whole, so a half-written bundle is never taken for a cached one. The pool
	// starts its processes at once: one that finished first may already serve its folder, so a
	// folder is only removed if it is no bundle at all (never one of ours: they appear whole).
	if (!existsSync(path.join(dir, 'index.html'))) await fs.rm(dir, {recursive: true, force: true});
	await fs.rename(tmp, dir).catch(async (error) => {
		// Another pool process finished the same bundle first: theirs is as good as ours.
		if (!existsSync(path.join(dir, 'index.html'))) throw error;
		await fs.rm(tmp, {recursive: true, force: true});
	});
	return {dir, hash, cached: false};
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	// Remotion's bundler logs through console: stdout carries the answer alone.
	for (const level of ['log', 'info', 'debug']) console[level] = (...args) => console.error(...args);
	const built = await ensureBundle();
	process.stdout.write(`${JSON.stringify(built)}\n`);
}
