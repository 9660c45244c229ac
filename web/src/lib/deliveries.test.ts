import {beforeEach, describe, expect, it} from 'vitest';
import {useDeliveries} from './deliveries';

describe('deliveries', () => {
	beforeEach(() => {
		window.localStorage.clear();
		useDeliveries.setState({owed: []});
	});

	it('lets exactly one caller take an owed file, and keeps the note across a reload', async () => {
		useDeliveries.getState().owe('rnd_1');
		useDeliveries.getState().owe('rnd_1');
		expect(JSON.parse(window.localStorage.getItem('framecast.owedDownloads')!)).toEqual(['rnd_1']);
		const taken = await Promise.all([useDeliveries.getState().claim('rnd_1'), useDeliveries.getState().claim('rnd_1')]);
		expect(taken.sort()).toEqual([false, true]);
		expect(useDeliveries.getState().owed).toEqual([]);
	});

	it('never delivers what was not owed', async () => {
		expect(await useDeliveries.getState().claim('rnd_2')).toBe(false);
	});
});
