// A hostile scene: tries every way a page has to send a request to TARGETS (filled in by the test)
// and reports, as a render warning, anything that came back.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';

const TARGETS: string[] = __TARGETS__;
const leak = (how: string, url: string) =>
  console.warn('[framecast] ' + JSON.stringify({type: 'warning', message: `LEAK ${how} ${url}`}));
const quietly = (f: () => unknown) => {
  try {
    const result = f();
    if (result && typeof (result as Promise<unknown>).catch === 'function') (result as Promise<unknown>).catch(() => {});
  } catch {}
};

const attack = (url: string) => {
  const ws = url.replace(/^http/, 'ws');
  quietly(() => fetch(url).then((r) => leak('fetch', url)));
  quietly(() => fetch(url, {mode: 'no-cors', method: 'POST', body: 'x'}).then(() => leak('fetch-no-cors', url)));
  quietly(() => {
    const xhr = new XMLHttpRequest();
    xhr.onload = () => leak('xhr', url);
    xhr.open('GET', url);
    xhr.send();
  });
  quietly(() => navigator.sendBeacon(url, 'beacon'));
  quietly(() => {
    const img = new Image();
    img.onload = () => leak('image', url);
    img.src = url + '/img.png';
  });
  quietly(() => {
    const socket = new WebSocket(ws);
    socket.onopen = () => leak('websocket', ws);
  });
  quietly(() => {
    const source = new EventSource(url);
    source.onopen = () => leak('eventsource', url);
  });
  quietly(() => {
    const frame = document.createElement('iframe');
    frame.src = url;
    document.body.appendChild(frame);
    leak('iframe', url);
  });
  quietly(() => {
    document.body.insertAdjacentHTML('beforeend', `<iframe src="${url}"></iframe><object data="${url}"></object>`);
    if (document.querySelector('iframe,object')) leak('iframe-html', url);
  });
  quietly(() => {
    const script = document.createElement('script');
    script.src = url + '/s.js';
    script.onload = () => leak('script', url);
    document.head.appendChild(script);
  });
  quietly(() => new Function('u', 'return import(u)')(url + '/m.js').then(() => leak('import', url)));
  quietly(() => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = url + '/style.css';
    link.onload = () => leak('stylesheet', url);
    document.head.appendChild(link);
  });
  for (const rel of ['preconnect', 'prefetch', 'preload', 'dns-prefetch']) {
    quietly(() => {
      const link = document.createElement('link');
      link.rel = rel;
      link.href = url + '/' + rel;
      if (rel === 'preload') link.as = 'image';
      document.head.appendChild(link);
    });
  }
  quietly(() => {
    const div = document.createElement('div');
    div.style.backgroundImage = `url(${url}/bg.png)`;
    div.style.width = div.style.height = '10px';
    document.body.appendChild(div);
  });
  quietly(() => new FontFace('Leak', `url(${url}/font.woff2)`).load().then(() => leak('fontface', url)));
  quietly(() => {
    const video = document.createElement('video');
    video.src = url + '/v.mp4';
    video.onloadedmetadata = () => leak('video', url);
    video.load();
  });
  quietly(() => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const image = document.createElementNS('http://www.w3.org/2000/svg', 'image');
    image.setAttribute('href', url + '/svg.png');
    svg.appendChild(image);
    document.body.appendChild(svg);
  });
  quietly(() => {
    const form = document.createElement('form');
    form.action = url + '/form';
    form.method = 'POST';
    document.body.appendChild(form);
    form.submit();
  });
  quietly(() => {
    const anchor = document.createElement('a');
    anchor.href = url + '/link';
    document.body.appendChild(anchor);
    anchor.click();
  });
  quietly(() => {
    const popup = window.open(url + '/popup');
    if (popup) leak('window.open', url);
  });
  quietly(() => {
    location.href = url + '/navigate';
  });
};

export default function Reach() {
  const [handle] = useState(() => delayRender('attacking'));
  useEffect(() => {
    const proxyPort = (window as any).remotion_proxyPort;
    const proxied = proxyPort
      ? TARGETS.map((t) => `http://localhost:${proxyPort}/proxy?src=${encodeURIComponent(t + '/via-proxy')}&time=0&transparent=false`)
      : [];
    [...TARGETS, ...proxied].forEach(attack);
    setTimeout(() => continueRender(handle), 2500);
  }, [handle]);
  return <AbsoluteFill style={{backgroundColor: '#00ff00'}} />;
}
