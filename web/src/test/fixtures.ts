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
	maxGifSeconds: 60,
	maxRenderMinutes: 30,
	warnings: [],
});
