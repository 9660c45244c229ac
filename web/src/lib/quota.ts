// Exports left today and when they come back: the API counts UTC days (design section 6), so the
// reset is the next UTC midnight unless the API says otherwise (quotaResetsAt).

export const nextUtcMidnight = (now: Date): Date =>
	new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));

export const resetTime = (resetsAt: string | null | undefined, now: Date = new Date()): Date =>
	resetsAt ? new Date(resetsAt) : nextUtcMidnight(now);

export const clock = (when: Date): string => when.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});

export const waitWords = (seconds: number): string => {
	const total = Math.max(0, Math.ceil(seconds / 60));
	const hours = Math.floor(total / 60);
	const minutes = total % 60;
	return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
};

// "Exports come back at 01:00 (in 2 h 30 min)"
export const resetWords = (resetsAt: Date, now: Date = new Date()): string =>
	`at ${clock(resetsAt)} (in ${waitWords((resetsAt.getTime() - now.getTime()) / 1000)})`;
