import {describe, expect, it} from 'vitest';
import {secondsLeft, smoothProgress, timeLeftWords} from './progress';

const base = {status: 'rendering', serverProgress: 0, estimatedSeconds: 20, sinceSeconds: 0, seenAtProgress: 0, shown: 0};

describe('smoothProgress', () => {
	it('moves with the estimate between two reports of the API', () => {
		const values = [0, 1, 2, 3].map((s) => smoothProgress({...base, sinceSeconds: s}));
		expect(values).toEqual([0, 5, 10, 12]); // 5% a second, but at most 12 points past the API's figure
	});

	it('never goes back, even when the estimate was optimistic', () => {
		expect(smoothProgress({...base, serverProgress: 20, sinceSeconds: 1, shown: 30})).toBe(30);
	});

	it('follows the API when it is ahead of the estimate, and stops short of 100 until done', () => {
		expect(smoothProgress({...base, serverProgress: 60, sinceSeconds: 1})).toBe(60);
		expect(smoothProgress({...base, serverProgress: 95, sinceSeconds: 100})).toBe(99);
		expect(smoothProgress({...base, status: 'succeeded', serverProgress: 95})).toBe(100);
	});

	it('starts from where the render was when the page found it (after a reload)', () => {
		expect(smoothProgress({...base, serverProgress: 40, seenAtProgress: 40, sinceSeconds: 1})).toBe(45);
	});

	it('holds still while queued', () => {
		expect(smoothProgress({...base, status: 'queued', sinceSeconds: 10})).toBe(0);
	});
});

describe('secondsLeft', () => {
	it('uses the estimate until the API reports some pace, then the pace', () => {
		expect(secondsLeft({...base, sinceSeconds: 5})).toBe(15);
		expect(secondsLeft({...base, sinceSeconds: 10, serverProgress: 25})).toBe(30); // 2.5%/s, 75% to go
	});

	it('says nothing once the render has ended', () => {
		expect(secondsLeft({...base, status: 'succeeded'})).toBeNull();
	});

	it('in words', () => {
		expect(timeLeftWords(12)).toBe('about 12 s left');
		expect(timeLeftWords(150)).toBe('about 3 min left');
		expect(timeLeftWords(null)).toBe('');
	});
});
