// The files this browser still owes its user: a render started here (or found running) is noted in
// localStorage, so a reload or a second tab still delivers its file, and exactly once: the note is
// taken under a Web Lock before the download starts, so only one tab can take it.
import {create} from 'zustand';

const KEY = 'framecast.owedDownloads';

const read = (): string[] => {
	try {
		const value = JSON.parse(window.localStorage.getItem(KEY) ?? '[]');
		return Array.isArray(value) ? value.filter((id) => typeof id === 'string') : [];
	} catch {
		return [];
	}
};
const write = (ids: string[]) => window.localStorage.setItem(KEY, JSON.stringify(ids));

type Deliveries = {owed: string[]; owe: (renderId: string) => void; claim: (renderId: string) => Promise<boolean>};

export const useDeliveries = create<Deliveries>((set) => ({
	owed: read(),
	owe: (renderId) => {
		const ids = read();
		if (!ids.includes(renderId)) write([...ids, renderId]);
		set({owed: read()});
	},
	// True for exactly one caller per owed render: that caller delivers the file.
	claim: async (renderId) => {
		const take = () => {
			const ids = read();
			if (!ids.includes(renderId)) return false;
			write(ids.filter((id) => id !== renderId));
			return true;
		};
		const taken = navigator.locks ? await navigator.locks.request(`${KEY}:${renderId}`, take) : take();
		set({owed: read()});
		return taken;
	},
}));

// Another tab took or added a delivery.
if (typeof window !== 'undefined') {
	window.addEventListener('storage', (event) => {
		if (event.key === KEY) useDeliveries.setState({owed: read()});
	});
}
