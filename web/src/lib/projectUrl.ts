// The selected project lives in the URL (?project=ID): a reload, a shared link or the back button
// show the same project, and the page can find that project's running export again.
import {useSyncExternalStore} from 'react';

const PARAM = 'project';
const CHANGED = 'framecast:url';

const subscribe = (onChange: () => void) => {
	window.addEventListener('popstate', onChange);
	window.addEventListener(CHANGED, onChange);
	return () => {
		window.removeEventListener('popstate', onChange);
		window.removeEventListener(CHANGED, onChange);
	};
};

const read = (): string | null => new URLSearchParams(window.location.search).get(PARAM);

export const projectUrl = (projectId: string): string => {
	const url = new URL(window.location.href);
	url.searchParams.set(PARAM, projectId);
	return `${url.pathname}${url.search}${url.hash}`;
};

export const selectProject = (projectId: string, {replace = false} = {}): void => {
	if (read() === projectId) return;
	const target = projectUrl(projectId);
	if (replace) window.history.replaceState(null, '', target);
	else window.history.pushState(null, '', target);
	window.dispatchEvent(new Event(CHANGED));
};

export const useSelectedProject = (): [string | null, typeof selectProject] => {
	const projectId = useSyncExternalStore(subscribe, read, () => null);
	return [projectId, selectProject];
};
