import React from 'react';
import {ApiError} from '../api/client';

const at = (secondsFromNow: number): string =>
	new Date(Date.now() + secondsFromNow * 1000).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});

const inHours = (seconds: number): string => {
	const hours = Math.floor(seconds / 3600);
	const minutes = Math.ceil((seconds % 3600) / 60);
	return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
};

// Every error of the API, in plain words.
export const ErrorMessage: React.FC<{error: unknown; onShowRender?: (renderId: string) => void}> = ({
	error,
	onShowRender,
}) => {
	if (!(error instanceof ApiError)) {
		return <div role="alert" className="error">Something went wrong: {String((error as Error)?.message ?? error)}</div>;
	}
	switch (error.code) {
		case 'daily_limit': {
			const wait = error.retryAfterSeconds ?? 0;
			return (
				<div role="alert" className="error">
					You have used all of today&apos;s exports. You can export again at {at(wait)} (in {inHours(wait)}).
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
					Some scenes have errors, so nothing was exported (and nothing was counted):
					<ul>
						{error.details.map((d, i) => (
							<li key={i}>
								Scene “{String(d.sceneId)}”, line {String(d.line)}, column {String(d.column)}: {String(d.message)}
							</li>
						))}
					</ul>
				</div>
			);
		case 'backend_unavailable':
			return (
				<div role="alert" className="error">
					The renderer could not start your export. It was not counted; please try again in a moment.
				</div>
			);
		case 'unauthorized':
			return <div role="alert" className="error">Your session has ended: please sign in again.</div>;
		default:
			return <div role="alert" className="error">{error.message}</div>;
	}
};
