// A well-behaved scene that uses public https: images, fetch, fonts. The
// network may be down (no warning then is the policy's business), but the policy must allow them.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';

const URLS: string[] = __URLS__;

export default function Public() {
  const [handle] = useState(() => delayRender('loading public assets'));
  useEffect(() => {
    const tries = URLS.flatMap((url) => [
      fetch(url).catch(() => null),
      new Promise((resolve) => {
        const img = new Image();
        img.onload = img.onerror = resolve;
        img.src = url;
      }),
      new FontFace('Public', `url(${url})`).load().catch(() => null),
    ]);
    Promise.race([Promise.all(tries), new Promise((resolve) => setTimeout(resolve, 3000))]).then(() => continueRender(handle));
  }, [handle]);
  return <AbsoluteFill style={{backgroundColor: '#00ff00'}} />;
}
