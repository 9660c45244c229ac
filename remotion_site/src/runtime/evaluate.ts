import type React from 'react';
import {installGlobals} from './globals';
import {sceneRequire} from './modules';

installGlobals();

// A compiled scene is a CommonJS-shaped module (esbuild --format=cjs): run it with our `require`
// and take its default export.
export const evaluateScene = (jsCode: string): React.ComponentType => {
	const module: {exports: Record<string, unknown>} = {exports: {}};
	// eslint-disable-next-line no-new-func
	new Function('require', 'module', 'exports', jsCode)(sceneRequire, module, module.exports);
	const component = module.exports.default ?? module.exports;
	const isComponent =
		typeof component === 'function' || (typeof component === 'object' && component !== null && '$$typeof' in component);
	if (!isComponent) {
		throw new Error('the scene does not export a React component');
	}
	return component as React.ComponentType;
};
