import {describe, expect, it} from 'vitest';
import {effectiveFormat, outputSize, qualityLabel} from './presets';

describe('presets', () => {
	it('scales the short side to the preset and keeps each side even', () => {
		expect(outputSize('mp4', 'medium', 1920, 1080)).toEqual({width: 1280, height: 720, fps: 30});
		expect(outputSize('webm', 'low', 1080, 1920)).toEqual({width: 480, height: 854, fps: 30});
		expect(outputSize('mp4', 'high', 1080, 1080)).toEqual({width: 1080, height: 1080, fps: 30});
	});

	it('takes a side that falls on a half to the even number above, as the renderer does', () => {
		// 1400 × 480 / 1280 = 525: 524 and 526 are as near; the renderer makes 526 (issue 21).
		expect(outputSize('mp4', 'low', 1400, 1280)).toEqual({width: 526, height: 480, fps: 30});
		expect(outputSize('webm', 'low', 1280, 1400)).toEqual({width: 480, height: 526, fps: 30});
	});

	it('gives gif its own, smaller sizes and frame rates', () => {
		expect(outputSize('gif', 'low', 1080, 1080)).toEqual({width: 240, height: 240, fps: 10});
		expect(outputSize('gif', 'medium', 1920, 1080)).toEqual({width: 640, height: 360, fps: 15});
		expect(outputSize('gif', 'high', 1920, 1080)).toEqual({width: 854, height: 480, fps: 15});
	});

	it('labels a quality with what it makes', () => {
		expect(qualityLabel('mp4', 'medium', 1920, 1080)).toBe('Medium · 1280×720');
		expect(qualityLabel('gif', 'medium', 1080, 1080)).toBe('Medium · 360×360, 15 fps');
	});

	it('falls back from gif to mp4 for a video too long for gif, and keeps other choices', () => {
		expect(effectiveFormat('gif', 75, 60)).toBe('mp4');
		expect(effectiveFormat('gif', 60, 60)).toBe('gif');
		expect(effectiveFormat('webm', 75, 60)).toBe('webm');
	});
});
