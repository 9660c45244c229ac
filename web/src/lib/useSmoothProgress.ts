import {useEffect, useRef, useState} from 'react';
import {ENDED_STATUSES} from '../../../remotion_site/src/contract';
import type {Render} from '../api/client';
import {secondsLeft, smoothProgress} from './progress';

const TICK_MS = 250;
const ENDED = new Set(ENDED_STATUSES);

// The bar's value and the time left, moving between the API's reports (see progress.ts): a timer
// recomputes both four times a second while the export runs.
export const useSmoothProgress = (render: Render | undefined): {percent: number; left: number | null} => {
	const [view, setView] = useState<{percent: number; left: number | null}>({percent: 0, left: null});
	const seen = useRef<{at: number; progress: number} | null>(null);
	const shown = useRef(0);

	useEffect(() => {
		if (!render) return;
		const update = () => {
			const now = Date.now();
			if (render.status === 'rendering' && !seen.current) seen.current = {at: now, progress: render.progress};
			const input = {
				status: render.status,
				serverProgress: render.progress,
				estimatedSeconds: render.estimatedRenderSeconds,
				sinceSeconds: seen.current ? (now - seen.current.at) / 1000 : 0,
				seenAtProgress: seen.current?.progress ?? 0,
			};
			shown.current = smoothProgress({...input, shown: shown.current});
			setView({percent: shown.current, left: secondsLeft(input)});
		};
		const first = window.setTimeout(update, 0);
		const timer = ENDED.has(render.status) ? undefined : window.setInterval(update, TICK_MS);
		return () => {
			window.clearTimeout(first);
			window.clearInterval(timer);
		};
	}, [render]);
	return view;
};
