import {fireEvent, render, screen, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {describe, expect, it, vi} from 'vitest';
import {ApiError} from '../api/client';
import {preview} from '../test/fixtures';
import {ExportModal, type ExportModalProps} from './ExportModal';

const setup = (overrides: Partial<ExportModalProps> = {}) => {
	const shown = overrides.preview ?? preview(10.3);
	const props: ExportModalProps = {
		preview: shown,
		composition: shown.props!,
		format: 'mp4',
		quality: 'medium',
		usedToday: 3,
		dailyLimit: 10,
		resetsAt: new Date(Date.now() + 3 * 3600 * 1000),
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

const checked = (label: string | RegExp) => (screen.getByLabelText(label) as HTMLInputElement).checked;

describe('ExportModal', () => {
	it('offers the three formats and honest qualities, and starts with the choice', async () => {
		const props = setup();
		expect(screen.getByRole('dialog', {name: 'Export “Launch video”'})).toBeTruthy();
		expect(checked('MP4 (H.264)')).toBe(true);
		expect(checked('Medium · 1280×720')).toBe(true);
		expect(screen.getByLabelText('High · 1920×1080')).toBeTruthy();
		await userEvent.click(screen.getByLabelText('WebM (VP8)'));
		expect(props.onChoose).toHaveBeenCalledWith({format: 'webm'});
		await userEvent.click(screen.getByLabelText('High · 1920×1080'));
		expect(props.onChoose).toHaveBeenCalledWith({quality: 'high'});
		await userEvent.click(screen.getByRole('button', {name: 'Start export'}));
		expect(props.onStart).toHaveBeenCalledWith({format: 'mp4', quality: 'medium'});
	});

	it('labels gif qualities with the gif sizes and frame rates', () => {
		setup({format: 'gif', preview: preview(5)});
		expect(screen.getByLabelText('Low · 426×240, 10 fps')).toBeTruthy();
		expect(screen.getByLabelText('Medium · 640×360, 15 fps')).toBeTruthy();
		expect(screen.getByLabelText('High · 854×480, 15 fps')).toBeTruthy();
	});

	it('does not carry a gif choice to a project too long for one: mp4 is chosen, with the reason', async () => {
		const props = setup({format: 'gif', preview: preview(75)});
		const gif = screen.getByLabelText(/GIF/) as HTMLInputElement;
		expect(gif.disabled).toBe(true);
		expect(gif.checked).toBe(false);
		expect(checked('MP4 (H.264)')).toBe(true);
		expect(screen.getByText(/a GIF may be at most 60 s and this video is 75 s/)).toBeTruthy();
		expect(screen.getByText(/GIF does not fit this video, so MP4 is chosen/)).toBeTruthy();
		await userEvent.click(screen.getByRole('button', {name: 'Start export'}));
		expect(props.onStart).toHaveBeenCalledWith({format: 'mp4', quality: 'medium'});
	});

	it('shows the error of a failed start, scenes by name', () => {
		const details = [{sceneId: 's1', line: 2, column: 7, message: 'Unexpected "}"'}];
		setup({error: new ApiError(422, 'compile_error', 'x', details), sceneNames: {s1: 'Intro'}});
		expect(screen.getByRole('alert').textContent).toMatch(/Scene “Intro”, line 2, column 7: Unexpected "}"/);
	});

	it('says before Start that no export is left, and when they come back', () => {
		setup({usedToday: 10, resetsAt: new Date(Date.now() + (2 * 60 + 30) * 60 * 1000)});
		const start = screen.getByRole('button', {name: 'Start export'}) as HTMLButtonElement;
		expect(start.disabled).toBe(true);
		expect(within(screen.getByLabelText('Estimate')).getByText(/0 of 10/)).toBeTruthy();
		const dialog = screen.getByRole('dialog');
		const reason = document.getElementById(dialog.getAttribute('aria-describedby')!)!;
		expect(reason.textContent).toMatch(/used all 10 of today's exports\. You can export again at .+ \(in 2 h 30 min\)/);
	});

	it('says what an export uses when some are left', () => {
		setup({usedToday: 7});
		expect(screen.getByText('This export uses 1 of your 3 exports left today.')).toBeTruthy();
	});

	it('closes on Escape and on a click on the backdrop, not on a click inside', async () => {
		const props = setup();
		const dialog = screen.getByRole('dialog');
		fireEvent(dialog, new Event('cancel', {cancelable: true})); // what the browser fires on Escape
		expect(props.onClose).toHaveBeenCalledTimes(1);
		await userEvent.click(screen.getByText('Format'));
		expect(props.onClose).toHaveBeenCalledTimes(1);
		fireEvent.click(dialog);
		expect(props.onClose).toHaveBeenCalledTimes(2);
	});

	it('keeps Tab inside: from the last control to the first and back', async () => {
		setup();
		const start = screen.getByRole('button', {name: 'Start export'});
		start.focus();
		await userEvent.tab();
		expect(document.activeElement).toBe(screen.getByLabelText('MP4 (H.264)'));
		await userEvent.tab({shift: true});
		expect(document.activeElement).toBe(start);
	});

	it('gives focus back to what opened it', () => {
		const opener = document.createElement('button');
		document.body.appendChild(opener);
		opener.focus();
		const {unmount} = render(
			<ExportModal
				preview={preview(5)}
				composition={preview(5).props!}
				format="mp4"
				quality="low"
				usedToday={0}
				dailyLimit={10}
				resetsAt={new Date()}
				starting={false}
				error={null}
				onChoose={vi.fn()}
				onStart={vi.fn()}
				onClose={vi.fn()}
				onShowRender={vi.fn()}
			/>,
		);
		screen.getByRole('button', {name: 'Close'}).focus();
		unmount();
		expect(document.activeElement).toBe(opener);
		opener.remove();
	});
});
