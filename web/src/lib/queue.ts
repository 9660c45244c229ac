import type {Render} from '../api/client';

// A queued export's place in words: "Waiting for a render slot: 3 ahead, about 40 s".
export const waitingWords = (queue: Render['queue']): string => {
	if (!queue) return 'Waiting for a render slot…';
	const place = queue.ahead === 0 ? 'next in line' : `${queue.ahead} ahead`;
	const seconds = Math.max(1, Math.round(queue.estimatedStartSeconds));
	const when = seconds < 60 ? `about ${seconds} s` : `about ${Math.round(seconds / 60)} min`;
	return `Waiting for a render slot: ${place}, ${when}`;
};
