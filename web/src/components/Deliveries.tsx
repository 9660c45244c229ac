import React, {useEffect} from 'react';
import {useQuery, useQueryClient} from '@tanstack/react-query';
import {ApiError, type Render} from '../api/client';
import {useApi} from '../api/context';
import {downloadLink, hasEnded, keys, useQueries} from '../api/queries';
import {useDeliveries} from '../lib/deliveries';
import {notify} from '../lib/notify';
import {saveFile} from '../lib/saveFile';
import {BASE_TITLE, tabTitle} from '../lib/tabTitle';

// A file finished long ago is not pushed at the user on their next visit: it waits in the list.
const FRESH_MS = 15 * 60 * 1000;

const isFresh = (render: Render): boolean =>
	!render.completedAt || Date.now() - new Date(render.completedAt).getTime() < FRESH_MS;

// The link could not be had (the API went away at that moment): the file stays owed, for a retry.
const claimFailed = (renderId: string) => window.setTimeout(() => useDeliveries.getState().owe(renderId), 3000);

// Watches one owed export, in a visible or hidden tab, and delivers its file once when it is done.
const Delivery: React.FC<{renderId: string}> = ({renderId}) => {
	const q = useQueries();
	const {data: render, error} = useQuery(q.render(renderId));
	const claim = useDeliveries((s) => s.claim);
	const api = useApi();
	const client = useQueryClient();

	// A render this user cannot see (gone, or signed in as someone else) is owed nothing.
	useEffect(() => {
		if (error instanceof ApiError && error.status === 404) claim(renderId);
	}, [error, claim, renderId]);

	useEffect(() => {
		if (!render) return;
		document.title = tabTitle(render);
		if (!hasEnded(render)) return;
		client.invalidateQueries({queryKey: keys.recentRenders()});
		client.invalidateQueries({queryKey: keys.stats()});
		claim(renderId).then((taken) => {
			if (!taken || render.status !== 'succeeded') {
				if (taken && render.status !== 'cancelled') notify('Your export failed', render.title, renderId);
				return;
			}
			if (render.downloads > 0 || !isFresh(render)) return; // delivered elsewhere, or too old to push
			// A plain call, not a mutation hook: this component is gone once the delivery is taken.
			downloadLink(api, renderId)
				.then(({url}) => saveFile(url))
				.catch(() => claimFailed(renderId))
				.finally(() => client.invalidateQueries({queryKey: keys.stats()}));
			notify('Your video is ready', `“${render.title}” is downloading.`, renderId);
		});
		// `api`, `client` and `claim` are stable for this purpose; the delivery depends only on the render.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [render, renderId]);
	return null;
};

// Back to the plain title once the user is looking at the page again.
const useTitleReset = () => {
	useEffect(() => {
		const onVisible = () => {
			if (document.visibilityState === 'visible' && !document.title.includes('%')) {
				window.setTimeout(() => (document.title = BASE_TITLE), 5000);
			}
		};
		document.addEventListener('visibilitychange', onVisible);
		return () => document.removeEventListener('visibilitychange', onVisible);
	}, []);
};

// Every export this browser still owes a file for, and every export found running on load.
export const Deliveries: React.FC = () => {
	const q = useQueries();
	const owed = useDeliveries((s) => s.owed);
	const owe = useDeliveries((s) => s.owe);
	const recent = useQuery(q.recentRenders());
	useTitleReset();

	useEffect(() => {
		for (const render of recent.data?.items ?? []) if (!hasEnded(render)) owe(render.renderId);
	}, [recent.data, owe]);

	return (
		<>
			{owed.map((renderId) => (
				<Delivery key={renderId} renderId={renderId} />
			))}
		</>
	);
};
