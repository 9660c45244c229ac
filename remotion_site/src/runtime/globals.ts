import React from 'react';
import {loadFont} from './fonts';
import {IconifyIcon} from './icons';
import {SceneRemotion} from './stage';

// The globals scenes written for Remotion-based editors expect:
// `const {AbsoluteFill} = window.Remotion`, `window.React`, `<IconifyIcon/>`, `window.RemotionGoogleFonts`.
declare global {
	interface Window {
		Remotion: typeof SceneRemotion;
		React: typeof React;
		IconifyIcon: typeof IconifyIcon;
		RemotionGoogleFonts: {loadFont: typeof loadFont};
	}
}

export const installGlobals = (): void => {
	window.Remotion = SceneRemotion;
	window.React = React;
	window.IconifyIcon = IconifyIcon;
	window.RemotionGoogleFonts = {loadFont};
};
