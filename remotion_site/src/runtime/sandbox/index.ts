import {SHIPPED_FONTS} from '../shipped-fonts';
import {buildPolicy} from './policy';
import {installConsoleBudget} from './console';
import {installGuards} from './guards';
import {clearOriginState, yieldDatabaseConnections} from './state';

export {buildPolicy} from './policy';

// The site's own script files: every script this page has loaded so far (bundle.js and the chunks
// webpack fetched before this module ran). Known at run time, so the same code serves the local
// worker (http://localhost:<port>/) and Lambda (https://<bucket>/sites/<id>/).
const ownScripts = (): string[] => {
	const urls = [
		...Array.from(document.scripts, (script) => script.src),
		...performance
			.getEntriesByType('resource')
			.filter((entry) => (entry as PerformanceResourceTiming).initiatorType === 'script')
			.map((entry) => entry.name),
	];
	return [...new Set(urls.filter((url) => url.startsWith(location.origin)).map((url) => url.split(/[?#]/)[0]))];
};

// The policy as a <meta http-equiv>: the one form that travels with the bundle to both backends
// (Remotion's local server serves it without our headers; on Lambda it is an S3 object). Inserted
// before the composition and any scene code exist; a policy, once in force, cannot be removed.
export const installContentSecurityPolicy = (): string => {
	const policy = buildPolicy({
		publicBase: new URL('./public/', location.href).href,
		scripts: ownScripts(),
		// index.html links the favicon; the shipped fonts are files the bundler emitted.
		files: ['./favicon.ico', ...Object.values(SHIPPED_FONTS).flatMap((faces) => Object.values(faces))].map(
			(url) => new URL(url, location.href).href,
		),
	});
	const meta = document.createElement('meta');
	meta.httpEquiv = 'Content-Security-Policy';
	meta.content = policy;
	// Chromium resolves the host of every link in a page ahead of time (DNS prefetch): a scene's
	// <a href> would send any name it likes to the resolver, a channel out of the sandbox.
	const noPrefetch = document.createElement('meta');
	noPrefetch.httpEquiv = 'x-dns-prefetch-control';
	noPrefetch.content = 'off';
	document.head.prepend(meta, noPrefetch);
	return policy;
};

// The whole sandbox of a render page; resolves once no earlier render's state is left.
export const installSandbox = (): Promise<void> => {
	installContentSecurityPolicy();
	installConsoleBudget();
	installGuards();
	yieldDatabaseConnections();
	return clearOriginState();
};
