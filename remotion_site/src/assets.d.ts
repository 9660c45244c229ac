// The bundler emits font files as assets and gives their URL.
declare module '*.woff2' {
	const url: string;
	export default url;
}
