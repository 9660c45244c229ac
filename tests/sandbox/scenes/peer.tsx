// A hostile scene: runs peer_attack.js (filled in by the test) against TARGETS and holds the frame
// long enough for ICE to send its packets.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';

const TARGETS = __TARGETS__;
const attack = __ATTACK__;
const leak = (how: string) =>
  console.warn('[framecast] ' + JSON.stringify({type: 'warning', message: `LEAK ${how}`}));

export default function Scene() {
  const [handle] = useState(() => delayRender('peer attack'));
  useEffect(() => {
    try {
      attack(TARGETS, leak);
    } catch {}
    const timer = setTimeout(() => continueRender(handle), 2500);
    return () => clearTimeout(timer);
  }, [handle]);
  return <AbsoluteFill style={{backgroundColor: '#312'}} />;
}
