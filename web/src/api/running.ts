import {useQuery} from '@tanstack/react-query';
import {usePage} from '../store';
import type {Render} from './client';
import {hasEnded, useQueries} from './queries';

// The export still running, if any: the one on show, else the newest unfinished one the API lists
// (after a reload, or one started in another tab).
export const useRunningRender = (): Render | undefined => {
	const q = useQueries();
	const shownId = usePage((s) => s.shownRenderId);
	const recent = useQuery(q.recentRenders());
	const shown = useQuery({...q.render(shownId ?? ''), enabled: !!shownId});
	if (shown.data && !hasEnded(shown.data)) return shown.data;
	return recent.data?.items.find((r) => !hasEnded(r) && r.renderId !== shown.data?.renderId);
};
