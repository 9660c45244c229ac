import {cancelRender, continueRender, delayRender, getRemotionEnvironment, registerRoot} from 'remotion';
import {Root} from './Root';
import {installSandbox} from './runtime/sandbox';

// Scene code is untrusted (docs/security.md). Wherever this bundle renders (the local worker,
// Remotion Lambda), the page is sealed before the composition exists: its policy and guards in
// force, and every bit of state an earlier render left removed. Remotion Studio, which needs its
// own server, is left as it is.
if (getRemotionEnvironment().isRendering) {
	const handle = delayRender('Sealing the render page');
	installSandbox().then(
		() => {
			registerRoot(Root);
			continueRender(handle);
		},
		// A page that cannot be sealed must not render anything: fail the render now.
		(error: unknown) => cancelRender(new Error(`the render sandbox could not be installed: ${String(error)}`)),
	);
} else {
	registerRoot(Root);
}
