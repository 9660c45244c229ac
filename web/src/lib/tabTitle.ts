// The tab's title carries a running export's progress and its end, for a tab in the background.
export const BASE_TITLE = 'Framecast';

export const tabTitle = (render: {status: string; progress: number; title: string} | undefined): string => {
	if (!render) return BASE_TITLE;
	switch (render.status) {
		case 'queued':
			return `Waiting… “${render.title}” · ${BASE_TITLE}`;
		case 'rendering':
			return `${Math.floor(render.progress)}% · Exporting “${render.title}” · ${BASE_TITLE}`;
		case 'succeeded':
			return `✓ Ready: “${render.title}” · ${BASE_TITLE}`;
		case 'cancelled':
			return BASE_TITLE;
		default:
			return `✕ Export failed: “${render.title}” · ${BASE_TITLE}`;
	}
};
