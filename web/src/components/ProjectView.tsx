import React from 'react';
import {Player} from '@remotion/player';
import {Main} from '../../../remotion_site/src/Main';
import {compositionPropsSchema, FPS, totalDurationInFrames} from '../../../remotion_site/src/schema';
import {usePreview, useStartExport, useStats} from '../api/queries';
import {usePage} from '../store';
import {ErrorMessage} from './ErrorMessage';
import {ExportModal} from './ExportModal';

// One project: the whole project playing in the Remotion Player, with the same composition the
// renderer uses and the scenes as the API compiles them; the Export button opens the modal.
export const ProjectView: React.FC<{projectId: string}> = ({projectId}) => {
	const preview = usePreview(projectId);
	const stats = useStats();
	const start = useStartExport();
	const page = usePage();

	if (preview.error) return <ErrorMessage error={preview.error} />;
	if (!preview.data) return <p className="muted">Compiling the scenes…</p>;
	if (!preview.data.props || preview.data.diagnostics?.length) {
		const failing = (preview.data.diagnostics ?? []).map((d) => `${d.sceneName ?? d.sceneId} (line ${d.line}, column ${d.column}): ${d.message}`);
		return <p role="alert">Fix these scenes before exporting: {failing.join('; ')}</p>;
	}
	// The composition's own schema checks what the API sent (and fills its defaults).
	const props = compositionPropsSchema.parse(preview.data.props);

	const onStart = () =>
		start.mutate(
			{projectId, format: page.format, quality: page.quality},
			{
				onSuccess: ({renderId}) => {
					page.follow(renderId);
					page.closeExport();
				},
			},
		);

	return (
		<section className="project">
			<header>
				<h2>{props.title}</h2>
				<button type="button" className="primary" onClick={() => (start.reset(), page.openExport())}>
					Export
				</button>
			</header>
			<Player
				component={Main}
				inputProps={props}
				durationInFrames={totalDurationInFrames(props.scenes)}
				fps={FPS}
				compositionWidth={props.width}
				compositionHeight={props.height}
				controls
				loop
				style={{width: '100%', maxHeight: '60vh', aspectRatio: `${props.width} / ${props.height}`}}
			/>
			{preview.data.warnings.length ? (
				<p className="muted">{preview.data.warnings.join(' · ')}</p>
			) : null}
			{page.exportOpen ? (
				<ExportModal
					preview={preview.data}
					format={page.format}
					quality={page.quality}
					usedToday={stats.data?.usedToday ?? 0}
					dailyLimit={stats.data?.dailyLimit ?? 10}
					starting={start.isPending}
					error={start.error}
					onChoose={page.choose}
					onStart={onStart}
					onClose={page.closeExport}
					onShowRender={(renderId) => (page.follow(renderId), page.closeExport())}
				/>
			) : null}
		</section>
	);
};
