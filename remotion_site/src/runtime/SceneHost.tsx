import React, {useMemo} from 'react';
import {AbsoluteFill, useCurrentFrame} from 'remotion';
import type {CompiledScene} from '../schema';
import {evaluateScene} from './evaluate';
import {IconRegistryContext} from './icons';
import {report} from './report';
import {SceneContext} from './scene-context';

const Fallback: React.FC<{scene: CompiledScene; message: string}> = ({scene, message}) => (
	<AbsoluteFill
		style={{
			backgroundColor: '#1f1f29',
			color: '#f5f5f7',
			fontFamily: 'sans-serif',
			justifyContent: 'center',
			alignItems: 'center',
			padding: 80,
			textAlign: 'center',
		}}
	>
		<div style={{fontSize: 64, fontWeight: 700}}>{scene.name}</div>
		<div style={{fontSize: 36, marginTop: 24, color: '#ff8a80'}}>This scene could not be rendered</div>
		<div style={{fontSize: 28, marginTop: 16, opacity: 0.8, fontFamily: 'monospace'}}>{message}</div>
	</AbsoluteFill>
);

type BoundaryProps = {scene: CompiledScene; frame: number; children: React.ReactNode};
type BoundaryState = {error: Error | null; errorFrame: number};

// One per scene: a scene that throws shows the fallback frame, the render goes on. The error is
// kept for the frame that threw only: a browser tab renders frames in any order, and a scene that
// throws on frame 40 must still draw frame 10.
class SceneErrorBoundary extends React.Component<BoundaryProps, BoundaryState> {
	state: BoundaryState = {error: null, errorFrame: -1};

	static getDerivedStateFromError(error: Error): Partial<BoundaryState> {
		return {error};
	}

	static getDerivedStateFromProps(props: BoundaryProps, state: BoundaryState): Partial<BoundaryState> | null {
		if (state.error === null) return {errorFrame: props.frame};
		return props.frame === state.errorFrame ? null : {error: null, errorFrame: props.frame};
	}

	componentDidCatch(error: Error) {
		const {scene} = this.props;
		report({type: 'scene-error', sceneId: scene.id, sceneName: scene.name, message: error.message});
	}

	render() {
		const {error} = this.state;
		return error ? <Fallback scene={this.props.scene} message={error.message} /> : this.props.children;
	}
}

const Evaluated: React.FC<{scene: CompiledScene}> = ({scene}) => {
	// Evaluated inside the boundary, so a module that throws at load time gets the fallback too.
	const Component = useMemo(() => evaluateScene(scene.jsCode), [scene.jsCode]);
	return <Component />;
};

export const SceneHost: React.FC<{scene: CompiledScene}> = ({scene}) => {
	const frame = useCurrentFrame();
	const identity = useMemo(() => ({id: scene.id, name: scene.name}), [scene.id, scene.name]);
	return (
		<SceneContext.Provider value={identity}>
			<IconRegistryContext.Provider value={{sceneId: scene.id, icons: scene.icons}}>
				<SceneErrorBoundary scene={scene} frame={frame}>
					<Evaluated scene={scene} />
				</SceneErrorBoundary>
			</IconRegistryContext.Provider>
		</SceneContext.Provider>
	);
};
