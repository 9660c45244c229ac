import React, {forwardRef, useContext} from 'react';
import * as Remotion from 'remotion';
import {report} from './report';
import {publicTlds} from './sandbox/policy';
import {SceneContext, type SceneIdentity} from './scene-context';

// Remotion's media components as scenes get them. A source that the render would refuse anyway
// (the page's Content-Security-Policy in the page, net_guard.cjs where Remotion's Node side
// downloads it) is dropped here before any request: the render goes on without that media and
// the user gets a warning naming the scene, instead of a failed render or a silent gap. This is a
// courtesy to honest scenes, not a wall: a hostile scene can reach Remotion's internals past it,
// and meets the policy and the Node guard (docs/security.md).

const PUBLIC_TLDS = new Set(publicTlds());

const isIpLiteral = (host: string): boolean => host.startsWith('[') || /^\d+$/.test(host.split('.').pop() ?? '');

// Why a source may not be loaded, or null: what the policy admits (policy.ts) said in words.
export const refusedSourceReason = (src: unknown, page: string = location.href): string | null => {
	if (typeof src !== 'string' || src === '') return null;
	let url: URL;
	try {
		url = new URL(src, page);
	} catch {
		return null; // not a URL at all: Remotion's own error says so
	}
	if (url.protocol === 'data:' || url.protocol === 'blob:' || url.origin === new URL(page).origin) return null;
	if (url.protocol !== 'https:') return `only https sources are fetched, not ${url.protocol.replace(':', '')}`;
	const host = url.hostname;
	if (isIpLiteral(host)) return 'an IP address is never fetched: media must come from a public host by name';
	const tld = host.replace(/\.$/, '').split('.').pop() ?? '';
	if (!host.includes('.') || !PUBLIC_TLDS.has(tld)) return `${host} is not a public host name`;
	return null;
};

const warned = new Set<string>();
const refuse = (scene: SceneIdentity | null, what: string, src: string, reason: string): void => {
	const key = `${scene?.id}\n${what}\n${src}`;
	if (warned.has(key)) return;
	warned.add(key);
	report({type: 'warning', sceneId: scene?.id, sceneName: scene?.name, message: `${what} ${src} was left out: ${reason}`});
};

type WithSrc = {src?: unknown};

const guarded = (name: string, Component: React.ComponentType<WithSrc & {ref?: unknown}>) => {
	const Guarded = forwardRef<unknown, WithSrc>((props, ref) => {
		const scene = useContext(SceneContext);
		const reason = refusedSourceReason(props.src);
		if (reason) {
			refuse(scene, `<${name}> source`, String(props.src), reason);
			return null;
		}
		return React.createElement(Component, {...props, ref});
	});
	Guarded.displayName = name;
	return Guarded;
};

// prefetch() outside any scene's render: the warning cannot name a scene, but says what.
const guardedPrefetch: typeof Remotion.prefetch = (src, options) => {
	const reason = refusedSourceReason(src);
	if (!reason) return Remotion.prefetch(src, options);
	refuse(null, 'prefetch() of', src, reason);
	return {free: () => {}, waitUntilDone: () => Promise.reject(new Error(`prefetch(${src}) refused: ${reason}`))};
};

// <Artifact> writes a file beside the render's output (on Lambda, into the bucket): an export is
// its video, so a scene's artifact is left out, with a warning. A scene past this meets the render
// function's role, which may not write artifacts (stacks/renderer.py).
const NoArtifact: React.FC<{filename?: unknown}> = ({filename}) => {
	const scene = useContext(SceneContext);
	refuse(scene, '<Artifact>', String(filename), 'artifacts are not part of an export');
	return null;
};

// The components of `remotion` that load a URL, by export name.
const MEDIA = ['Audio', 'Html5Audio', 'Video', 'Html5Video', 'OffthreadVideo', 'Img', 'IFrame', 'AnimatedImage', 'CanvasImage'] as const;

export const guardedMedia = (): Record<string, unknown> => {
	const module = Remotion as unknown as Record<string, React.ComponentType<WithSrc & {ref?: unknown}> | undefined>;
	const entries = MEDIA.filter((name) => module[name] !== undefined).map((name) => [name, guarded(name, module[name]!)]);
	return {...Object.fromEntries(entries), prefetch: guardedPrefetch, Artifact: Object.assign(NoArtifact, {Thumbnail: Remotion.Artifact.Thumbnail})};
};
