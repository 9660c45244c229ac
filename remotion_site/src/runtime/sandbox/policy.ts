import tlds from 'tlds';

// The render page's Content-Security-Policy. Scene code may reach the site's own assets
// (bundle scripts, `public/`: fonts, staticFile()), data:/blob: URLs and public https hosts;
// nothing on loopback, private or link-local addresses.
//
// CSP has no notion of address ranges, and the scheme source `https:` also admits
// https://127.0.0.1 or https://10.0.0.1. So public https is spelled as one `https://*.<tld>`
// source per top-level domain of IANA's list: a host matches only if it is a name ending in a
// real TLD. IP literals (their last label is a number or they are in brackets), `localhost`,
// `*.localhost`, `.local`, `.internal` and other unlisted suffixes never match. What a public
// name *resolves to* is not CSP's business: docs/security.md says where that leaves a gap.

// ASCII TLDs as they are; internationalized ones in the punycode form a CSP host needs. `arpa`
// is infrastructure (reverse lookups), never a place for a scene's image.
const asciiTld = (tld: string): string | null => {
	if (/^[a-z]+$/.test(tld)) return tld;
	try {
		const host = new URL(`https://x.${tld}`).hostname; // the URL parser does IDNA
		const last = host.slice(host.lastIndexOf('.') + 1);
		return /^xn--[a-z0-9-]+$/.test(last) ? last : null;
	} catch {
		return null;
	}
};

// The top-level domains a public host may end in, as a URL's hostname spells them.
export const publicTlds = (): string[] =>
	[...new Set(tlds.map(asciiTld))].filter((tld): tld is string => tld !== null && tld !== 'arpa');

export const publicHttpsSources = (): string[] => publicTlds().map((tld) => `https://*.${tld}`);

// Own-asset sources. The page's own origin is not given as 'self': where the bundle is served by
// Remotion's local server (the local worker), that origin also answers /proxy?src=<any URL>,
// which the server itself downloads (OffthreadVideo's frame server): a scene could make the
// server fetch loopback for it. So the site is allowed path by path: its `public/` folder and
// the exact files the bundle consists of (scripts; fonts and the favicon).
export type OwnAssets = {publicBase: string; scripts: string[]; files: string[]};

export const buildPolicy = ({publicBase, scripts, files}: OwnAssets, publicHttps: string[] = publicHttpsSources()): string => {
	const media = [publicBase, ...files, 'data:', 'blob:', ...publicHttps].join(' ');
	const directives: Record<string, string> = {
		// img, media, font, connect (fetch, XHR, WebSocket, EventSource, sendBeacon) fall back here.
		'default-src': media,
		// Scenes are evaluated with `new Function`: 'unsafe-eval'. No inline scripts and no script
		// from anywhere but the bundle's own files (a dynamic import() is a script load too).
		'script-src': [...scripts, "'unsafe-eval'"].join(' '),
		// React and Remotion set inline styles; stylesheets only from the site.
		'style-src': `${publicBase} 'unsafe-inline'`,
		// No nested documents, workers, plug-ins, forms or <base>: each would be a way around the
		// policy or out of the page (a worker registered by one render could outlive it).
		'frame-src': "'none'",
		'child-src': "'none'",
		'worker-src': "'none'",
		'object-src': "'none'",
		'manifest-src': "'none'",
		'form-action': "'none'",
		'base-uri': "'none'",
	};
	return Object.entries(directives)
		.map(([name, value]) => `${name} ${value}`)
		.join('; ');
};
