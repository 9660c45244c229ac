// A scene whose media Remotion's Node side would download: HONEST through <Audio> (what an honest
// scene that names a local file does), BYPASS registered straight with Remotion's internals (what a
// hostile scene does to get past the page's media guard). Both filled in by the test.
import {useContext, useEffect} from 'react';
import {AbsoluteFill, Audio, Internals} from 'remotion';

const HONEST: string[] = __HONEST__;
const BYPASS: string[] = __BYPASS__;

export default function Scene() {
  const {registerRenderAsset, unregisterRenderAsset} = useContext(Internals.RenderAssetManager);
  const frame = Internals.useTimelinePosition();
  useEffect(() => {
    const ids = BYPASS.map((src, i) => {
      const id = `bypass-${i}-${frame}`;
      registerRenderAsset({
        type: 'audio', src, id, frame, volume: 1, mediaFrame: frame, playbackRate: 1,
        toneFrequency: 1, audioStartFrame: 0, audioStreamIndex: 0,
      });
      return id;
    });
    return () => ids.forEach((id) => unregisterRenderAsset(id));
  }, [frame, registerRenderAsset, unregisterRenderAsset]);
  return (
    <AbsoluteFill style={{backgroundColor: '#223'}}>
      {HONEST.map((src) => (
        <Audio key={src} src={src} />
      ))}
    </AbsoluteFill>
  );
}
