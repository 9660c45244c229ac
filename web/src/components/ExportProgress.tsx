import React, {useEffect, useRef} from 'react';
import {useQuery} from '@tanstack/react-query';
import type {Render} from '../api/client';
import {hasEnded, useCancelExport, useDownloadLink, useQueries} from '../api/queries';
import {bytes} from '../format';
import {formatWord} from '../lib/presets';
import {timeLeftWords} from '../lib/progress';
import {waitingWords} from '../lib/queue';
import {saveFile} from '../lib/saveFile';
import {useSmoothProgress} from '../lib/useSmoothProgress';
import {ErrorMessage} from './ErrorMessage';

// What the live region says: status changes and every quarter, not every percent.
export const announcement = (render: Render | undefined, percent: number): string => {
	if (!render) return 'Starting the export…';
	switch (render.status) {
		case 'queued':
			return waitingWords(render.queue);
		case 'rendering':
			return `Rendering: ${Math.floor(percent / 25) * 25}% done.`;
		case 'succeeded':
			return render.reused ? 'Ready at once: your download has started.' : 'Done: your download has started.';
		case 'cancelled':
			return 'Export cancelled.';
		case 'timed_out':
			return 'The export took too long and was stopped.';
		default:
			return 'The export failed.';
	}
};

// Whether an ended export counted against today's quota, in words (a cancel counts: design §9).
export const quotaWords = (render: Render): string | null => {
	if (render.status === 'succeeded') {
		return render.reused ? 'An identical earlier export was ready, so this one was not counted.' : null;
	}
	const counted = render.quotaCounted ?? (render.status === 'cancelled' || render.status === 'failed');
	return counted ? 'This export counted as one of today’s exports.' : 'This export was not counted against today’s exports.';
};

const StatusLine: React.FC<{render: Render; percent: number; left: number | null}> = ({render, percent, left}) => {
	switch (render.status) {
		case 'queued':
			return <>{waitingWords(render.queue)}</>;
		case 'rendering':
			return (
				<>
					Rendering… {Math.floor(percent)}%{left != null ? ` · ${timeLeftWords(left)}` : ''}
				</>
			);
		case 'succeeded':
			return <>{render.reused ? 'Ready at once: your download has started.' : 'Done: your download has started.'}</>;
		case 'cancelled':
			return <>Export cancelled.</>;
		case 'timed_out':
			return <>The export took too long and was stopped.</>;
		default:
			return <>The export failed.</>;
	}
};

export const ExportProgress: React.FC<{renderId: string; onDismiss: () => void}> = ({renderId, onDismiss}) => {
	const q = useQueries();
	const {data: render, error, refetch} = useQuery(q.render(renderId));
	const cancel = useCancelExport();
	const download = useDownloadLink();
	const smooth = useSmoothProgress(render);
	const left = smooth.left;
	const percent = render?.status === 'succeeded' ? 100 : smooth.percent; // full at once when done
	const heading = useRef<HTMLHeadingElement>(null);

	// The panel is where the user's attention goes next: brought into view and focused.
	useEffect(() => {
		heading.current?.scrollIntoView?.({block: 'nearest', behavior: 'smooth'});
		heading.current?.focus({preventScroll: true});
	}, [renderId]);

	if (!render) {
		return (
			<section className="progress" aria-labelledby="progress-title">
				<h2 id="progress-title" ref={heading} tabIndex={-1}>
					Export
				</h2>
				{error ? <ErrorMessage error={error} onRetry={() => refetch()} /> : <p>Starting…</p>}
			</section>
		);
	}
	const ended = hasEnded(render);
	const problems = render.status === 'succeeded' ? render.warnings : [];
	const counted = ended ? quotaWords(render) : null;
	return (
		<section className="progress" aria-labelledby="progress-title" data-status={render.status}>
			<h2 id="progress-title" ref={heading} tabIndex={-1}>
				{ended ? (render.status === 'succeeded' ? 'Exported' : 'Export of') : 'Exporting'} “{render.title}”
			</h2>
			<p className="muted">
				{formatWord(render.format)} · {render.width}×{render.height} · {render.quality}
			</p>
			<div
				role="progressbar"
				aria-label="Export progress"
				aria-valuemin={0}
				aria-valuemax={100}
				aria-valuenow={Math.floor(percent)}
				aria-valuetext={`${Math.floor(percent)}%`}
				className="bar"
			>
				<div className="fill" style={{width: `${percent}%`}} />
			</div>
			<p className="status" data-status={render.status}>
				<StatusLine render={render} percent={percent} left={left} />
			</p>
			<p className="visually-hidden" aria-live="polite" aria-atomic="true">
				{announcement(render, percent)}
			</p>
			{/* A failed poll leaves the last known state (and Cancel) in place; polling goes on. */}
			{error ? <ErrorMessage error={error} onRetry={() => refetch()} /> : null}
			{render.error && render.status !== 'cancelled' ? <p className="error">{render.error}</p> : null}
			{problems.length ? (
				<div className="warning" role="note">
					<p>
						Done, with {problems.length === 1 ? 'a problem' : `${problems.length} problems`}: the video has a
						fallback frame where a scene failed.
					</p>
					<ul>
						{problems.map((w) => (
							<li key={w}>{w}</li>
						))}
					</ul>
				</div>
			) : null}
			{counted ? <p className="muted">{counted}</p> : null}
			{download.error ? <ErrorMessage error={download.error} /> : null}
			<div className="actions">
				{ended ? null : (
					<button type="button" onClick={() => cancel.mutate(render.renderId)} disabled={cancel.isPending}>
						Cancel
					</button>
				)}
				{render.status === 'succeeded' ? (
					<button
						type="button"
						className="link"
						onClick={() => download.mutate(render.renderId, {onSuccess: ({url}) => saveFile(url)})}
					>
						Download again ({bytes(render.sizeBytes)})
					</button>
				) : null}
				{ended ? (
					<button type="button" onClick={onDismiss}>
						Close
					</button>
				) : null}
			</div>
		</section>
	);
};
