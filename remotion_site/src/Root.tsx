import React from 'react';
import {CalculateMetadataFunction, Composition} from 'remotion';
import {Main} from './Main';
import {COMPOSITION_ID, FPS} from './contract';
import {CompositionProps, compositionPropsSchema, totalDurationInFrames} from './schema';
import {defaultProps} from './default-props';

const calculateMetadata: CalculateMetadataFunction<CompositionProps> = ({props}) => ({
	durationInFrames: totalDurationInFrames(props.scenes),
	width: props.width,
	height: props.height,
	fps: FPS,
});

export const Root: React.FC = () => (
	<Composition
		id={COMPOSITION_ID}
		component={Main}
		schema={compositionPropsSchema}
		defaultProps={defaultProps}
		calculateMetadata={calculateMetadata}
		fps={FPS}
		width={defaultProps.width}
		height={defaultProps.height}
		durationInFrames={1}
	/>
);
