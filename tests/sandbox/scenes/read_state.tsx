// User B's scene: looks for anything an earlier render left, and reports each find as a warning.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';

const SECRET = __SECRET__;
const found: string[] = [];
const look = async (where: string, read: () => unknown) => {
  try {
    const value = await read();
    if (value !== undefined && value !== null && String(value).includes(SECRET)) found.push(where);
  } catch {}
};

const readIndexedDb = () =>
  new Promise((resolve) => {
    const request = indexedDB.open('secrets');
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('kv')) return resolve(null);
      const get = db.transaction('kv').objectStore('kv').get('secret');
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => resolve(null);
    };
    request.onerror = () => resolve(null);
  });

const search = async () => {
  await look('cookie', () => document.cookie);
  await look('localStorage', () => JSON.stringify({...localStorage}));
  await look('sessionStorage', () => JSON.stringify({...sessionStorage}));
  await look('global', () => (window as any).__secret ?? (globalThis as any).__secret2);
  await look('window.name', () => window.name);
  await look('indexedDB', async () => JSON.stringify(await indexedDB.databases()) + String(await readIndexedDb()));
  await look('caches', async () => {
    const keys = await caches.keys();
    const response = await caches.match('/secret');
    return keys.join(',') + (response ? await response.text() : '');
  });
  await look('serviceWorker', async () =>
    (await navigator.serviceWorker.getRegistrations()).length > 0 ? SECRET : null,
  );
  // Anything still running from the earlier render (a timer, a pop-up) would speak up now.
  const channel = new BroadcastChannel('leak');
  channel.onmessage = (event) => String(event.data).includes(SECRET) && found.push('a running pop-up or timer (BroadcastChannel)');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  channel.close();
  await look('a running pop-up or timer (localStorage)', () => localStorage.getItem('late'));
};

export default function ReadState() {
  const [handle] = useState(() => delayRender('reading state'));
  useEffect(() => {
    search().finally(() => {
      for (const where of new Set(found)) {
        console.warn('[framecast] ' + JSON.stringify({type: 'warning', message: `LEAK ${where}`}));
      }
      console.warn('[framecast] ' + JSON.stringify({type: 'warning', message: 'searched'}));
      continueRender(handle);
    });
  }, [handle]);
  return <AbsoluteFill style={{backgroundColor: '#0000ff'}} />;
}
