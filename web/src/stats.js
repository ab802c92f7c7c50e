// Pure readings of WebRTC statistics and player state: what a seat's stats
// line and a broadcaster's health line say. Inputs are plain objects (the
// entries of an RTCStatsReport, hls.js numbers), so node's test runner covers
// every rule (test/stats.test.js).

// Below this, a camera that is on is "sending almost nothing".
export const LOW_BITRATE_BPS = 30000;
// A lost-packet fraction above this is reported as loss.
export const LOSS_WARN = 0.1;

const byType = (entries, type, kind) =>
  entries.filter((e) => e && e.type === type && (!kind || (e.kind || e.mediaType) === kind));

function selectedPair(entries) {
  const transport = entries.find((e) => e.type === 'transport' && e.selectedCandidatePairId);
  if (transport) return entries.find((e) => e.id === transport.selectedCandidatePairId) || null;
  return entries.find((e) => e.type === 'candidate-pair' && e.nominated && e.state === 'succeeded') || null;
}

// What a viewer's WebRTC connection says about one seat: an estimate of the
// delay from the media server to the screen (half the round trip plus the
// time frames spend in the jitter buffer, averaged since the previous
// sample), the frame rate and the picture size. `prev` is the previous
// call's `sample` (or null).
export function receiverReading(entries, prev = null) {
  const inbound = byType(entries, 'inbound-rtp', 'video')[0];
  const pair = selectedPair(entries);
  const sample = inbound
    ? { delay: inbound.jitterBufferDelay ?? null, emitted: inbound.jitterBufferEmittedCount ?? null }
    : null;
  let bufferS = null;
  if (sample && sample.delay !== null && sample.emitted) {
    const dDelay = prev && prev.delay !== null ? sample.delay - prev.delay : sample.delay;
    const dCount = prev && prev.emitted !== null ? sample.emitted - prev.emitted : sample.emitted;
    bufferS = dCount > 0 ? dDelay / dCount : sample.delay / sample.emitted;
  }
  const rtt = pair && Number.isFinite(pair.currentRoundTripTime) ? pair.currentRoundTripTime : null;
  const latencyMs = bufferS === null && rtt === null ? null : Math.round(((rtt ?? 0) / 2 + (bufferS ?? 0)) * 1000);
  return {
    sample,
    latencyMs,
    fps: inbound && Number.isFinite(inbound.framesPerSecond) ? inbound.framesPerSecond : null,
    width: inbound && inbound.frameWidth ? inbound.frameWidth : null,
    height: inbound && inbound.frameHeight ? inbound.frameHeight : null,
  };
}

// hls.js's own estimate of the distance to the live edge, in seconds.
export function hlsLatencyMs(latencySeconds) {
  return Number.isFinite(latencySeconds) && latencySeconds >= 0 ? Math.round(latencySeconds * 1000) : null;
}

// The broadcaster's own stream, from its sending connection: bitrate (from
// bytes sent since the previous sample), frame rate, resolution, and whether
// it is degraded and why (a sentence for the person, most serious first).
// `connectionState` is the RTCPeerConnection's; `cameraOn` false means the
// camera was turned off on purpose (black frames need almost no bits).
export function senderHealth(entries, prev, { connectionState = 'connected', cameraOn = true } = {}) {
  const outbound = byType(entries, 'outbound-rtp', 'video');
  const video = outbound.find((e) => e.active !== false) || outbound[0] || null;
  const remote = byType(entries, 'remote-inbound-rtp', 'video')[0] || null;
  const sample = video ? { bytes: video.bytesSent ?? 0, at: video.timestamp ?? 0 } : null;
  let bitrate = null;
  if (sample && prev && sample.at > prev.at) {
    bitrate = Math.max(0, Math.round(((sample.bytes - prev.bytes) * 8) / ((sample.at - prev.at) / 1000)));
  }
  const health = {
    bitrate,
    fps: video && Number.isFinite(video.framesPerSecond) ? video.framesPerSecond : null,
    width: video && video.frameWidth ? video.frameWidth : null,
    height: video && video.frameHeight ? video.frameHeight : null,
    degraded: false,
    reason: '',
  };
  const warn = (reason) => {
    if (!health.degraded) Object.assign(health, { degraded: true, reason });
  };
  if (connectionState === 'disconnected' || connectionState === 'failed') {
    warn('The connection to the media server is interrupted. Viewers may see a frozen picture.');
  }
  if (video && video.qualityLimitationReason === 'bandwidth') {
    warn('Your network limits the stream: viewers get a lower quality.');
  } else if (video && video.qualityLimitationReason === 'cpu') {
    warn('Your device is too busy to encode at full quality: viewers get a lower quality.');
  }
  if (remote && Number.isFinite(remote.fractionLost) && remote.fractionLost > LOSS_WARN) {
    warn(`${Math.round(remote.fractionLost * 100)}% of the packets are lost on the way to the media server.`);
  }
  if (cameraOn && bitrate !== null && bitrate < LOW_BITRATE_BPS) {
    warn('Almost nothing is being sent. Check your network.');
  }
  return { sample, health };
}

export function formatBitrate(bps) {
  if (!Number.isFinite(bps)) return '–';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  return `${Math.round(bps / 1e3)} kbit/s`;
}

export function formatFps(fps) {
  return Number.isFinite(fps) && fps > 0 ? `${Math.round(fps)} fps` : null;
}

export function formatLatency(ms) {
  if (!Number.isFinite(ms)) return null;
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
