import React from 'react';
import * as ReactJsxRuntime from 'react/jsx-runtime';
import * as Shapes from '@remotion/shapes';
import * as Transitions from '@remotion/transitions';
import * as Fade from '@remotion/transitions/fade';
import * as Slide from '@remotion/transitions/slide';
import * as Wipe from '@remotion/transitions/wipe';
import * as Flip from '@remotion/transitions/flip';
import * as ClockWipe from '@remotion/transitions/clock-wipe';
import * as None from '@remotion/transitions/none';
import * as Paths from '@remotion/paths';
import * as Noise from '@remotion/noise';
import {IconifyIcon} from './icons';
import {SceneRemotion} from './stage';

// What the injected `require` answers: exactly the allowlist of functions/preprocess/allowlist.py,
// which rejects every other import at compile time.
export const MODULES: Record<string, unknown> = {
	remotion: SceneRemotion,
	react: React,
	'react/jsx-runtime': ReactJsxRuntime,
	'@remotion/shapes': Shapes,
	'@remotion/transitions': Transitions,
	'@remotion/transitions/fade': Fade,
	'@remotion/transitions/slide': Slide,
	'@remotion/transitions/wipe': Wipe,
	'@remotion/transitions/flip': Flip,
	'@remotion/transitions/clock-wipe': ClockWipe,
	'@remotion/transitions/none': None,
	'@remotion/paths': Paths,
	'@remotion/noise': Noise,
	'@iconify/react': {Icon: IconifyIcon, InlineIcon: IconifyIcon, default: IconifyIcon},
};

export const sceneRequire = (name: string): unknown => {
	if (!(name in MODULES)) {
		throw new Error(`module "${name}" is not available to scenes`);
	}
	return MODULES[name];
};
