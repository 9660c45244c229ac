import {render, screen, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {describe, expect, it, vi} from 'vitest';
import {ApiError} from '../api/client';
import {preview} from '../test/fixtures';
import {ExportModal, type ExportModalProps} from './ExportModal';

const setup = (overrides: Partial<ExportModalProps> = {}) => {
	const props: ExportModalProps = {
		preview: preview(10.3),
		format: 'mp4',
		quality: 'medium',
		usedToday: 3,
		dailyLimit: 10,
		starting: false,
		error: null,
		onChoose: vi.fn(),
		onStart: vi.fn(),
		onClose: vi.fn(),
		onShowRender: vi.fn(),
		...overrides,
	};
	render(<ExportModal {...props} />);
	return props;
};

describe('ExportModal', () => {
	it('offers the three formats and qualities and reports the choice', async () => {
		const props = setup();
		expect(screen.getByRole('dialog', {name: 'Export “Launch video”'})).toBeTruthy();
		expect((screen.getByLabelText('MP4 (H.264)') as HTMLInputElement).checked).toBe(true);
		expect((screen.getByLabelText('Medium (720p)') as HTMLInputElement).checked).toBe(true);
		await userEvent.click(screen.getByLabelText('WebM (VP8)'));
		expect(props.onChoose).toHaveBeenCalledWith({format: 'webm'});
		await userEvent.click(screen.getByLabelText('High (1080p)'));
		expect(props.onChoose).toHaveBeenCalledWith({quality: 'high'});
		await userEvent.click(screen.getByRole('button', {name: 'Start export'}));
		expect(props.onStart).toHaveBeenCalledOnce();
	});

	it('disables gif with the reason when the project is too long for one', () => {
		setup({preview: preview(75)});
		const gif = screen.getByLabelText(/GIF/) as HTMLInputElement;
		expect(gif.disabled).toBe(true);
		expect(screen.getByText(/a GIF may be at most 60 s and this video is 75 s/)).toBeTruthy();
	});

	it('keeps gif available for a short project', () => {
		setup({preview: preview(12)});
		expect((screen.getByLabelText('GIF') as HTMLInputElement).disabled).toBe(false);
	});

	it('shows the error of a failed start', () => {
		setup({error: new ApiError(429, 'daily_limit', 'no more', [], 3600)});
		expect(screen.getByRole('alert').textContent).toMatch(/used all of today's exports/);
	});

	it('cannot start when no export is left today', () => {
		setup({usedToday: 10});
		expect((screen.getByRole('button', {name: 'Start export'}) as HTMLButtonElement).disabled).toBe(true);
		expect(within(screen.getByLabelText('Estimate')).getByText('0 of 10')).toBeTruthy();
	});
});
