// The render's Node side fetches for scene code: Remotion downloads every <Audio>/<Video> source
// to mix its sound, every /proxy?src= of its media server, and the files named in a page error's
// stack (to symbolicate it). All of that goes through Node's http(s).get with no agent of its own,
// that is through http.globalAgent and https.globalAgent; the page's Content-Security-Policy never
// sees it. On Lambda the same code runs next to the Runtime API (127.0.0.1:9001) and the
// credentials endpoints. So those two agents get a wall where the socket is made:
//   - a host that is an IP literal, localhost, a .local/.internal/... name or a single label is
//     refused before any packet leaves;
//   - any other name is resolved here and refused if any address it gives is not public, and the
//     socket connects to exactly the address checked (no second lookup to rebind).
// Clients with an agent of their own (the AWS SDK, the Lambda runtime's client) and sockets made
// by `createConnection` (Remotion's DevTools connection to Chromium) are not touched: none of them
// takes a URL from a scene. Origins the deployment itself serves (a local worker's bundle server,
// the emulated site) are allowed by exact host:port.
//
// Installed by the local worker (worker.mjs) and, through function_preload.cjs, in the render
// function on Lambda (docs/security.md); installing twice is harmless.
'use strict';

const dns = require('node:dns');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');

// Names that never name a public host: RFC 6761/6762/8375 special-use names and the suffixes
// networks use for their own hosts (AWS's .internal, mDNS's .local).
const PRIVATE_SUFFIXES = ['localhost', 'local', 'internal', 'localdomain', 'home.arpa', 'lan', 'intranet', 'corp', 'test', 'invalid'];

// Everything that is not a public unicast address: RFC 6890's special-purpose registries.
const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
	['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
	['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
	['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
]) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
// IPv6 is public only inside 2000::/3, less documentation, 6to4 and Teredo (both embed an IPv4
// address that may be private); mapped and NAT64 forms of IPv4 are refused outright.
const GLOBAL_V6 = new net.BlockList();
GLOBAL_V6.addSubnet('2000::', 3, 'ipv6');
for (const [prefix, bits] of [['2001::', 32], ['2001:db8::', 32], ['2002::', 16], ['2001:10::', 28], ['2001:20::', 28]]) {
	NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');
}

const isPublicAddress = (address) => {
	const family = net.isIP(address);
	if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
	if (family === 6) return GLOBAL_V6.check(address, 'ipv6') && !NOT_PUBLIC.check(address, 'ipv6');
	return false;
};

// Why `host` (as a URL's hostname gives it, brackets or not) may not be fetched, or null.
const refusedHostReason = (rawHost) => {
	const host = String(rawHost ?? '').toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
	if (host === '') return 'it names no host';
	if (net.isIP(host)) return `${host} is an IP address; media must come from public https hosts by name`;
	const suffix = PRIVATE_SUFFIXES.find((name) => host === name || host.endsWith(`.${name}`));
	if (suffix) return `${host} is a local name (.${suffix})`;
	if (!host.includes('.')) return `${host} is a single-label name, which only a local network resolves`;
	return null;
};

class RefusedAddressError extends Error {
	constructor(target, reason) {
		super(`Framecast refused to fetch ${target}: ${reason}`);
		this.name = 'RefusedAddressError';
		this.code = 'EFRAMECASTREFUSED';
	}
}

const state = {allowed: new Set(), onRefused: null};

// dns.lookup, refusing a name if any of its addresses is not public.
const publicLookup = (hostname, options, callback) => {
	const done = typeof options === 'function' ? options : callback;
	const wanted = typeof options === 'object' && options !== null ? options : {};
	dns.lookup(hostname, {...wanted, all: true}, (error, addresses) => {
		if (error) return done(error);
		const inner = addresses.find(({address}) => !isPublicAddress(address));
		if (inner) return done(new RefusedAddressError(hostname, `${hostname} resolves to a non-public address`));
		if (wanted.all) return done(null, addresses);
		return done(null, addresses[0].address, addresses[0].family);
	});
};

const refuse = (options, reason, oncreate) => {
	const error = new RefusedAddressError(`${options.host ?? options.hostname}:${options.port ?? ''}`, reason);
	state.onRefused?.(error);
	// Agent.createSocket takes a callback error as the request's 'error': nothing was sent.
	process.nextTick(() => oncreate(error));
	return undefined;
};

const guardAgent = (agent) => {
	if (agent.framecastGuarded) return;
	const createConnection = agent.createConnection.bind(agent);
	agent.createConnection = (options, oncreate) => {
		if (options.socketPath) return refuse(options, 'a Unix socket is not a media host', oncreate);
		const host = String(options.host ?? options.hostname ?? '').replace(/^\[|\]$/g, '');
		if (state.allowed.has(`${host}:${options.port}`)) return createConnection(options, oncreate);
		const reason = refusedHostReason(host);
		if (reason) return refuse(options, reason, oncreate);
		return createConnection({...options, lookup: publicLookup}, oncreate);
	};
	Object.defineProperty(agent, 'framecastGuarded', {value: true});
	// A kept-alive socket made before the guard would carry requests past it.
	for (const sockets of Object.values(agent.freeSockets)) sockets.forEach((socket) => socket.destroy());
};

// `allow`: origins ("http://127.0.0.1:4321") this deployment serves itself; `onRefused(error)`
// hears every refusal (the worker turns it into a warning).
const installNetGuard = ({allow = [], onRefused = null} = {}) => {
	for (const origin of allow) allowOrigin(origin);
	if (onRefused) state.onRefused = onRefused;
	guardAgent(http.globalAgent);
	guardAgent(https.globalAgent);
};

const allowOrigin = (origin) => {
	const url = new URL(origin);
	const port = url.port || (url.protocol === 'https:' ? '443' : '80');
	state.allowed.add(`${url.hostname.replace(/^\[|\]$/g, '')}:${port}`);
};

module.exports = {installNetGuard, allowOrigin, refusedHostReason, isPublicAddress, publicLookup, RefusedAddressError};

