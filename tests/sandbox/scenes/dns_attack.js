// Every way a page has to make Chromium resolve a name it chooses without a request the policy sees:
// <link rel=dns-prefetch> and preconnect (created, and in markup), and links (anchors). `leak(what)`
// is called for each element that made it into the document.
(targets, leak) => {
  const [prefetched, preconnected, linked] = targets.hosts;
  const links = [['dns-prefetch', `//${prefetched}`], ['preconnect', `https://${preconnected}`]];
  for (const [rel, href] of links) {
    try {
      const link = document.createElement('link');
      link.rel = rel;
      link.href = href;
      document.head.appendChild(link);
      leak(`link ${rel}`);
    } catch {}
  }
  try {
    document.body.insertAdjacentHTML('beforeend', links.map(([rel, href]) => `<link rel="${rel}" href="${href}">`).join(''));
    if (document.querySelector('link[rel=dns-prefetch]')) leak('link markup');
  } catch {}
  const anchor = document.createElement('a');
  anchor.href = `http://${linked}/`;
  anchor.textContent = 'link';
  document.body.appendChild(anchor);
}
