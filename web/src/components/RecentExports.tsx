import React from 'react';
import {useDownload, useRecentRenders, useStats} from '../api/queries';
import {bytes, seconds} from '../format';

export const RecentExports: React.FC<{onShow: (renderId: string) => void}> = ({onShow}) => {
	const {data} = useRecentRenders();
	const download = useDownload();
	return (
		<section aria-label="Recent exports">
			<h3>Recent exports</h3>
			{data?.items.length ? (
				<table>
					<tbody>
						{data.items.map((r) => (
							<tr key={r.renderId}>
								<td>
									<button type="button" className="link" onClick={() => onShow(r.renderId)}>
										{r.title}
									</button>
								</td>
								<td>
									{r.format} · {r.quality}
								</td>
								<td data-status={r.status}>{r.status.replace('_', ' ')}</td>
								<td>{bytes(r.sizeBytes)}</td>
								<td>
									{r.status === 'succeeded' ? (
										<button type="button" className="link" onClick={() => download.mutate(r.renderId)}>
											Download
										</button>
									) : null}
								</td>
							</tr>
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
	const {data} = useStats();
	if (!data) return null;
	return (
		<section aria-label="Your statistics" className="stats">
			<h3>Your exports</h3>
			<p>
				{data.usedToday} of {data.dailyLimit} used today · {data.total} in all · {data.downloads} downloads
				{data.meanRenderSeconds ? ` · ${seconds(data.meanRenderSeconds)} mean render time` : ''}
			</p>
			<p className="muted">
				{Object.entries(data.byStatus)
					.map(([status, n]) => `${n} ${status.replace('_', ' ')}`)
					.join(' · ')}
			</p>
		</section>
	);
};
