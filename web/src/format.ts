export const seconds = (value: number): string =>
	value < 60 ? `${value.toFixed(value < 10 ? 1 : 0)} s` : `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;

export const bytes = (value: number | null | undefined): string =>
	value == null ? '' : value < 1e6 ? `${(value / 1e3).toFixed(0)} kB` : `${(value / 1e6).toFixed(1)} MB`;

export const STATUS_WORDS: Record<string, string> = {
	queued: 'Waiting for a renderer…',
	rendering: 'Rendering your video…',
	succeeded: 'Done: your download has started.',
	failed: 'The export failed.',
	cancelled: 'Export cancelled.',
	timed_out: 'The export took too long and was stopped.',
};
