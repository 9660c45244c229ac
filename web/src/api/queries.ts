// Server state: every read and write of the page, with TanStack Query's caching and polling.
import {useMutation, useQuery, useQueryClient} from '@tanstack/react-query';
import {type OutputFormat, type Quality, type Render, unwrap} from './client';
import {ENDED_STATUSES} from '../../../remotion_site/src/contract';
import {useApi} from './context';

const ENDED = new Set(ENDED_STATUSES);
export const hasEnded = (render: Render | undefined): boolean => !!render && ENDED.has(render.status);

export const useProjects = () => {
	const api = useApi();
	return useQuery({queryKey: ['projects'], queryFn: () => unwrap(api.GET('/projects'))});
};

export const usePreview = (projectId: string | null) => {
	const api = useApi();
	return useQuery({
		queryKey: ['preview', projectId],
		enabled: !!projectId,
		retry: false,
		queryFn: () => unwrap(api.GET('/projects/{project_id}/preview', {params: {path: {project_id: projectId!}}})),
	});
};

export const useStats = () => {
	const api = useApi();
	return useQuery({queryKey: ['stats'], queryFn: () => unwrap(api.GET('/exports/stats'))});
};

export const useRecentRenders = () => {
	const api = useApi();
	return useQuery({
		queryKey: ['renders'],
		queryFn: () => unwrap(api.GET('/renders', {params: {query: {limit: 10}}})),
	});
};

// Polled every second until the render ends; the API refreshes progress from the renderer.
export const useRender = (renderId: string | null) => {
	const api = useApi();
	return useQuery({
		queryKey: ['render', renderId],
		enabled: !!renderId,
		queryFn: () => unwrap(api.GET('/renders/{render_id}', {params: {path: {render_id: renderId!}}})),
		refetchInterval: (query) => (hasEnded(query.state.data) ? false : 1000),
	});
};

export const useStartExport = () => {
	const api = useApi();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (input: {projectId: string; format: OutputFormat; quality: Quality}) =>
			unwrap(api.POST('/renders', {body: input, headers: {'Idempotency-Key': crypto.randomUUID()}})),
		onSettled: () => client.invalidateQueries({queryKey: ['stats']}),
	});
};

export const useCancelExport = () => {
	const api = useApi();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (renderId: string) =>
			unwrap(api.POST('/renders/{render_id}/cancel', {params: {path: {render_id: renderId}}})),
		onSuccess: (render) => client.setQueryData(['render', render.renderId], render),
	});
};

export const useDownload = () => {
	const api = useApi();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (renderId: string) =>
			unwrap(api.POST('/renders/{render_id}/downloads', {params: {path: {render_id: renderId}}})),
		onSuccess: ({url}) => {
			// The URL answers with Content-Disposition: attachment, so the browser saves the file.
			const link = document.createElement('a');
			link.href = url;
			link.rel = 'noopener';
			document.body.appendChild(link);
			link.click();
			link.remove();
			client.invalidateQueries({queryKey: ['stats']});
		},
	});
};
