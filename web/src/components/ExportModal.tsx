import React from 'react';
import type {OutputFormat, Preview, Quality} from '../api/client';
import {Estimate} from './Estimate';
import {ErrorMessage} from './ErrorMessage';

const FORMATS: {value: OutputFormat; label: string}[] = [
	{value: 'mp4', label: 'MP4 (H.264)'},
	{value: 'webm', label: 'WebM (VP8)'},
	{value: 'gif', label: 'GIF'},
];
const QUALITIES: {value: Quality; label: string}[] = [
	{value: 'low', label: 'Low (480p)'},
	{value: 'medium', label: 'Medium (720p)'},
	{value: 'high', label: 'High (1080p)'},
];

export type ExportModalProps = {
	preview: Preview;
	format: OutputFormat;
	quality: Quality;
	usedToday: number;
	dailyLimit: number;
	starting: boolean;
	error: unknown;
	onChoose: (choice: {format?: OutputFormat; quality?: Quality}) => void;
	onStart: () => void;
	onClose: () => void;
	onShowRender: (renderId: string) => void;
};

export const ExportModal: React.FC<ExportModalProps> = (props) => {
	const {preview, format, quality, usedToday, dailyLimit, starting, error} = props;
	const gifTooLong = preview.videoSeconds > preview.maxGifSeconds;
	const noneLeft = usedToday >= dailyLimit;
	return (
		<div className="backdrop">
			<div role="dialog" aria-modal="true" aria-labelledby="export-title" className="modal">
				<h2 id="export-title">Export “{preview.props?.title}”</h2>
				<fieldset>
					<legend>Format</legend>
					{FORMATS.map(({value, label}) => {
						const disabled = value === 'gif' && gifTooLong;
						return (
							<label key={value} className={disabled ? 'disabled' : ''}>
								<input
									type="radio"
									name="format"
									value={value}
									checked={format === value}
									disabled={disabled}
									onChange={() => props.onChoose({format: value})}
								/>
								{label}
								{disabled ? (
									<span className="reason">
										{' '}
										— not available: a GIF may be at most {preview.maxGifSeconds} s and this video is{' '}
										{Math.round(preview.videoSeconds)} s
									</span>
								) : null}
							</label>
						);
					})}
				</fieldset>
				<fieldset>
					<legend>Quality</legend>
					{QUALITIES.map(({value, label}) => (
						<label key={value}>
							<input
								type="radio"
								name="quality"
								value={value}
								checked={quality === value}
								onChange={() => props.onChoose({quality: value})}
							/>
							{label}
						</label>
					))}
				</fieldset>
				<Estimate preview={preview} format={format} quality={quality} usedToday={usedToday} dailyLimit={dailyLimit} />
				{error ? <ErrorMessage error={error} onShowRender={props.onShowRender} /> : null}
				<div className="actions">
					<button type="button" onClick={props.onClose}>
						Close
					</button>
					<button type="button" className="primary" disabled={starting || noneLeft} onClick={props.onStart}>
						{starting ? 'Starting…' : 'Start export'}
					</button>
				</div>
			</div>
		</div>
	);
};
