import {z} from 'zod';

// The input props of `Main`. Mirrors functions/models/composition.py (pydantic);
// tests/integration/test_props_schema.py compares the two JSON Schemas.

export const iconDataSchema = z.object({
	body: z.string(),
	left: z.number().default(0),
	top: z.number().default(0),
	width: z.number(),
	height: z.number(),
});

export const compiledSceneSchema = z.object({
	id: z.string(),
	name: z.string(),
	durationInFrames: z.number().int().min(1),
	jsCode: z.string(),
	icons: z.record(z.string(), iconDataSchema).default({}),
});

export const compositionPropsSchema = z.object({
	title: z.string(),
	width: z.number().int().min(2),
	height: z.number().int().min(2),
	designWidth: z.number().int().min(2),
	designHeight: z.number().int().min(2),
	scenes: z.array(compiledSceneSchema).min(1),
});

export type IconData = z.infer<typeof iconDataSchema>;
export type CompiledScene = z.infer<typeof compiledSceneSchema>;
export type CompositionProps = z.infer<typeof compositionPropsSchema>;

export {FPS} from './contract';

// Scenes play one after another: the video is as long as their durations added up.
export const totalDurationInFrames = (scenes: {durationInFrames: number}[]): number =>
	scenes.reduce((total, scene) => total + scene.durationInFrames, 0);
