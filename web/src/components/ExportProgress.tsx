import React, {useEffect, useRef} from 'react';
import {useQueryClient} from '@tanstack/react-query';
import {hasEnded, useCancelExport, useDownload, useRender} from '../api/queries';
import {STATUS_WORDS, bytes} from '../format';
import {ErrorMessage} from './ErrorMessage';

export const ExportProgress: React.FC<{renderId: string; onDismiss: () => void}> = ({renderId, onDismiss}) => {
	const {data: render, error} = useRender(renderId);
	const cancel = useCancelExport();
	const download = useDownload();
	const client = useQueryClient();
	const downloaded = useRef(false);

	useEffect(() => {
		if (render?.status === 'succeeded' && !downloaded.current) {
			downloaded.current = true; // once, by itself; then by the link
			download.mutate(render.renderId);
		}
		if (hasEnded(render)) client.invalidateQueries({queryKey: ['renders']});
	}, [render, download, client]);

	if (error) return <ErrorMessage error={error} />;
	if (!render) return <section className="progress">Starting…</section>;
	const percent = Math.round(render.progress);
	return (
		<section className="progress" aria-label="Export progress">
			<h3>
				{render.title} · {render.format.toUpperCase()} · {render.quality}
			</h3>
			<div role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="bar">
				<div className="fill" style={{width: `${percent}%`}} />
			</div>
			<p className="status" data-status={render.status}>
				{STATUS_WORDS[render.status]} {render.status === 'rendering' ? `${percent}%` : ''}
			</p>
			{render.error && render.status !== 'cancelled' ? <p className="error">{render.error}</p> : null}
			{render.warnings.length ? (
				<details>
					<summary>{render.warnings.length} warning(s)</summary>
					<ul>{render.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
				</details>
			) : null}
			{download.error ? <ErrorMessage error={download.error} /> : null}
			<div className="actions">
				{hasEnded(render) ? null : (
					<button type="button" onClick={() => cancel.mutate(render.renderId)} disabled={cancel.isPending}>
						Cancel
					</button>
				)}
				{render.status === 'succeeded' ? (
					<button type="button" className="link" onClick={() => download.mutate(render.renderId)}>
						Download again ({bytes(render.sizeBytes)})
					</button>
				) : null}
				{hasEnded(render) ? (
					<button type="button" onClick={onDismiss}>
						Close
					</button>
				) : null}
			</div>
		</section>
	);
};
