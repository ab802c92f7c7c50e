// Which RTCPeerConnection feeds a given <video>. OvenPlayer keeps its WebRTC
// peer connection private, but the latency readout needs that connection's
// getStats(). So, before OvenPlayer loads, the page's RTCPeerConnection is
// replaced by a subclass that only remembers every open connection; a
// player's connection is then the one whose receivers' tracks are playing in
// its video element. Nothing else about the connections changes.

const open = new Set();
let installed = false;

export function trackPeerConnections() {
  if (installed || typeof window === 'undefined' || typeof window.RTCPeerConnection !== 'function') return;
  installed = true;
  const Native = window.RTCPeerConnection;
  class TrackedPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      open.add(this);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'closed') open.delete(this);
      });
    }
    close() {
      open.delete(this);
      return super.close();
    }
  }
  window.RTCPeerConnection = TrackedPeerConnection;
}

export function peerConnectionFor(video) {
  const stream = video && video.srcObject;
  if (!stream || typeof stream.getTracks !== 'function') return null;
  const tracks = new Set(stream.getTracks());
  for (const pc of open) {
    if (pc.getReceivers().some((r) => r.track && tracks.has(r.track))) return pc;
  }
  return null;
}
