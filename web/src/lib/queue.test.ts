import {describe, expect, it} from 'vitest';
import {waitingWords} from './queue';

describe('waitingWords', () => {
	it('says how many wait ahead and when the export should start', () => {
		expect(waitingWords({ahead: 3, estimatedStartSeconds: 40.2})).toBe('Waiting for a render slot: 3 ahead, about 40 s');
		expect(waitingWords({ahead: 12, estimatedStartSeconds: 310})).toBe('Waiting for a render slot: 12 ahead, about 5 min');
	});

	it('says next in line, and never promises less than a second', () => {
		expect(waitingWords({ahead: 0, estimatedStartSeconds: 0})).toBe('Waiting for a render slot: next in line, about 1 s');
	});

	it('waits without figures before the API has placed the export', () => {
		expect(waitingWords(null)).toBe('Waiting for a render slot…');
		expect(waitingWords(undefined)).toBe('Waiting for a render slot…');
	});
});
