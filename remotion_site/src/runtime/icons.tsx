import React, {createContext, useContext, useEffect, useState} from 'react';
import {continueRender, delayRender} from 'remotion';
import type {IconData} from '../schema';
import {report} from './report';

// Icons a scene names only at run time; the preprocessor fills it per scene.
export const IconRegistryContext = createContext<{sceneId: string; icons: Record<string, IconData>}>({
	sceneId: '',
	icons: {},
});

const ICONIFY_API = 'https://api.iconify.design';
const FETCH_TIMEOUT_MS = 3000;
const fetched = new Map<string, Promise<IconData | null>>();

// Last resort for names built at run time that no registry holds: the Iconify API, where the
// network allows. Resolved once per page.
const fetchIcon = (name: string): Promise<IconData | null> => {
	const known = fetched.get(name);
	if (known) return known;
	const [prefix, icon] = name.split(':');
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
	const promise = fetch(`${ICONIFY_API}/${prefix}.json?icons=${icon}`, {signal: controller.signal})
		.then((r) => (r.ok ? r.json() : null))
		.then((set) => {
			const data = set?.icons?.[icon];
			return data ? {left: 0, top: 0, width: set.width ?? 16, height: set.height ?? 16, ...data} : null;
		})
		.catch(() => null)
		.finally(() => clearTimeout(timer));
	fetched.set(name, promise);
	return promise;
};

const useIconData = (icon: string | IconData): IconData | null | undefined => {
	const {sceneId, icons} = useContext(IconRegistryContext);
	const known = typeof icon === 'string' ? icons[icon] : icon;
	const [remote, setRemote] = useState<IconData | null | undefined>(undefined);
	const name = typeof icon === 'string' && !known ? icon : null;
	useEffect(() => {
		if (!name) return;
		const handle = delayRender(`Fetching icon ${name}`);
		fetchIcon(name).then((data) => {
			if (!data) report({type: 'warning', sceneId, message: `icon "${name}" was not found; a placeholder is drawn`});
			setRemote(data);
			continueRender(handle);
		});
	}, [name, sceneId]);
	return known ?? remote;
};

export type IconifyIconProps = {
	icon: string | IconData;
	width?: number | string;
	height?: number | string;
	size?: number | string;
	color?: string;
	style?: React.CSSProperties;
	className?: string;
};

// Iconify's <Icon> for scenes: `window.IconifyIcon` and `import {Icon} from '@iconify/react'`.
export const IconifyIcon: React.FC<IconifyIconProps> = ({icon, width, height, size, color, style, className}) => {
	const data = useIconData(icon);
	const h = height ?? size ?? (width === undefined ? '1em' : undefined);
	const box = data ?? {left: 0, top: 0, width: 24, height: 24, body: ''};
	const w = width ?? size ?? (typeof h === 'number' ? (h * box.width) / box.height : '1em');
	const common = {width: w, height: h ?? w, className, style: {color, ...style}};
	if (!data) {
		// Unknown icon: a visible placeholder instead of a crash.
		return (
			<svg {...common} viewBox="0 0 24 24" data-icon-placeholder={typeof icon === 'string' ? icon : ''}>
				<rect x="2" y="2" width="20" height="20" rx="4" fill="none" stroke="currentColor" strokeWidth="2" strokeDasharray="4 3" />
				<text x="12" y="16.5" textAnchor="middle" fontSize="12" fill="currentColor">?</text>
			</svg>
		);
	}
	return (
		<svg
			{...common}
			xmlns="http://www.w3.org/2000/svg"
			viewBox={`${data.left} ${data.top} ${data.width} ${data.height}`}
			dangerouslySetInnerHTML={{__html: data.body}}
		/>
	);
};
