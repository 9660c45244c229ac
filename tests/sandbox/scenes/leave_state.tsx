// A hostile scene (user A): leaves every kind of state it can behind, and tries to keep something
// running after its render: a pop-up, a timer that keeps writing.
import {useEffect, useState} from 'react';
import {AbsoluteFill, continueRender, delayRender} from 'remotion';

const SECRET = __SECRET__;
const quietly = async (f: () => unknown) => {
  try {
    await f();
  } catch {}
};

const leave = async () => {
  await quietly(() => {
    document.cookie = `secret=${SECRET}; path=/; max-age=3600`;
  });
  await quietly(() => localStorage.setItem('secret', SECRET));
  await quietly(() => sessionStorage.setItem('secret', SECRET));
  await quietly(() => {
    (window as any).__secret = SECRET;
    (globalThis as any).__secret2 = SECRET;
  });
  await quietly(() => (window.name = SECRET));
  await quietly(
    () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open('secrets', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('kv');
        request.onsuccess = () => {
          const tx = request.result.transaction('kv', 'readwrite');
          tx.objectStore('kv').put(SECRET, 'secret');
          tx.oncomplete = () => {
            request.result.close();
            resolve(null);
          };
          tx.onerror = () => reject(tx.error);
        };
        request.onerror = () => reject(request.error);
      }),
  );
  await quietly(async () => {
    const cache = await caches.open('secrets');
    await cache.put('/secret', new Response(SECRET));
  });
  await quietly(() => navigator.serviceWorker.register('data:text/javascript,self.onfetch=()=>{}'));
  // Something that would keep running: a timer writing the secret, and pop-ups doing the same.
  const keepWriting = `setInterval(() => { try { localStorage.setItem('late', ${JSON.stringify(SECRET)}); new BroadcastChannel('leak').postMessage(${JSON.stringify(SECRET)}); } catch (e) {} }, 50)`;
  setInterval(new Function(keepWriting) as () => void, 1000);
  new Function(keepWriting)();
  await quietly(() => {
    const popup = window.open('about:blank', 'watcher');
    (popup as any)?.eval?.(keepWriting);
  });
  await quietly(() => {
    const popup = window.open(location.href, '_blank');
    (popup as any)?.eval?.(keepWriting);
  });
  await quietly(() => {
    const frame = document.createElement('iframe');
    document.body.appendChild(frame);
    const popup = (frame.contentWindow as any).open('about:blank');
    popup?.eval?.(keepWriting);
  });
};

export default function LeaveState() {
  const [handle] = useState(() => delayRender('leaving state'));
  useEffect(() => {
    leave().finally(() => setTimeout(() => continueRender(handle), 300));
  }, [handle]);
  return <AbsoluteFill style={{backgroundColor: '#ff0000'}} />;
}
