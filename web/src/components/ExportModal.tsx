import React from 'react';
import type {OutputFormat, Preview, Quality} from '../api/client';
import {FORMATS, QUALITIES, effectiveFormat, gifAllowed, qualityLabel} from '../lib/presets';
import {resetWords} from '../lib/quota';
import {Dialog} from './Dialog';
import {Estimate} from './Estimate';
import {ErrorMessage} from './ErrorMessage';

export type ExportModalProps = {
	preview: Preview;
	composition: {title: string; width: number; height: number}; // the preview's props, checked
	format: OutputFormat;
	quality: Quality;
	usedToday: number;
	dailyLimit: number;
	resetsAt: Date;
	starting: boolean;
	error: unknown;
	sceneNames?: Record<string, string>;
	onChoose: (choice: {format?: OutputFormat; quality?: Quality}) => void;
	onStart: (choice: {format: OutputFormat; quality: Quality}) => void;
	onClose: () => void;
	onShowRender: (renderId: string) => void;
};

export const ExportModal: React.FC<ExportModalProps> = (props) => {
	const {preview, quality, usedToday, dailyLimit, resetsAt, starting, error} = props;
	const {title, width, height} = props.composition;
	const gifOk = gifAllowed(preview.videoSeconds, preview.maxGifSeconds);
	// A gif chosen for a short project is not carried to a long one: the choice falls back to mp4.
	const format = effectiveFormat(props.format, preview.videoSeconds, preview.maxGifSeconds);
	const noneLeft = usedToday >= dailyLimit;
	return (
		<Dialog labelledBy="export-title" describedBy="export-quota" onClose={props.onClose} className="modal">
			<h2 id="export-title">Export “{title}”</h2>
			<fieldset>
				<legend>Format</legend>
				{FORMATS.map(({value, label}) => {
					const disabled = value === 'gif' && !gifOk;
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
				{format !== props.format ? (
					<p className="note">GIF does not fit this video, so MP4 is chosen instead.</p>
				) : null}
			</fieldset>
			<fieldset>
				<legend>Quality</legend>
				{QUALITIES.map((value) => (
					<label key={value}>
						<input
							type="radio"
							name="quality"
							value={value}
							checked={quality === value}
							onChange={() => props.onChoose({quality: value})}
						/>
						{qualityLabel(format, value, width, height)}
					</label>
				))}
			</fieldset>
			<Estimate
				preview={preview}
				format={format}
				quality={quality}
				usedToday={usedToday}
				dailyLimit={dailyLimit}
				resetsAt={resetsAt}
			/>
			<p id="export-quota" className={noneLeft ? 'error' : 'muted'} role={noneLeft ? 'status' : undefined}>
				{noneLeft
					? `You have used all ${dailyLimit} of today's exports. You can export again ${resetWords(resetsAt)}.`
					: `This export uses 1 of your ${dailyLimit - usedToday} exports left today.`}
			</p>
			{error ? <ErrorMessage error={error} onShowRender={props.onShowRender} sceneNames={props.sceneNames} /> : null}
			<div className="actions">
				<button type="button" onClick={props.onClose}>
					Close
				</button>
				<button
					type="button"
					className="primary"
					disabled={starting || noneLeft}
					onClick={() => props.onStart({format, quality})}
				>
					{starting ? 'Starting…' : 'Start export'}
				</button>
			</div>
		</Dialog>
	);
};
