// What each quality really makes, per format (design section 4): the presets and the frame rate
// come from functions/contract.json, which the renderer reads too; the output-size rule is the
// contract's (outputSize), the same as functions/render_settings.py: output_size, and
// tests/integration/test_preset_parity.py runs both over a grid of sizes.
import type {OutputFormat, Quality} from '../api/client';
import {FPS, OUTPUT_SIZE_MULTIPLE, PRESETS} from '../../../remotion_site/src/contract';

const QUALITY_WORDS: Record<Quality, string> = {low: 'Low', medium: 'Medium', high: 'High'};
export const QUALITIES: Quality[] = ['low', 'medium', 'high'];

// numerator / denominator to the nearest multiple of OUTPUT_SIZE_MULTIPLE, halves up, at least one
// multiple. In integers (exact for any size a project may have), so that it cannot land on the
// other side of a half from Python: Math.round and Python's round() disagree on halves.
const nearestMultiple = (numerator: number, denominator: number): number => {
	const m = OUTPUT_SIZE_MULTIPLE;
	const dividend = 2 * numerator + m * denominator;
	const divisor = 2 * m * denominator;
	return Math.max(m, m * ((dividend - (dividend % divisor)) / divisor));
};

export type OutputSize = {width: number; height: number; fps: number};

// The project's design size scaled so its short side meets the preset's, each side even.
export const outputSize = (format: OutputFormat, quality: Quality, width: number, height: number): OutputSize => {
	const preset = PRESETS[quality];
	const target = format === 'gif' ? preset.gif.shortSide : preset.shortSide;
	const short = Math.min(width, height);
	return {
		width: nearestMultiple(width * target, short),
		height: nearestMultiple(height * target, short),
		fps: format === 'gif' ? preset.gif.fps : FPS,
	};
};

// "Medium · 640×360" for a video; "Medium · 640×360, 15 fps" for a gif, whose frame rate is lower.
export const qualityLabel = (format: OutputFormat, quality: Quality, width: number, height: number): string => {
	const size = outputSize(format, quality, width, height);
	const fps = format === 'gif' ? `, ${size.fps} fps` : '';
	return `${QUALITY_WORDS[quality]} · ${size.width}×${size.height}${fps}`;
};

export const FORMATS: {value: OutputFormat; label: string}[] = [
	{value: 'mp4', label: 'MP4 (H.264)'},
	{value: 'webm', label: 'WebM (VP8)'},
	{value: 'gif', label: 'GIF'},
];

export const formatWord = (format: OutputFormat): string => FORMATS.find((f) => f.value === format)?.label ?? format;

// A choice made for one project is checked again for the next: gif only fits short videos.
export const gifAllowed = (videoSeconds: number, maxGifSeconds: number): boolean => videoSeconds <= maxGifSeconds;
export const effectiveFormat = (chosen: OutputFormat, videoSeconds: number, maxGifSeconds: number): OutputFormat =>
	chosen === 'gif' && !gifAllowed(videoSeconds, maxGifSeconds) ? 'mp4' : chosen;
