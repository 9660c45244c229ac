export const seconds = (value: number): string =>
	value < 60 ? `${value.toFixed(value < 10 ? 1 : 0)} s` : `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;

export const bytes = (value: number | null | undefined): string =>
	value == null ? '' : value < 1e6 ? `${(value / 1e3).toFixed(0)} kB` : `${(value / 1e6).toFixed(1)} MB`;

// The status of an export as a person would say it.
export const STATUS_WORDS: Record<string, string> = {
	queued: 'Waiting',
	rendering: 'Rendering',
	succeeded: 'Ready',
	failed: 'Failed',
	cancelled: 'Cancelled',
	timed_out: 'Took too long',
};

export const when = (iso: string, now: Date = new Date()): string => {
	const date = new Date(iso);
	const sameDay = date.toDateString() === now.toDateString();
	const time = date.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
	return sameDay ? `Today ${time}` : `${date.toLocaleDateString([], {month: 'short', day: 'numeric'})} ${time}`;
};
