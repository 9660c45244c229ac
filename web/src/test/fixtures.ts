import type {Preview} from '../api/client';

export const preview = (videoSeconds: number): Preview => ({
	props: {
		title: 'Launch video',
		width: 1920,
		height: 1080,
		designWidth: 1920,
		designHeight: 1080,
		scenes: [{id: 's1', name: 'Intro', durationInFrames: Math.round(videoSeconds * 30), jsCode: 'module.exports={}', icons: {}}],
	},
	videoSeconds,
	renderSeconds: {
		mp4: {low: 12, medium: 18, high: 30},
		webm: {low: 14, medium: 20, high: 33},
		gif: {low: 5, medium: 8, high: 9},
	},
	sizeBytes: {
		mp4: {low: 410_000, medium: 920_000, high: 2_300_000},
		webm: {low: 700_000, medium: 1_900_000, high: 5_600_000},
		gif: {low: 1_600_000, medium: 3_700_000, high: 4_900_000},
	},
	maxGifSeconds: 60,
	maxRenderMinutes: 30,
	warnings: [],
});
