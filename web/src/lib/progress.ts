// Progress that moves at least every second: the API refreshes its figure every few seconds, so
// between two reports the bar follows the estimate, never past what is likely and never backwards.

export type ProgressInput = {
	status: string;
	serverProgress: number; // 0–100, as the API last reported it
	estimatedSeconds: number; // the API's estimate of the whole render
	sinceSeconds: number; // how long this page has watched the render run
	seenAtProgress: number; // the API's figure when this page first saw it run (after a reload, not 0)
	shown: number; // what the bar showed last time: it never goes down
};

// How far the estimate may carry the bar ahead of the API's last figure.
const LEAD = 12;

export const smoothProgress = (input: ProgressInput): number => {
	const {status, serverProgress, estimatedSeconds, sinceSeconds, seenAtProgress, shown} = input;
	if (status === 'succeeded') return 100;
	if (status !== 'rendering') return Math.max(shown, serverProgress);
	const expected = seenAtProgress + (sinceSeconds / Math.max(estimatedSeconds, 1)) * 100;
	const ahead = Math.min(expected, serverProgress + LEAD, 99);
	return Math.max(shown, serverProgress, ahead);
};

// Seconds left: from the estimate at first, then from the pace the API reports once it has some.
export const secondsLeft = (input: Omit<ProgressInput, 'shown'>): number | null => {
	const {status, serverProgress, estimatedSeconds, sinceSeconds, seenAtProgress} = input;
	if (status !== 'rendering' && status !== 'queued') return null;
	const fromEstimate = estimatedSeconds * (1 - seenAtProgress / 100) - sinceSeconds;
	const gained = serverProgress - seenAtProgress;
	if (gained >= 10 && sinceSeconds > 0) {
		const pace = gained / sinceSeconds; // percent a second
		return Math.max(1, Math.round((100 - serverProgress) / pace));
	}
	return Math.max(1, Math.round(fromEstimate));
};

export const timeLeftWords = (seconds: number | null): string => {
	if (seconds == null) return '';
	if (seconds < 60) return `about ${seconds} s left`;
	return `about ${Math.round(seconds / 60)} min left`;
};
