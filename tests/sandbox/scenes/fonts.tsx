// Shipped fonts: loaded from the site itself, no third-party server, no warning. Reports a face
// that is not in use after loading, and any request that left the site.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';

const FONTS: [string, string[], ('normal' | 'italic')[]][] = __FONTS__;
const say = (message: string) => console.warn('[framecast] ' + JSON.stringify({type: 'warning', message}));

export default function Fonts() {
  const [handle] = useState(() => delayRender('checking fonts'));
  useEffect(() => {
    const loads = FONTS.map(([family, weights, styles]) => window.RemotionGoogleFonts.loadFont(family, {weights, styles}));
    Promise.all(loads.map((l) => l.waitUntilDone())).then(() => {
      for (const [family, weights, styles] of FONTS) {
        for (const weight of weights) {
          for (const style of styles) {
            const face = `${style} ${weight} 40px "${family}"`;
            const loaded = [...document.fonts].some(
              (f) => f.family.replace(/"/g, '') === family && f.weight === weight && f.style === style && f.status === 'loaded',
            );
            if (!loaded || !document.fonts.check(face, 'Hello')) say(`MISSING ${face}`);
          }
        }
      }
      for (const entry of performance.getEntriesByType('resource')) {
        if (!entry.name.startsWith(location.origin)) say(`NETWORK ${entry.name}`);
      }
      continueRender(handle);
    });
  }, [handle]);
  return (
    <AbsoluteFill style={{backgroundColor: 'white', fontSize: 80, padding: 40}}>
      {FONTS.map(([family, weights, styles]) => (
        <div key={family} style={{fontFamily: family, fontWeight: Number(weights[0]), fontStyle: styles[0]}}>{family}</div>
      ))}
    </AbsoluteFill>
  );
}
