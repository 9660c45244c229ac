import {describe, expect, it} from 'vitest';
import {usePage} from './store';

describe('the idempotency key of an export', () => {
	it('is one per intent: the same for every Start of one choice, new for a new choice or a new dialog', () => {
		const page = usePage.getState();
		page.openExport();
		const first = usePage.getState().intentKey;
		// The first Start's answer shows its render; a second click (or a retry) sends the same key.
		usePage.getState().show('rnd_1');
		expect(usePage.getState()).toMatchObject({intentKey: first, shownRenderId: 'rnd_1'});
		usePage.getState().choose({format: 'webm'});
		const second = usePage.getState().intentKey;
		expect(second).not.toBe(first);
		usePage.getState().openExport({format: 'gif', quality: 'low'});
		expect(usePage.getState().intentKey).not.toBe(second);
		expect(usePage.getState()).toMatchObject({format: 'gif', quality: 'low', exportOpen: true});
	});
});
