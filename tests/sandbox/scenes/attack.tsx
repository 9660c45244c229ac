// A hostile scene: runs ATTACK (a file of scenes/, filled in by the test) against TARGETS inside
// the render page and holds the frame long enough for what it started to send its packets.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';

const TARGETS = __TARGETS__;
const attack = __ATTACK__;
const leak = (how: string) =>
  console.warn('[framecast] ' + JSON.stringify({type: 'warning', message: `LEAK ${how}`}));

export default function Scene() {
  const [handle] = useState(() => delayRender('attack'));
  useEffect(() => {
    try {
      attack(TARGETS, leak);
    } catch {}
    const timer = setTimeout(() => continueRender(handle), 2500);
    return () => clearTimeout(timer);
  }, [handle]);
  return <AbsoluteFill style={{backgroundColor: '#312'}} />;
}
