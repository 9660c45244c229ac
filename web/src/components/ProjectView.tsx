import React, {useRef} from 'react';
import {Player} from '@remotion/player';
import {useQuery} from '@tanstack/react-query';
import {Main} from '../../../remotion_site/src/Main';
import {compositionPropsSchema, FPS, totalDurationInFrames} from '../../../remotion_site/src/schema';
import {ApiError, type OutputFormat, type Quality, type SceneDiagnostic} from '../api/client';
import {useQueries, useStartExport} from '../api/queries';
import {useRunningRender} from '../api/running';
import {useDeliveries} from '../lib/deliveries';
import {askToNotify} from '../lib/notify';
import {resetTime} from '../lib/quota';
import {usePage} from '../store';
import {ErrorMessage, SceneErrors} from './ErrorMessage';
import {ExportModal} from './ExportModal';

// The frame the preview shows before it plays: halfway into the first scene, where scenes have
// usually faded in (frame 0 is often an empty background).
export const posterFrame = (scenes: {durationInFrames: number}[]): number =>
	Math.min(totalDurationInFrames(scenes) - 1, Math.floor(scenes[0].durationInFrames / 2));

// The Export button, or why it cannot be pressed now.
const ExportButton: React.FC<{disabledReason: React.ReactNode; onOpen: () => void}> = ({disabledReason, onOpen}) => (
	<div className="export-button">
		<button
			type="button"
			className="primary"
			onClick={onOpen}
			disabled={!!disabledReason}
			aria-describedby={disabledReason ? 'export-blocked' : undefined}
		>
			Export
		</button>
		{disabledReason ? (
			<span id="export-blocked" className="muted small">
				{disabledReason}
			</span>
		) : null}
	</div>
);

// One project: the whole project playing in the Remotion Player, with the same composition the
// renderer uses and the scenes as the API compiles them; the Export button opens the dialog.
export const ProjectView: React.FC<{projectId: string; title?: string}> = ({projectId, title}) => {
	const q = useQueries();
	const preview = useQuery(q.preview(projectId));
	// A project with scenes that do not compile: the API previews the others and names these
	// (`diagnostics`); an older API answered 422 compile_error for the whole project.
	const refused = preview.error instanceof ApiError && preview.error.code === 'compile_error';
	const diagnostics: SceneDiagnostic[] = refused
		? ((preview.error as ApiError).details as SceneDiagnostic[])
		: (preview.data?.diagnostics ?? []);
	const broken = diagnostics.length > 0;
	const project = useQuery({...q.project(projectId), enabled: refused || diagnostics.some((d) => !d.sceneName)});
	const stats = useQuery(q.stats());
	const start = useStartExport();
	const page = usePage();
	const owe = useDeliveries((s) => s.owe);
	const running = useRunningRender();
	const starting = useRef(false);

	if (preview.error && !refused) return <ErrorMessage error={preview.error} onRetry={() => preview.refetch()} />;
	if (!preview.data && !refused) return <p className="muted">Compiling the scenes…</p>;
	// The composition's own schema checks what the API sent (and fills its defaults).
	const props = preview.data?.props ? compositionPropsSchema.parse(preview.data.props) : null;
	const sceneNames: Record<string, string> = {
		...Object.fromEntries((project.data?.scenes ?? []).map((s) => [s.id, s.name])),
		...Object.fromEntries((props?.scenes ?? []).map((s) => [s.id, s.name])),
		...Object.fromEntries(diagnostics.filter((d) => d.sceneName).map((d) => [d.sceneId, d.sceneName as string])),
	};
	const failing = new Set(diagnostics.map((d) => d.sceneId));
	const sceneList = project.data
		? project.data.scenes.map((s) => ({id: s.id, name: s.name}))
		: [...(props?.scenes ?? []), ...[...failing].map((id) => ({id, name: sceneNames[id] ?? id}))];
	const statsData = stats.data;

	const onStart = (choice: {format: OutputFormat; quality: Quality}) => {
		if (starting.current) return;
		starting.current = true;
		askToNotify();
		start.mutate(
			{projectId, ...choice, idempotencyKey: page.intentKey},
			{
				onSuccess: ({renderId}) => {
					owe(renderId);
					page.show(renderId);
					page.closeExport();
				},
				onSettled: () => {
					starting.current = false;
				},
			},
		);
	};

	const runningNote = running ? (
		<>
			An export is running.{' '}
			<button type="button" className="link" onClick={() => page.show(running.renderId)}>
				Show it
			</button>
		</>
	) : null;

	return (
		<section className="project" aria-labelledby="project-title">
			<header>
				<h2 id="project-title">{props?.title ?? project.data?.title ?? title}</h2>
				<ExportButton
					disabledReason={broken ? 'Fix the scene errors below to export.' : runningNote}
					onOpen={() => {
						start.reset();
						page.openExport();
					}}
				/>
			</header>
			{broken ? (
				<div className="broken" role="alert">
					<p>This project can&apos;t be exported until its scenes compile:</p>
					<SceneErrors details={diagnostics} sceneNames={sceneNames} />
				</div>
			) : null}
			{props ? (
				<Player
					component={Main}
					inputProps={props}
					durationInFrames={totalDurationInFrames(props.scenes)}
					fps={FPS}
					compositionWidth={props.width}
					compositionHeight={props.height}
					initialFrame={posterFrame(props.scenes)}
					controls
					loop
					// With it on, the Player moves focus to its Play button on mount and on every play/pause,
					// taking the page's first focus away from the user.
					spaceKeyToPlayOrPause={false}
					className="preview-player"
					style={{width: '100%', maxHeight: '60vh', aspectRatio: `${props.width} / ${props.height}`}}
				/>
			) : null}
			{broken ? (
				<>
					<p className="muted">
						{props ? 'The preview plays the scenes that compile.' : 'No scene compiles yet, so there is nothing to play.'}
					</p>
					<ul className="scene-list" aria-label="Scenes">
						{sceneList.map((s) => (
							<li key={s.id} data-ok={!failing.has(s.id)}>
								{s.name}: {failing.has(s.id) ? 'has errors' : 'compiles'}
							</li>
						))}
					</ul>
				</>
			) : null}
			{preview.data?.warnings.length ? <p className="muted">{preview.data.warnings.join(' · ')}</p> : null}
			{page.exportOpen && !running && !broken && props && preview.data ? (
				<ExportModal
					preview={preview.data}
					composition={props}
					format={page.format}
					quality={page.quality}
					usedToday={statsData?.usedToday ?? 0}
					dailyLimit={statsData?.dailyLimit ?? 10}
					resetsAt={resetTime(statsData?.quotaResetsAt)}
					starting={start.isPending}
					error={start.error}
					sceneNames={sceneNames}
					onChoose={page.choose}
					onStart={onStart}
					onClose={page.closeExport}
					onShowRender={(renderId) => {
						page.show(renderId);
						page.closeExport();
					}}
				/>
			) : null}
		</section>
	);
};
