// Every way a page has to send packets that the Content-Security-Policy does not govern: WebRTC's
// ICE (STUN and TURN, UDP and TCP) and WebTransport. `leak(what)` is called for each that started.
// Run by peer.tsx inside the render page and by peer_control.mjs in a plain page (the control).
(targets, leak) => {
  const iceServers = [
    {urls: targets.stun},
    {urls: targets.turn, username: 'framecast-probe', credential: 'probe'},
  ];
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
    try {
      const peer = new window[name]({iceServers, iceCandidatePoolSize: 1});
      peer.createDataChannel('probe');
      peer.createOffer().then((offer) => peer.setLocalDescription(offer)).catch(() => {});
      leak(name);
    } catch {}
  }
  try {
    const transport = new window.RTCIceTransport();
    transport.gather({iceServers});
    leak('RTCIceTransport');
  } catch {}
  try {
    const transport = new window.WebTransport(targets.webtransport);
    transport.ready.catch(() => {});
    leak('WebTransport');
  } catch {}
}
