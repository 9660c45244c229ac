// What each quality really makes, per format (design section 4): the output size is the project's
// aspect with its short side at the preset, each side even; gif has its own sizes and frame rates.
import type {OutputFormat, Quality} from '../api/client';

const SHORT_SIDE: Record<Quality, number> = {low: 480, medium: 720, high: 1080};
const GIF: Record<Quality, {shortSide: number; fps: number}> = {
	low: {shortSide: 240, fps: 10},
	medium: {shortSide: 360, fps: 15},
	high: {shortSide: 480, fps: 15},
};
const QUALITY_WORDS: Record<Quality, string> = {low: 'Low', medium: 'Medium', high: 'High'};
export const QUALITIES: Quality[] = ['low', 'medium', 'high'];

const even = (value: number): number => Math.max(2, Math.round(value / 2) * 2);

export type OutputSize = {width: number; height: number; fps: number};

export const outputSize = (format: OutputFormat, quality: Quality, width: number, height: number): OutputSize => {
	const target = format === 'gif' ? GIF[quality].shortSide : SHORT_SIDE[quality];
	const scale = target / Math.min(width, height);
	return {width: even(width * scale), height: even(height * scale), fps: format === 'gif' ? GIF[quality].fps : 30};
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
