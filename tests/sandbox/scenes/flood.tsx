// A hostile scene that floods the render's log: REQUESTS refused requests to TARGET (each one a
// Chromium console error quoting the violated directive), SPAM console.error calls of distinct text
// (no two alike but in digits), and the same line REPEATS times. Filled in by the test.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';

const TARGET: string = __TARGET__;
const REQUESTS: number = __REQUESTS__;
const SPAM: number = __SPAM__;
const REPEATS: number = __REPEATS__;
const word = (i: number) => Array.from(String(i), (digit) => 'abcdefghij'[Number(digit)]).join('');

export default function Flood() {
  const [handle] = useState(() => delayRender('flood'));
  useEffect(() => {
    for (let i = 0; i < REPEATS; i++) console.error(`the same line, call ${i}`);
    for (let i = 0; i < SPAM; i++) console.error(`spam ${word(i)} ${'x'.repeat(200)}`);
    // In waves of a hundred, as a scene fetching on every frame would: a thousand at once is a
    // memory flood of its own (each refusal is a 72 KB console message inside Chromium).
    const wave = async (from: number): Promise<void> => {
      if (from >= REQUESTS) return;
      const upTo = Math.min(REQUESTS, from + 100);
      await Promise.all(Array.from({length: upTo - from}, (_, k) => fetch(`${TARGET}/${word(from + k)}`).catch(() => null)));
      return wave(upTo);
    };
    wave(0).finally(() => continueRender(handle));
  }, [handle]);
  return <AbsoluteFill style={{backgroundColor: '#123'}} />;
}
