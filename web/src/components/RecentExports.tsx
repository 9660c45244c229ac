import React, {useState} from 'react';
import {useQuery} from '@tanstack/react-query';
import type {Render} from '../api/client';
import {useDownloadLink, useQueries} from '../api/queries';
import {STATUS_WORDS, bytes, seconds, when} from '../format';
import {selectProject} from '../lib/projectUrl';
import {clock, resetTime, resetWords} from '../lib/quota';
import {saveFile} from '../lib/saveFile';
import {usePage} from '../store';

// A still of the export, or a placeholder while there is none (or its signed link has expired).
const Thumbnail: React.FC<{render: Render}> = ({render}) => {
	const [failed, setFailed] = useState<string | null>(null);
	return render.thumbnailUrl && failed !== render.thumbnailUrl ? (
		<img
			className="thumb"
			src={render.thumbnailUrl}
			alt=""
			width={64}
			height={36}
			loading="lazy"
			onError={() => setFailed(render.thumbnailUrl ?? null)}
		/>
	) : (
		<span className="thumb placeholder" aria-hidden="true" />
	);
};

const Row: React.FC<{render: Render; onShow: (renderId: string) => void}> = ({render: r, onShow}) => {
	const link = useDownloadLink();
	const page = usePage();
	const [copied, setCopied] = useState<string | null>(null);
	const ready = r.status === 'succeeded';

	const copyLink = () =>
		link.mutate(r.renderId, {
			onSuccess: async ({url, expiresAt}) => {
				try {
					await navigator.clipboard.writeText(url);
					setCopied(`Link copied; it works until ${clock(new Date(expiresAt))}.`);
				} catch {
					setCopied(url); // no clipboard access: the link itself, to copy by hand
				}
			},
		});

	return (
		<tr>
			<td data-label="Video">
				<span className="video-cell">
					<Thumbnail render={r} />
					<button type="button" className="link" onClick={() => onShow(r.renderId)}>
						{r.title}
					</button>
				</span>
			</td>
			<td data-label="Date">{when(r.createdAt)}</td>
			<td data-label="Format">
				{r.format.toUpperCase()} · {r.width}×{r.height}
			</td>
			<td data-label="Length">{seconds(r.videoSeconds)}</td>
			<td data-label="Size">{bytes(r.sizeBytes) || '—'}</td>
			<td data-label="Status" data-status={r.status}>
				{STATUS_WORDS[r.status] ?? r.status}
				{r.reused ? <span className="badge">ready at once</span> : null}
			</td>
			<td data-label="Actions">
				<span className="row-actions">
					{ready ? (
						<button
							type="button"
							className="link"
							aria-label={`Download: ${r.title}, ${r.format}`}
							onClick={() => link.mutate(r.renderId, {onSuccess: ({url}) => saveFile(url)})}
						>
							Download
						</button>
					) : null}
					{ready ? (
						<button type="button" className="link" aria-label={`Copy link: ${r.title}`} onClick={copyLink}>
							Copy link
						</button>
					) : null}
					<button
						type="button"
						className="link"
						aria-label={`Export again: ${r.title}, starting from these settings`}
						onClick={() => {
							selectProject(r.projectId);
							page.openExport({format: r.format, quality: r.quality});
						}}
					>
						Export again
					</button>
				</span>
				{copied ? (
					<span className="muted small" role="status">
						{copied}
					</span>
				) : null}
			</td>
		</tr>
	);
};

export const RecentExports: React.FC<{onShow: (renderId: string) => void}> = ({onShow}) => {
	const q = useQueries();
	const {data} = useQuery(q.recentRenders());
	return (
		<section aria-labelledby="recent-title" className="recent">
			<h2 id="recent-title">Recent exports</h2>
			{data?.items.length ? (
				<table>
					<thead>
						<tr>
							<th scope="col">Video</th>
							<th scope="col">Date</th>
							<th scope="col">Format</th>
							<th scope="col">Length</th>
							<th scope="col">Size</th>
							<th scope="col">Status</th>
							<th scope="col">
								<span className="visually-hidden">Actions</span>
							</th>
						</tr>
					</thead>
					<tbody>
						{data.items.map((r) => (
							<Row key={r.renderId} render={r} onShow={onShow} />
						))}
					</tbody>
				</table>
			) : (
				<p className="muted">No exports yet.</p>
			)}
		</section>
	);
};

export const StatsPanel: React.FC = () => {
	const q = useQueries();
	const {data} = useQuery(q.stats());
	if (!data) return null;
	const left = Math.max(0, data.dailyLimit - data.usedToday);
	return (
		<section aria-labelledby="stats-title" className="stats">
			<h2 id="stats-title">Your exports</h2>
			<p>
				<strong>
					{left} of {data.dailyLimit}
				</strong>{' '}
				left today{left < data.dailyLimit ? ` · back ${resetWords(resetTime(data.quotaResetsAt))}` : ''}
			</p>
			<p className="small">
				{data.total} in all · {data.downloads} {data.downloads === 1 ? 'download' : 'downloads'}
				{data.meanRenderSeconds ? ` · ${seconds(data.meanRenderSeconds)} mean render time` : ''}
			</p>
		</section>
	);
};
