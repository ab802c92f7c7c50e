#!/usr/bin/env node
// Real media, start to viewer: for WebRTC (the page's WebCam/Mic), RTMP and
// SRT input (ffmpeg at the URLs the page's Live Encoder dialog shows), the
// time from "Start sharing" (WebRTC) or the encoder starting (RTMP, SRT) to
//   - the seat showing live on another page (its data-kind), and
//   - that page presenting the first frame of the stream.
// Against `ovenspace-test-cluster` with a real OME (OVENSPACE_TEST_OME_BIN).
// Prints p50 / p90 / max per input; asserts nothing. Run by
// scripts/bench_e2e.sh media.
//
// node tests/bench/media_bench.mjs --cluster-bin PATH [--runs N] [--out-dir DIR]

import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Cluster, TEST_SOURCE, broadcast, close, encoderUrls, ffmpeg, framesIn, openRoom, setup, waitKind,
} from '../web/media_lib.mjs';

const opts = {};
for (let i = 2; i < process.argv.length; i += 2) opts[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!opts['cluster-bin']) throw new Error('--cluster-bin is required');
if (!process.env.OVENSPACE_TEST_OME_BIN) {
  console.log('media bench: skipped, OVENSPACE_TEST_OME_BIN names no OME');
  process.exit(0);
}
const runs = Number(opts.runs || 10);
const outDir = path.resolve(opts['out-dir'] || path.join(tmpdir(), 'ovenspace-media-bench'));
mkdirSync(outDir, { recursive: true });

function summary(values) {
  const v = [...values].sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
  return `p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${v[v.length - 1]} ms (n=${v.length})`;
}

// One measured start on seat `i`; returns {live, frame} in ms.
async function once(cluster, kind, i) {
  const viewer = await openRoom(cluster);
  const host = await openRoom(cluster);
  let encoder = null;
  try {
    let t0;
    if (kind === 'webrtc') {
      t0 = await broadcast(host, i);
    } else {
      const urls = await encoderUrls(host, i);
      await waitKind(viewer, i, 'joining');
      t0 = Date.now();
      encoder = kind === 'rtmp'
        ? ffmpeg([...TEST_SOURCE, '-f', 'flv', `${urls.rtmpServer}/${urls.rtmpKey}`])
        : ffmpeg([...TEST_SOURCE, '-f', 'mpegts', urls.srt]);
    }
    const framesPromise = framesIn(viewer, i, 1, 30000);
    await waitKind(viewer, i, 'live', 30000);
    const live = Date.now() - t0;
    const { first } = await framesPromise;
    return { live, frame: first - t0 };
  } finally {
    if (encoder) {
      encoder.kill('SIGTERM');
      await encoder.exited;
    }
    await host.locator(`.seat[data-seat="${i}"] .leave`).click().catch(() => {});
    await waitKind(viewer, i, 'free', 20000).catch(() => {});
    await viewer.close();
    await host.close();
  }
}

await setup({ clusterBin: opts['cluster-bin'], distDir: path.join(outDir, 'dist'), chromiumPath: opts.chromium });
const cluster = await Cluster.start(['--lease-ms', '30000']);
console.log(`media bench against ${cluster.media.describe}, ${runs} runs per input`);
let failed = false;
try {
  for (const kind of ['webrtc', 'rtmp', 'srt']) {
    const live = [];
    const frame = [];
    for (let r = 0; r < runs; r++) {
      const m = await once(cluster, kind, r % 9);
      live.push(m.live);
      frame.push(m.frame);
    }
    const start = kind === 'webrtc' ? 'Start sharing' : 'encoder start';
    console.log(`${kind.toUpperCase()}: ${start} -> seat live at a viewer: ${summary(live)}`);
    console.log(`${kind.toUpperCase()}: ${start} -> first frame at a viewer: ${summary(frame)}`);
  }
} catch (e) {
  failed = true;
  console.log(`media bench failed: ${e.stack || e}`);
} finally {
  await cluster.stop(failed);
  await close();
}
process.exit(failed ? 1 : 0);
