// Server state: every read of the page as a queryOptions factory under one key root, so that a
// key is written once and invalidating a branch (all renders, one project) reaches what is below.
import {queryOptions, useMutation, useQueryClient} from '@tanstack/react-query';
import {ApiError, type Api, type OutputFormat, type Quality, type Render, type Stats, unwrap} from './client';
import {ENDED_STATUSES} from '../../../remotion_site/src/contract';
import {useApi} from './context';

const ENDED = new Set(ENDED_STATUSES);
export const hasEnded = (render: Pick<Render, 'status'> | undefined): boolean => !!render && ENDED.has(render.status);

// A finished export's thumbnail is made just after it ends: worth waiting this long for.
const THUMBNAIL_WAIT_MS = 30_000;
export const awaitsThumbnail = (
	render: Pick<Render, 'status' | 'thumbnailUrl' | 'completedAt'>,
	now: number = Date.now(),
): boolean =>
	render.status === 'succeeded' &&
	!render.thumbnailUrl &&
	!!render.completedAt &&
	now - Date.parse(render.completedAt) < THUMBNAIL_WAIT_MS;

export const RECENT_LIMIT = 10;

export const keys = {
	all: ['framecast'] as const,
	projects: () => [...keys.all, 'projects'] as const,
	project: (projectId: string) => [...keys.projects(), projectId] as const,
	preview: (projectId: string) => [...keys.project(projectId), 'preview'] as const,
	stats: () => [...keys.all, 'stats'] as const,
	renders: () => [...keys.all, 'renders'] as const,
	recentRenders: () => [...keys.renders(), 'recent', RECENT_LIMIT] as const,
	render: (renderId: string) => [...keys.renders(), 'detail', renderId] as const,
};

// Polled every second until it ends, also in a hidden tab: the file must arrive when it is done.
export const RENDER_POLL_MS = 1000;
// After a failed poll (the API or the network is down) the next one waits a little longer.
export const RETRY_POLL_MS = 2000;

export const queries = (api: Api) => ({
	projects: () => queryOptions({queryKey: keys.projects(), queryFn: () => unwrap(api.GET('/projects'))}),
	project: (projectId: string) =>
		queryOptions({
			queryKey: keys.project(projectId),
			queryFn: () => unwrap(api.GET('/projects/{project_id}', {params: {path: {project_id: projectId}}})),
		}),
	preview: (projectId: string) =>
		queryOptions({
			queryKey: keys.preview(projectId),
			retry: false, // a project that does not compile answers 422 every time
			queryFn: () =>
				unwrap(api.GET('/projects/{project_id}/preview', {params: {path: {project_id: projectId}}})),
		}),
	stats: () =>
		queryOptions({queryKey: keys.stats(), queryFn: () => unwrap(api.GET('/exports/stats')) as Promise<Stats>}),
	recentRenders: () =>
		queryOptions({
			queryKey: keys.recentRenders(),
			queryFn: () =>
				unwrap(api.GET('/renders', {params: {query: {limit: RECENT_LIMIT}}})) as Promise<{
					items: Render[];
					nextCursor?: string | null;
				}>,
			// A row still running is refreshed until it ends, so no row stays frozen at "rendering"; a
			// row just finished, until its thumbnail is there.
			refetchInterval: (query) =>
				query.state.data?.items.some((r) => !hasEnded(r) || awaitsThumbnail(r)) ? 3000 : false,
			refetchIntervalInBackground: true,
		}),
	render: (renderId: string) =>
		queryOptions({
			queryKey: keys.render(renderId),
			queryFn: () =>
				unwrap(api.GET('/renders/{render_id}', {params: {path: {render_id: renderId}}})) as Promise<Render>,
			retry: false, // the poll itself is the retry, and its error shows at once
			// A 4xx (gone, another user's) will not change by asking again; anything else may.
			refetchInterval: (query) => {
				const {data, error} = query.state;
				if (hasEnded(data) || (error instanceof ApiError && error.status < 500)) return false;
				return error ? RETRY_POLL_MS : RENDER_POLL_MS;
			},
			refetchIntervalInBackground: true,
		}),
});

export const useQueries = () => queries(useApi());

export type StartInput = {projectId: string; format: OutputFormat; quality: Quality; idempotencyKey: string};

// The key comes from the caller, made once per intent (one open dialog with one choice), so a
// double click or a retry of the same intent is one export on the server.
export const useStartExport = () => {
	const api = useApi();
	const client = useQueryClient();
	return useMutation({
		mutationFn: ({idempotencyKey, ...body}: StartInput) =>
			unwrap(api.POST('/renders', {body, headers: {'Idempotency-Key': idempotencyKey}})),
		onSettled: () => {
			client.invalidateQueries({queryKey: keys.stats()});
			client.invalidateQueries({queryKey: keys.renders()});
		},
	});
};

export const useCancelExport = () => {
	const api = useApi();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (renderId: string) =>
			unwrap(api.POST('/renders/{render_id}/cancel', {params: {path: {render_id: renderId}}})) as Promise<Render>,
		onSuccess: (render) => {
			client.setQueryData(keys.render(render.renderId), render);
			client.invalidateQueries({queryKey: keys.stats()});
			client.invalidateQueries({queryKey: keys.recentRenders()});
		},
	});
};

// Asks for a download link (the API counts the download); what to do with it is the caller's.
export const downloadLink = (api: Api, renderId: string) =>
	unwrap(api.POST('/renders/{render_id}/downloads', {params: {path: {render_id: renderId}}}));

export const useDownloadLink = () => {
	const api = useApi();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (renderId: string) => downloadLink(api, renderId),
		onSuccess: () => {
			client.invalidateQueries({queryKey: keys.stats()});
			client.invalidateQueries({queryKey: keys.recentRenders()});
		},
	});
};
