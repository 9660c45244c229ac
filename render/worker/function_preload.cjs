// What Framecast loads into the Remotion render function before Remotion's own code: started with
// NODE_OPTIONS="--require <this file>" (stacks/renderer.py ships these files as a layer; the
// emulated function loads them the same way, local/lambda_emulator/invoker.py).
//   - net_guard.cjs: Remotion's downloads for a scene reach public hosts only. FRAMECAST_NET_ALLOW
//     lists origins, space separated, that the deployment serves itself: only the emulated function
//     sets it, for its loopback site.
//   - log_gate.cjs: what the function prints is bounded (docs/reliability.md, "Logs").
'use strict';

const {installFunctionLogGate} = require('./log_gate.cjs');
const {installNetGuard} = require('./net_guard.cjs');

installFunctionLogGate();
installNetGuard({
	allow: (process.env.FRAMECAST_NET_ALLOW ?? '').split(/\s+/).filter(Boolean),
	// One line per refusal, the blocked target only.
	onRefused: (error) => console.warn(`[framecast] ${error.message}`),
});
