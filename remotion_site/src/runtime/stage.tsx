import React, {createContext, useContext} from 'react';
import * as Remotion from 'remotion';
import {guardedMedia} from './media';

// Scenes are written for a design size (1920x1080 for landscape, ...) and the stage scales that to
// the output size, so a low-quality export is the same video with fewer pixels.
export const StageContext = createContext<{width: number; height: number} | null>(null);

export const Stage: React.FC<{
	designWidth: number;
	designHeight: number;
	children: React.ReactNode;
}> = ({designWidth, designHeight, children}) => {
	const {width, height} = Remotion.useVideoConfig();
	return (
		<StageContext.Provider value={{width: designWidth, height: designHeight}}>
			<div
				style={{
					position: 'absolute',
					left: 0,
					top: 0,
					width: designWidth,
					height: designHeight,
					overflow: 'hidden',
					transformOrigin: '0 0',
					transform: `scale(${width / designWidth}, ${height / designHeight})`,
				}}
			>
				{children}
			</div>
		</StageContext.Provider>
	);
};

// What scenes get as `remotion`: the real module, except that useVideoConfig() reports the design
// size the scene is laid out in (the stage does the scaling), and that media components leave out
// a source the render would refuse, with a warning naming the scene (media.tsx).
const useStageVideoConfig: typeof Remotion.useVideoConfig = () => {
	const config = Remotion.useVideoConfig();
	const stage = useContext(StageContext);
	return stage ? {...config, width: stage.width, height: stage.height} : config;
};

export const SceneRemotion = {...Remotion, ...guardedMedia(), useVideoConfig: useStageVideoConfig};
