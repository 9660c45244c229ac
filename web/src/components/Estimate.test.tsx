import {render, screen} from '@testing-library/react';
import {describe, expect, it} from 'vitest';
import {preview} from '../test/fixtures';
import {Estimate} from './Estimate';

const terms = () =>
	Object.fromEntries(
		screen.getAllByRole('term').map((term) => [term.textContent, term.nextElementSibling?.textContent]),
	);

describe('Estimate', () => {
	it('shows video length, the render time of the chosen format and quality, and exports left', () => {
		render(<Estimate preview={preview(10.3)} format="webm" quality="high" usedToday={4} dailyLimit={10} />);
		expect(terms()).toEqual({
			'Video length': '10 s',
			'Expected render time': 'about 33 s',
			'Expected file size': 'about 5.6 MB',
			'Exports left today': '6 of 10',
		});
	});

	it('writes long videos in minutes', () => {
		render(<Estimate preview={preview(754)} format="gif" quality="low" usedToday={0} dailyLimit={10} />);
		expect(terms()['Video length']).toBe('12 min 34 s');
		expect(terms()['Expected render time']).toBe('about 5.0 s');
	});

	it('says nothing of the size where the API gives none', () => {
		render(<Estimate preview={{...preview(5), sizeBytes: {}}} format="mp4" quality="low" usedToday={0} dailyLimit={10} />);
		expect(terms()).not.toHaveProperty('Expected file size');
	});

	it('never shows fewer than none left', () => {
		render(<Estimate preview={preview(5)} format="mp4" quality="low" usedToday={12} dailyLimit={10} />);
		expect(terms()['Exports left today']).toBe('0 of 10');
	});
});
