import {CompositionProps} from './schema';

// What Remotion Studio shows without input props: one compiled scene, a title card.
export const defaultProps: CompositionProps = {
	title: 'Framecast',
	width: 1280,
	height: 720,
	designWidth: 1920,
	designHeight: 1080,
	scenes: [
		{
			id: 'hello',
			name: 'Hello',
			durationInFrames: 60,
			icons: {},
			jsCode:
				'var r=require("remotion"),j=require("react/jsx-runtime");module.exports={default:function(){var f=r.useCurrentFrame();return j.jsx(r.AbsoluteFill,{style:{background:"#0b1020",color:"white",fontSize:120,justifyContent:"center",alignItems:"center",opacity:Math.min(1,f/20)},children:"Framecast"})}};',
		},
	],
};
