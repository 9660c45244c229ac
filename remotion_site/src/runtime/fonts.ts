import {continueRender, delayRender} from 'remotion';
import {report} from './report';

// `window.RemotionGoogleFonts.loadFont('Inter', {weights: ['400', '700']})`: any Google Font by
// family name. @remotion/google-fonts only loads fonts imported statically one module per family,
// which a scene compiled at run time cannot do, so this asks the Google Fonts CSS API directly and
// loads each face with the FontFace API. Where the network does not allow it, it warns and the
// scene renders with a fallback font.
const CSS_API = 'https://fonts.googleapis.com/css2';
const TIMEOUT_MS = 8000;

export type LoadFontOptions = {weights?: string[]; styles?: ('normal' | 'italic')[]};

const faceRule = /@font-face\s*{([^}]*)}/g;
const descriptor = (block: string, name: string): string | undefined =>
	new RegExp(`${name}\\s*:\\s*([^;]+);`).exec(block)?.[1]?.trim();

const cssUrl = (family: string, {weights = ['400'], styles = ['normal']}: LoadFontOptions): string => {
	const italic = styles.includes('italic');
	const axes = italic
		? `ital,wght@${styles.flatMap((s) => weights.map((w) => `${s === 'italic' ? 1 : 0},${w}`)).sort().join(';')}`
		: `wght@${[...weights].sort().join(';')}`;
	return `${CSS_API}?family=${encodeURIComponent(family)}:${axes}&display=block`;
};

const load = async (family: string, options: LoadFontOptions): Promise<void> => {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
	try {
		const response = await fetch(cssUrl(family, options), {signal: controller.signal});
		if (!response.ok) throw new Error(`Google Fonts answered ${response.status}`);
		const css = await response.text();
		const faces = [...css.matchAll(faceRule)].map(([, block]) => {
			const src = descriptor(block, 'src') ?? '';
			return new FontFace(family, src, {
				style: descriptor(block, 'font-style') ?? 'normal',
				weight: descriptor(block, 'font-weight') ?? '400',
				unicodeRange: descriptor(block, 'unicode-range') ?? 'U+0-10FFFF',
			});
		});
		await Promise.all(faces.map(async (face) => document.fonts.add(await face.load())));
	} finally {
		clearTimeout(timer);
	}
};

const loading = new Map<string, Promise<void>>();

export const loadFont = (family: string, options: LoadFontOptions = {}) => {
	const key = `${family}|${JSON.stringify(options)}`;
	let promise = loading.get(key);
	if (!promise) {
		const handle = delayRender(`Loading font ${family}`, {timeoutInMilliseconds: TIMEOUT_MS * 3});
		promise = load(family, options)
			.catch((error: unknown) => {
				report({type: 'warning', message: `font "${family}" could not be loaded (${String(error)}); a fallback font is used`});
			})
			.finally(() => continueRender(handle));
		loading.set(key, promise);
	}
	return {fontFamily: family, waitUntilDone: () => promise};
};
