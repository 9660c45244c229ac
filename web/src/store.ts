// The page's own state (what is open, what is chosen); server state lives in TanStack Query and
// the selected project in the URL (lib/projectUrl.ts).
import {create} from 'zustand';
import type {OutputFormat, Quality} from './api/client';

type Choice = {format?: OutputFormat; quality?: Quality};

type PageState = {
	exportOpen: boolean;
	format: OutputFormat;
	quality: Quality;
	// One Idempotency-Key per intent: made when the dialog opens or the choice changes, so every
	// click on Start for the same intent (a double click, a retry) is the same export.
	intentKey: string;
	shownRenderId: string | null;
	openExport: (preset?: Choice) => void;
	closeExport: () => void;
	choose: (choice: Choice) => void;
	show: (renderId: string | null) => void;
};

const newKey = (): string => crypto.randomUUID();

export const usePage = create<PageState>((set) => ({
	exportOpen: false,
	format: 'mp4',
	quality: 'medium',
	intentKey: newKey(),
	shownRenderId: null,
	openExport: (preset = {}) => set({exportOpen: true, intentKey: newKey(), ...preset}),
	closeExport: () => set({exportOpen: false}),
	choose: (choice) => set({...choice, intentKey: newKey()}),
	show: (shownRenderId) => set({shownRenderId}),
}));
