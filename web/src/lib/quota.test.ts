import {describe, expect, it} from 'vitest';
import {nextUtcMidnight, resetTime, resetWords, waitWords} from './quota';

describe('quota reset', () => {
	it('is the next UTC midnight when the API does not say', () => {
		const now = new Date('2026-11-25T22:15:00Z');
		expect(nextUtcMidnight(now).toISOString()).toBe('2026-11-26T00:00:00.000Z');
		expect(resetTime(undefined, now).toISOString()).toBe('2026-11-26T00:00:00.000Z');
	});

	it('is what the API says when it says', () => {
		expect(resetTime('2026-11-26T00:00:00Z').toISOString()).toBe('2026-11-26T00:00:00.000Z');
	});

	it('in words, with the wait', () => {
		const now = new Date('2026-11-25T21:30:00Z');
		expect(resetWords(new Date('2026-11-26T00:00:00Z'), now)).toMatch(/^at .+ \(in 2 h 30 min\)$/);
		expect(waitWords(59)).toBe('1 min');
	});
});
