import {describe, expect, it} from 'vitest';
import type {Render} from '../api/client';
import {announcement, quotaWords} from './ExportProgress';

const render = (over: Partial<Render>): Render => ({
	renderId: 'rnd_1',
	projectId: 'p1',
	title: 'Launch',
	format: 'mp4',
	quality: 'low',
	status: 'rendering',
	progress: 40,
	width: 854,
	height: 480,
	videoSeconds: 2,
	estimatedRenderSeconds: 10,
	warnings: [],
	downloads: 0,
	createdAt: '2026-11-25T10:00:00Z',
	reused: false,
	quotaCounted: true,
	...over,
});

describe('ExportProgress words', () => {
	it('a cancel says it counted (the design counts cancels) unless the API says otherwise', () => {
		expect(quotaWords(render({status: 'cancelled'}))).toBe('This export counted as one of today’s exports.');
		expect(quotaWords({...render({status: 'cancelled'}), quotaCounted: undefined} as unknown as Render)).toBe(
			'This export counted as one of today’s exports.',
		);
		expect(quotaWords(render({status: 'failed', quotaCounted: false}))).toBe(
			'This export was not counted against today’s exports.',
		);
	});

	it('a reused export says it was ready at once and not counted', () => {
		expect(quotaWords(render({status: 'succeeded', reused: true}))).toMatch(/identical earlier export/);
		expect(announcement(render({status: 'succeeded', reused: true}), 100)).toMatch(/^Ready at once/);
		expect(quotaWords(render({status: 'succeeded'}))).toBeNull();
	});

	it('a queued export says where it stands', () => {
		const queued = render({status: 'queued', progress: 0, queue: {ahead: 2, estimatedStartSeconds: 25}});
		expect(announcement(queued, 0)).toBe('Waiting for a render slot: 2 ahead, about 25 s');
	});

	it('the live region speaks in quarters, not every percent', () => {
		expect(announcement(render({}), 49)).toBe('Rendering: 25% done.');
		expect(announcement(render({}), 51)).toBe('Rendering: 50% done.');
	});
});
