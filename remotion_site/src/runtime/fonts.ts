import {continueRender, delayRender} from 'remotion';
import {report} from './report';
import {SHIPPED_FONTS} from './shipped-fonts';

// `window.RemotionGoogleFonts.loadFont('Inter', {weights: ['400', '700']})`: any Google Font by
// family name. The most used families ship with the site (shipped-fonts.ts: latin subset, every
// weight and style) and load from it, with no third-party server. Any other family: the Google
// Fonts CSS API, each face loaded with the FontFace API (@remotion/google-fonts needs one static
// import per family, which a scene compiled at run time cannot do). Where the network or the
// render page's policy does not allow that, it warns and the scene renders with a fallback font.
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

// The unicode-range of Google Fonts' (and Fontsource's) latin subset: other characters fall back.
const LATIN =
	'U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD';

// Shipped families by a forgiving name: "Open Sans", "open sans" and "open-sans" are one family.
const shippedKey = (family: string): string => family.toLowerCase().replace(/[\s_-]+/g, ' ').trim();
const SHIPPED_BY_KEY = new Map(Object.entries(SHIPPED_FONTS).map(([name, faces]) => [shippedKey(name), faces]));

export const isShipped = (family: string): boolean => SHIPPED_BY_KEY.has(shippedKey(family));

const loadShipped = async (family: string, faces: Record<string, string>, {weights = ['400'], styles = ['normal']}: LoadFontOptions) => {
	const wanted = styles.flatMap((style) => weights.map((weight) => `${weight}-${style}`));
	const missing = wanted.filter((face) => !(face in faces));
	if (missing.length > 0) {
		report({type: 'warning', message: `font "${family}" has no ${missing.join(', ')} face; the nearest one is used`});
	}
	const available = wanted.filter((face) => face in faces);
	// Nothing of what was asked exists: the regular face, so the family still shows.
	const load = available.length > 0 ? available : [Object.keys(faces).includes('400-normal') ? '400-normal' : Object.keys(faces)[0]];
	await Promise.all(
		load.map(async (face) => {
			const [weight, style] = face.split('-');
			const fontFace = new FontFace(family, `url(${faces[face]}) format('woff2')`, {weight, style, unicodeRange: LATIN});
			document.fonts.add(await fontFace.load());
		}),
	);
};

const loadFromGoogle = async (family: string, options: LoadFontOptions): Promise<void> => {
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
		const shipped = SHIPPED_BY_KEY.get(shippedKey(family));
		promise = (shipped ? loadShipped(family, shipped, options) : loadFromGoogle(family, options))
			.catch((error: unknown) => {
				report({type: 'warning', message: `font "${family}" could not be loaded (${String(error)}); a fallback font is used`});
			})
			.finally(() => continueRender(handle));
		loading.set(key, promise);
	}
	return {fontFamily: family, waitUntilDone: () => promise};
};
