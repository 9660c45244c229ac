import React from 'react';
import {QueryClient, QueryClientProvider} from '@tanstack/react-query';
import {act, renderHook, waitFor} from '@testing-library/react';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {createApi} from './client';
import {ApiProvider} from './context';
import {awaitsThumbnail, keys, useStartExport} from './queries';

describe('query keys', () => {
	it('sit under one root, with one render under all renders and a preview under its project', () => {
		expect(keys.render('rnd_1').slice(0, keys.renders().length)).toEqual(keys.renders());
		expect(keys.recentRenders().slice(0, keys.renders().length)).toEqual(keys.renders());
		expect(keys.preview('p1').slice(0, keys.project('p1').length)).toEqual(keys.project('p1'));
		for (const key of [keys.projects(), keys.stats(), keys.renders()]) expect(key[0]).toBe(keys.all[0]);
	});
});

describe('awaitsThumbnail', () => {
	const done = Date.parse('2026-11-25T10:00:00Z');
	const render = {status: 'succeeded' as const, thumbnailUrl: null, completedAt: '2026-11-25T10:00:00Z'};

	it('waits a little for the still of an export that has just succeeded', () => {
		expect(awaitsThumbnail(render, done + 2_000)).toBe(true);
		expect(awaitsThumbnail(render, done + 31_000)).toBe(false);
	});

	it('does not wait when the still is there, or for an export that did not succeed', () => {
		expect(awaitsThumbnail({...render, thumbnailUrl: 'https://x/still.jpg'}, done)).toBe(false);
		expect(awaitsThumbnail({...render, status: 'failed'}, done)).toBe(false);
	});
});

describe('useStartExport', () => {
	afterEach(() => vi.unstubAllGlobals());

	it('sends the Idempotency-Key of the intent: two clicks, one key', async () => {
		const sent: (string | null)[] = [];
		vi.stubGlobal(
			'fetch',
			vi.fn(async (request: Request) => {
				sent.push(request.headers.get('Idempotency-Key'));
				return new Response(JSON.stringify({renderId: 'rnd_1', status: 'queued'}), {
					status: 202,
					headers: {'Content-Type': 'application/json'},
				});
			}),
		);
		const api = createApi('http://api.test', async () => 'token');
		const client = new QueryClient();
		const wrapper = ({children}: {children: React.ReactNode}) => (
			<QueryClientProvider client={client}>
				<ApiProvider api={api}>{children}</ApiProvider>
			</QueryClientProvider>
		);
		const {result} = renderHook(() => useStartExport(), {wrapper});
		const input = {projectId: 'p1', format: 'gif', quality: 'low', idempotencyKey: 'intent-1'} as const;
		await act(async () => {
			result.current.mutate(input);
			result.current.mutate(input);
		});
		await waitFor(() => expect(sent).toHaveLength(2));
		expect(new Set(sent)).toEqual(new Set(['intent-1']));
	});
});
