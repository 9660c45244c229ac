// The page's own state (what is selected, what is open); server state lives in TanStack Query.
import {create} from 'zustand';
import type {OutputFormat, Quality} from './api/client';

type PageState = {
	projectId: string | null;
	exportOpen: boolean;
	format: OutputFormat;
	quality: Quality;
	activeRenderId: string | null;
	selectProject: (projectId: string | null) => void;
	openExport: () => void;
	closeExport: () => void;
	choose: (choice: {format?: OutputFormat; quality?: Quality}) => void;
	follow: (renderId: string | null) => void;
};

export const usePage = create<PageState>((set) => ({
	projectId: null,
	exportOpen: false,
	format: 'mp4',
	quality: 'medium',
	activeRenderId: null,
	selectProject: (projectId) => set({projectId}),
	openExport: () => set({exportOpen: true}),
	closeExport: () => set({exportOpen: false}),
	choose: (choice) => set(choice),
	follow: (activeRenderId) => set({activeRenderId}),
}));
