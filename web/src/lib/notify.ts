// A browser notification when an export ends in a hidden tab, where the user allowed them. The
// permission is asked on Start (browsers want a user gesture for it), once.
export const askToNotify = (): void => {
	if ('Notification' in window && Notification.permission === 'default') {
		Notification.requestPermission().catch(() => undefined);
	}
};

export const notify = (title: string, body: string, tag: string): void => {
	if (!('Notification' in window) || Notification.permission !== 'granted') return;
	if (document.visibilityState !== 'hidden') return; // the page itself says it
	try {
		new Notification(title, {body, tag, icon: 'favicon.svg'});
	} catch {
		// Some browsers (Android Chrome) allow notifications only from a service worker.
	}
};
