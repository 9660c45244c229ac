import React from 'react';
import type {OutputFormat, Preview, Quality} from '../api/client';
import {bytes, seconds} from '../format';
import {resetWords} from '../lib/quota';

export const Estimate: React.FC<{
	preview: Preview;
	format: OutputFormat;
	quality: Quality;
	usedToday: number;
	dailyLimit: number;
	resetsAt?: Date;
}> = ({preview, format, quality, usedToday, dailyLimit, resetsAt}) => {
	const left = Math.max(0, dailyLimit - usedToday);
	const size = preview.sizeBytes?.[format]?.[quality];
	return (
		<dl className="estimate" aria-label="Estimate">
			<dt>Video length</dt>
			<dd>{seconds(preview.videoSeconds)}</dd>
			<dt>Expected render time</dt>
			<dd>about {seconds(preview.renderSeconds[format]?.[quality] ?? 0)}</dd>
			{size ? (
				<>
					<dt>Expected file size</dt>
					<dd>about {bytes(size)}</dd>
				</>
			) : null}
			<dt>Exports left today</dt>
			<dd>
				{left} of {dailyLimit}
				{resetsAt && left < dailyLimit ? <span className="muted"> · back {resetWords(resetsAt)}</span> : null}
			</dd>
		</dl>
	);
};
