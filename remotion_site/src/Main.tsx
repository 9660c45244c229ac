import React from 'react';
import {AbsoluteFill, Series} from 'remotion';
import {SceneHost} from './runtime/SceneHost';
import {Stage} from './runtime/stage';
import type {CompositionProps} from './schema';

// The whole project: its scenes one after another, each laid out at the design size.
export const Main: React.FC<CompositionProps> = ({scenes, designWidth, designHeight}) => (
	<AbsoluteFill style={{backgroundColor: 'black'}}>
		<Series>
			{scenes.map((scene) => (
				<Series.Sequence key={scene.id} durationInFrames={scene.durationInFrames} name={scene.name}>
					<Stage designWidth={designWidth} designHeight={designHeight}>
						<SceneHost scene={scene} />
					</Stage>
				</Series.Sequence>
			))}
		</Series>
	</AbsoluteFill>
);
