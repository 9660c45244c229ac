import React from 'react';
import {ApiError} from '../api/client';
import {nextUtcMidnight, resetWords} from '../lib/quota';

// A failed fetch (no network, the API down) is a TypeError from fetch itself, not an API answer.
export const isConnectionError = (error: unknown): boolean => error instanceof TypeError;

// Every error of the API, in plain words; scenes by their names when the caller knows them.
export const ErrorMessage: React.FC<{
	error: unknown;
	onShowRender?: (renderId: string) => void;
	onRetry?: () => void;
	sceneNames?: Record<string, string>;
}> = ({error, onShowRender, onRetry, sceneNames = {}}) => {
	const retry = onRetry ? (
		<button type="button" className="link" onClick={onRetry}>
			Retry now
		</button>
	) : null;
	if (isConnectionError(error)) {
		return (
			<div role="alert" className="error">
				Framecast can&apos;t be reached right now. Check your connection; the page keeps trying by itself. {retry}
			</div>
		);
	}
	if (!(error instanceof ApiError)) {
		return (
			<div role="alert" className="error">
				Something went wrong: {String((error as Error)?.message ?? error)} {retry}
			</div>
		);
	}
	switch (error.code) {
		case 'daily_limit': {
			const resetsAt = error.retryAt ?? nextUtcMidnight(error.receivedAt);
			return (
				<div role="alert" className="error">
					You have used all of today&apos;s exports. You can export again {resetWords(resetsAt)}.
				</div>
			);
		}
		case 'render_in_progress': {
			const running = error.details[0]?.renderId as string | undefined;
			return (
				<div role="alert" className="error">
					An export is already running; one runs at a time.{' '}
					{running && onShowRender ? (
						<button type="button" className="link" onClick={() => onShowRender(running)}>
							Show the running export
						</button>
					) : null}
				</div>
			);
		}
		case 'compile_error':
			return (
				<div role="alert" className="error">
					Some scenes have errors. Fix them and export again; nothing was counted.
					<SceneErrors details={error.details} sceneNames={sceneNames} />
				</div>
			);
		case 'backend_unavailable':
			return (
				<div role="alert" className="error">
					The renderer could not start your export. It was not counted; please try again in a moment. {retry}
				</div>
			);
		case 'unauthorized':
			return (
				<div role="alert" className="error">
					Your session has ended: please sign in again.
				</div>
			);
		default:
			return (
				<div role="alert" className="error">
					{error.message}
				</div>
			);
	}
};

export const SceneErrors: React.FC<{details: object[]; sceneNames: Record<string, string>}> = ({
	details,
	sceneNames,
}) => (
	<ul className="scene-errors">
		{(details as Record<string, unknown>[]).map((d, i) => {
			const id = String(d.sceneId);
			return (
				<li key={i}>
					Scene “{sceneNames[id] ?? (d.sceneName as string | undefined) ?? id}”, line {String(d.line)}, column {String(d.column)}: {String(d.message)}
				</li>
			);
		})}
	</ul>
);
