// ESLint for the TypeScript of the page (web/src) and the composition it shares (remotion_site/src).
// Run from the repository root so both trees sit under the base path: `npm run lint -w web`.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ignores: ['**/dist/**', '**/node_modules/**', 'web/src/api/schema.d.ts', '**/*.d.ts']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['web/src/**/*.{ts,tsx}', 'remotion_site/src/**/*.{ts,tsx}'],
		languageOptions: {globals: {...globals.browser}},
		plugins: {'react-hooks': reactHooks},
		rules: {
			...reactHooks.configs.recommended.rules,
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
			// Scene code is evaluated with new Function in one reviewed place only (it disables this there).
			'no-new-func': 'error',
		},
	},
	{
		// A scene is user code turned into a component once per source (memoized on jsCode), which
		// is what this rule warns about for components written inline by mistake.
		files: ['remotion_site/src/runtime/SceneHost.tsx'],
		rules: {'react-hooks/static-components': 'off'},
	},
);
