import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBitrate, formatLatency, hlsLatencyMs, receiverReading, senderHealth } from '../src/stats.js';

const outbound = (over = {}) => ({
  id: 'o1', type: 'outbound-rtp', kind: 'video', bytesSent: 0, timestamp: 1000,
  framesPerSecond: 30, frameWidth: 1280, frameHeight: 720, qualityLimitationReason: 'none', ...over,
});

test('sender health: bitrate from bytes sent between two samples, fps and size from the report', () => {
  const first = senderHealth([outbound({ bytesSent: 1000, timestamp: 1000 })], null);
  assert.equal(first.health.bitrate, null, 'no bitrate from one sample');
  const second = senderHealth([outbound({ bytesSent: 126000, timestamp: 2000 })], first.sample);
  assert.equal(second.health.bitrate, 1000000);
  assert.deepEqual([second.health.fps, second.health.width, second.health.height], [30, 1280, 720]);
  assert.equal(second.health.degraded, false);
  assert.equal(second.health.reason, '');
});

test('sender health: each degradation is named, the most serious first', () => {
  const prev = { bytes: 0, at: 1000 };
  const ok = [outbound({ bytesSent: 125000, timestamp: 2000 })];
  assert.match(senderHealth(ok, prev, { connectionState: 'disconnected' }).health.reason, /interrupted/);
  assert.match(senderHealth(ok, prev, { connectionState: 'failed' }).health.reason, /interrupted/);
  const bw = [outbound({ bytesSent: 125000, timestamp: 2000, qualityLimitationReason: 'bandwidth' })];
  assert.match(senderHealth(bw, prev).health.reason, /network limits/);
  const cpu = [outbound({ bytesSent: 125000, timestamp: 2000, qualityLimitationReason: 'cpu' })];
  assert.match(senderHealth(cpu, prev).health.reason, /too busy/);
  const lossy = [...ok, { type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.25 }];
  assert.match(senderHealth(lossy, prev).health.reason, /25% of the packets/);
  const slow = [outbound({ bytesSent: 1000, timestamp: 2000 })];
  assert.match(senderHealth(slow, prev).health.reason, /Almost nothing/);
  assert.equal(senderHealth(slow, prev, { cameraOn: false }).health.degraded, false, 'a camera turned off sends little on purpose');
  const both = [outbound({ bytesSent: 1000, timestamp: 2000, qualityLimitationReason: 'bandwidth' })];
  assert.match(senderHealth(both, prev, { connectionState: 'failed' }).health.reason, /interrupted/);
});

test('sender health without a video sender: no figures, no warning', () => {
  const { sample, health } = senderHealth([{ type: 'outbound-rtp', kind: 'audio', bytesSent: 5 }], null);
  assert.equal(sample, null);
  assert.deepEqual([health.bitrate, health.fps, health.degraded], [null, null, false]);
});

test('receiver latency: half the round trip plus the jitter buffer delay since the last sample', () => {
  const entries = (delay, emitted) => [
    { type: 'inbound-rtp', kind: 'video', jitterBufferDelay: delay, jitterBufferEmittedCount: emitted, framesPerSecond: 29.97, frameWidth: 640, frameHeight: 360 },
    { type: 'transport', selectedCandidatePairId: 'p1' },
    { id: 'p1', type: 'candidate-pair', currentRoundTripTime: 0.02 },
  ];
  const first = receiverReading(entries(5, 100));
  assert.equal(first.latencyMs, 60); // 10 ms + 50 ms
  assert.equal(first.fps, 29.97);
  const second = receiverReading(entries(7, 200), first.sample);
  assert.equal(second.latencyMs, 30); // 10 ms + (2 s / 100 frames)
  assert.equal(receiverReading([]).latencyMs, null, 'nothing known: no figure');
});

test('formatting', () => {
  assert.equal(formatBitrate(2500000), '2.5 Mbit/s');
  assert.equal(formatBitrate(640000), '640 kbit/s');
  assert.equal(formatLatency(80), '80 ms');
  assert.equal(formatLatency(1850), '1.9 s');
  assert.equal(hlsLatencyMs(1.85), 1850);
  assert.equal(hlsLatencyMs(NaN), null);
});
