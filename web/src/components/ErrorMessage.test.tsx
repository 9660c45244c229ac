import {render, screen} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {describe, expect, it, vi} from 'vitest';
import {ApiError} from '../api/client';
import {ErrorMessage} from './ErrorMessage';

const text = () => screen.getByRole('alert').textContent ?? '';

describe('ErrorMessage', () => {
	it('daily limit: says when exports are possible again', () => {
		vi.useFakeTimers({now: new Date(2026, 10, 24, 21, 30)});
		render(<ErrorMessage error={new ApiError(429, 'daily_limit', 'x', [], 2.5 * 3600)} />);
		vi.useRealTimers();
		expect(text()).toMatch(/used all of today's exports/);
		expect(text()).toMatch(/at 12:00 AM|at 00:00/);
		expect(text()).toMatch(/in 2 h 30 min/);
	});

	it('render in progress: links to the running export', async () => {
		const onShow = vi.fn();
		render(
			<ErrorMessage
				error={new ApiError(429, 'render_in_progress', 'x', [{renderId: 'rnd_1', status: 'rendering'}], 10)}
				onShowRender={onShow}
			/>,
		);
		expect(text()).toMatch(/already running/);
		await userEvent.click(screen.getByRole('button', {name: 'Show the running export'}));
		expect(onShow).toHaveBeenCalledWith('rnd_1');
	});

	it('compile error: names each scene by its name where known, with line, column and message', () => {
		const details = [
			{sceneId: 'intro', line: 3, column: 40, message: 'Unexpected "}"'},
			{sceneId: 'outro', line: 1, column: 15, message: 'import "lodash" is not allowed in a scene'},
		];
		render(<ErrorMessage error={new ApiError(422, 'compile_error', 'x', details)} sceneNames={{intro: 'Opening'}} />);
		const items = screen.getAllByRole('listitem').map((li) => li.textContent);
		expect(items).toEqual([
			'Scene “Opening”, line 3, column 40: Unexpected "}"',
			'Scene “outro”, line 1, column 15: import "lodash" is not allowed in a scene',
		]);
		expect(text()).toMatch(/nothing was counted/);
	});

	it('backend unavailable: says the export was not counted', () => {
		render(<ErrorMessage error={new ApiError(503, 'backend_unavailable', 'x')} />);
		expect(text()).toMatch(/not counted; please try again/);
	});

	it('limits and anything else: the API message in plain words', () => {
		render(<ErrorMessage error={new ApiError(422, 'invalid_render', 'a gif may be at most 60 s')} />);
		expect(text()).toBe('a gif may be at most 60 s');
	});

	it('a network failure: says so, keeps trying, and offers a retry now', async () => {
		const onRetry = vi.fn();
		render(<ErrorMessage error={new TypeError('Failed to fetch')} onRetry={onRetry} />);
		expect(text()).toMatch(/can't be reached right now.*keeps trying by itself/);
		await userEvent.click(screen.getByRole('button', {name: 'Retry now'}));
		expect(onRetry).toHaveBeenCalledOnce();
	});
});
