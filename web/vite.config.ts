import react from '@vitejs/plugin-react';
import {defineConfig} from 'vite';

export default defineConfig({
	plugins: [react()],
	// Relative asset paths: the same build serves at / (local stack) and under app/ (CloudFront).
	base: './',
	// The preview plays the composition of ../remotion_site, shared, not copied.
	server: {fs: {allow: ['..']}},
	resolve: {dedupe: ['react', 'react-dom', 'remotion']},
	build: {outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000},
	test: {environment: 'jsdom', include: ['src/**/*.test.{ts,tsx}'], setupFiles: ['src/test/setup.ts']},
});
