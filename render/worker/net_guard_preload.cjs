// The guard of net_guard.cjs for a process we do not write: the Remotion render function, started
// with NODE_OPTIONS="--require <this file>" (stacks/renderer.py ships both files as a layer; the
// emulated function loads them the same way). FRAMECAST_NET_ALLOW lists origins, space separated,
// that the deployment serves itself: only the emulated function sets it, for its loopback site.
'use strict';

const {installNetGuard} = require('./net_guard.cjs');

installNetGuard({
	allow: (process.env.FRAMECAST_NET_ALLOW ?? '').split(/\s+/).filter(Boolean),
	// One line per refusal, the blocked target only: it ends in the function's log.
	onRefused: (error) => console.warn(`[framecast] ${error.message}`),
});
