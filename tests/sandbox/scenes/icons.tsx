// Icons of sets beyond the old fifteen, named literally, in an array and built at run time from
// known names: all must render from the store, with no placeholder and no network.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';
import {Icon} from '@iconify/react';

const say = (message: string) => console.warn('[framecast] ' + JSON.stringify({type: 'warning', message}));
const LISTED = ['noto:rocket', 'emojione:rocket'];

export default function Icons() {
  const [handle] = useState(() => delayRender('checking icons'));
  useEffect(() => {
    setTimeout(() => {
      document.querySelectorAll('[data-icon-placeholder]').forEach((el) => say(`PLACEHOLDER ${el.getAttribute('data-icon-placeholder')}`));
      if (document.querySelectorAll('svg').length < 4) say('MISSING svg');
      for (const entry of performance.getEntriesByType('resource')) {
        if (!entry.name.startsWith(location.origin)) say(`NETWORK ${entry.name}`);
      }
      continueRender(handle);
    }, 200);
  }, [handle]);
  return (
    <AbsoluteFill style={{backgroundColor: 'white', flexDirection: 'row'}}>
      <Icon icon="fluent-emoji-flat:rocket" width={200} />
      <IconifyIcon icon="game-icons:broadsword" width={200} />
      {LISTED.map((name) => (
        <Icon key={name} icon={name} width={200} />
      ))}
    </AbsoluteFill>
  );
}
