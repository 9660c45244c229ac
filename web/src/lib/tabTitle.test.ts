import {describe, expect, it} from 'vitest';
import {tabTitle} from './tabTitle';

describe('tabTitle', () => {
	it('carries progress and the end of an export', () => {
		expect(tabTitle({status: 'rendering', progress: 36.7, title: 'Launch'})).toBe('36% · Exporting “Launch” · Framecast');
		expect(tabTitle({status: 'succeeded', progress: 100, title: 'Launch'})).toBe('✓ Ready: “Launch” · Framecast');
		expect(tabTitle({status: 'failed', progress: 40, title: 'Launch'})).toBe('✕ Export failed: “Launch” · Framecast');
		expect(tabTitle(undefined)).toBe('Framecast');
	});
});
