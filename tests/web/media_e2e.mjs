#!/usr/bin/env node
// Real media through the real product: the page (web/dist) in headless
// Chromium with its fake camera, the room service, the gateway and a real
// OvenMediaEngine, all started by `ovenspace-test-cluster` on loopback with
// free ports (OVENSPACE_TEST_OME_BIN names the OME binary). Every playback
// check counts presented frames (requestVideoFrameCallback), not just a
// player created. Every page runs under the room's Content-Security-Policy:
// a scenario with any CSP violation in any page fails (OvenPlayer,
// OvenLiveKit and hls.js included). Helpers: media_lib.mjs.
//
// node tests/web/media_e2e.mjs --cluster-bin PATH [--out-dir DIR]
//   [--chromium PATH] [--only SUBSTRING]
//
// Without OVENSPACE_TEST_OME_BIN every scenario is skipped, saying so;
// with OVENSPACE_TEST_REQUIRE_OME=1 that is a failure instead.
// Prints one line per scenario and ends with "N passed, N failed, N skipped".

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Cluster, TEST_SOURCE, broadcast, check, close, encoderUrls, ffmpeg, framesIn, freePort, kindLog, kindOf,
  launchChromium, makeCertificates, openRoom, originOf, policyOf, seatSource, setup, startNginx, takeCspViolations,
  until, waitKind, whipPublish,
} from './media_lib.mjs';

const opts = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const m = /^--([a-z-]+)$/.exec(process.argv[i]);
  if (!m || i + 1 >= process.argv.length) throw new Error(`bad argument ${process.argv[i]}`);
  opts[m[1]] = process.argv[i + 1];
}
if (!opts['cluster-bin']) throw new Error('--cluster-bin is required');
const outDir = path.resolve(opts['out-dir'] || path.join(tmpdir(), 'ovenspace-media-e2e'));
// Short enough for the lease scenario, long enough to start a broadcast.
const CLUSTER_FLAGS = ['--lease-ms', '10000', '--grace-ms', '1500'];

// ---------------------------------------------------------------- scenarios

const figures = []; // "what: ms" lines for the summary
const scenarios = [];
let context = null;
const pages = () => context;
const scenario = (name, fn) => scenarios.push({ name, fn });

scenario('a WebRTC broadcast from the page plays on another page over WebRTC and LL-HLS', async (c) => {
  const viewer = await openRoom(c);
  const host = await openRoom(c);
  // Under the strict policy: our bundle only, and connections to the page's
  // own origin and the OME origins the templates name, nothing else.
  const policy = policyOf(viewer);
  check(JSON.stringify(policy['script-src']) === `["'self'"]`, `script-src 'self' only: ${viewer.policy}`);
  check(JSON.stringify(policy['default-src']) === `["'none'"]`, `default-src 'none': ${viewer.policy}`);
  const playback = await viewer.evaluate(() => window.ovenspace.state().playback);
  const connect = policy['connect-src'] || [];
  const omeHost = new URL(playback.webrtc).hostname;
  check(connect[0] === "'self'" && [playback.webrtc, playback.llhls].every((u) => connect.includes(originOf(u))) &&
    connect.slice(1).every((o) => /^(wss?|https?):/.test(o) && new URL(o).hostname === omeHost),
  `connect-src is the page and OME's origins: ${viewer.policy}`);
  const pressed = await broadcast(host, 0);
  await waitKind(viewer, 0, 'live');
  const liveAt = Date.now();
  const webrtc = await framesIn(viewer, 0);
  figures.push(`WebRTC publish from the page: Start sharing -> seat live at a viewer ${liveAt - pressed} ms, -> first frame ${webrtc.first - pressed} ms`);
  // The viewer never saw the seat live before OME could play it, nor an error.
  const log = await kindLog(viewer, 0);
  check(log.includes('starting') && log.indexOf('starting') < log.indexOf('live'), `viewer saw starting before live: ${log}`);
  const players = await viewer.evaluate(() => window.ovenspace.players());
  check(players.length === 1 && players[0].seat === 0, `one player, for seat 1: ${JSON.stringify(players)}`);
  check(players[0].phase === 'playing' && players[0].given[0] === 'webrtc', `playing, WebRTC first: ${JSON.stringify(players)}`);
  await until('the player reads WebRTC stats', async () => {
    const p = await viewer.evaluate(() => window.ovenspace.players());
    return p[0] && p[0].mode === 'webrtc';
  });
  check((await seatSource(viewer, 0)) === 'WebRTC', 'source WebRTC');
  // The broadcaster's own tile: its preview, no player.
  check((await host.evaluate(() => window.ovenspace.players())).length === 0, 'the broadcaster plays nothing');

  // LL-HLS on the viewer's picker.
  await viewer.selectOption('.seat[data-seat="0"] select.protocol', 'llhls');
  const hls = await framesIn(viewer, 0, 10, 30000);
  check(hls.width > 0, 'LL-HLS frames have a size');
  await until('picker shows LL-HLS playing', async () => {
    const p = await viewer.evaluate(() => window.ovenspace.players());
    return p[0] && p[0].mode === 'llhls';
  });
  check((await viewer.locator('.seat[data-seat="0"] select.protocol').inputValue()) === 'llhls', 'picker says LL-HLS');

  // Leave: the stream ends in OME, the viewer's seat is free, and the
  // leaving page never opens a player on the seat it just left.
  const sampler = host.evaluate(async () => {
    const seen = [];
    const end = Date.now() + 2500;
    while (Date.now() < end) {
      for (const p of window.ovenspace.players()) seen.push(p.seat);
      await new Promise((r) => setTimeout(r, 20));
    }
    return seen;
  });
  await host.locator('.seat[data-seat="0"] .leave').click();
  const left = Date.now();
  await until('stream0 gone from OME', async () => !(await c.omeStreams()).includes('stream0'), 5000);
  figures.push(`Leave -> stream gone from OME's list ${Date.now() - left} ms`);
  await waitKind(viewer, 0, 'free');
  check((await sampler).length === 0, 'the leaving page opened no player');
  check([...viewer.problems, ...host.problems].length === 0, `page errors: ${[...viewer.problems, ...host.problems]}`);
});

scenario('Share screen goes live and plays', async (c) => {
  const viewer = await openRoom(c);
  const host = await openRoom(c);
  await broadcast(host, 1, 'screen');
  await waitKind(viewer, 1, 'live');
  const f = await framesIn(viewer, 1);
  check(f.width > 0, 'screen frames');
  await host.locator('.seat[data-seat="1"] .leave').click();
  await waitKind(viewer, 1, 'free');
});

scenario('the Live Encoder RTMP and SRT URLs from the dialog go live with ffmpeg', async (c) => {
  const viewer = await openRoom(c);
  const host = await openRoom(c);
  const urls = await encoderUrls(host, 2);
  const rtmp = ffmpeg([...TEST_SOURCE, '-f', 'flv', `${urls.rtmpServer}/${urls.rtmpKey}`]);
  try {
    await waitKind(viewer, 2, 'live');
    check((await seatSource(viewer, 2)) === 'RTMP', 'source RTMP');
    await framesIn(viewer, 2);
    // The dialog noticed the encoder and closed itself.
    await until('dialog closed', async () => !(await host.locator('#share-dialog').isVisible()), 5000);
  } finally {
    rtmp.kill('SIGTERM');
    await rtmp.exited;
  }
  // Encoder gone: the seat waits for it again; now SRT with the same claim.
  await waitKind(viewer, 2, 'joining');
  const srt = ffmpeg([...TEST_SOURCE, '-f', 'mpegts', urls.srt]);
  try {
    await waitKind(viewer, 2, 'live');
    check((await seatSource(viewer, 2)) === 'SRT', 'source SRT');
    await framesIn(viewer, 2);
  } finally {
    srt.kill('SIGTERM');
    await srt.exited;
  }
  await host.locator('.seat[data-seat="2"] .leave').click();
  await waitKind(viewer, 2, 'free');
});

scenario('WHIP from a browser to the URL the dialog shows; without or with a wrong token it is refused', async (c) => {
  const viewer = await openRoom(c);
  const host = await openRoom(c);
  const urls = await encoderUrls(host, 3);
  const whipPage = await pages().newPage();
  await whipPage.goto(`${c.base}/healthz`); // a page of our origin: a secure context for getUserMedia
  const noToken = urls.whip.replace(/[?&]token=[^&]*/, '');
  const wrongToken = urls.whip.replace(/token=([^&]*)/, (m, t) => `token=${t.slice(0, -2)}xx`);
  check(noToken !== urls.whip && wrongToken !== urls.whip, 'the WHIP URL carries a token');
  const refusedA = await whipPublish(whipPage, noToken);
  const refusedB = await whipPublish(whipPage, wrongToken);
  // 0 is a refusal too: OME answers 401 without CORS headers. What proves
  // it is OME's list and the seat below.
  const refused = (status) => status === 0 || status >= 400;
  check(refused(refusedA) && refused(refusedB), `refused without (${refusedA}) and with a wrong token (${refusedB})`);
  check(!(await c.omeStreams()).includes('stream3'), 'nothing reached OME');
  check((await kindOf(viewer, 3)) === 'joining', 'the seat still waits for its holder');

  const status = await whipPublish(whipPage, urls.whip);
  check(status === 201 || status === 200, `WHIP with the seat's URL answered ${status}`);
  await waitKind(viewer, 3, 'live');
  check((await seatSource(viewer, 3)) === 'WHIP', `source WHIP, got ${await seatSource(viewer, 3)}`);
  await framesIn(viewer, 3);
  await host.locator('.seat[data-seat="3"] .leave').click();
  await until('stream3 gone from OME', async () => !(await c.omeStreams()).includes('stream3'), 5000);
  await waitKind(viewer, 3, 'free');
  await whipPage.close();
});

scenario('a lease that runs out ends the claim; its token is refused afterwards', async (c) => {
  const viewer = await openRoom(c);
  const host = await openRoom(c);
  const urls = await encoderUrls(host, 4);
  await waitKind(viewer, 4, 'joining');
  // --lease-ms 10000: nothing publishes, so the seat is freed.
  await waitKind(viewer, 4, 'free', 20000);
  const whipPage = await pages().newPage();
  await whipPage.goto(`${c.base}/healthz`);
  const status = await whipPublish(whipPage, urls.whip);
  check(status === 0 || status >= 400, `the expired token is refused (${status})`);
  check(!(await c.omeStreams()).includes('stream4'), 'nothing reached OME');
  await whipPage.close();
});

// The AAC case: with OVENSPACE_OME_AAC_BYPASS=false an OME without
// libfdk_aac (this Debian build) cannot encode a browser's Opus for
// LL-HLS and never starts the stream's outputs.
scenario('a browser broadcast whose outputs never start shows a clear error, not a spinner', async () => {
  const c = await Cluster.start([...CLUSTER_FLAGS, '--ome-env', 'OVENSPACE_OME_AAC_BYPASS=false', '--outputs-timeout-ms', '8000']);
  let failed = true;
  try {
    const viewer = await openRoom(c);
    const host = await openRoom(c);
    await broadcast(host, 5);
    await waitKind(viewer, 5, 'failed', 30000);
    const text = await viewer.locator('.seat[data-seat="5"] .seat-state').textContent();
    check(/has not started it/.test(text), `the viewer reads why: "${text}"`);
    check((await kindLog(viewer, 5)).includes('starting'), 'starting first');
    check((await viewer.evaluate(() => window.ovenspace.players())).length === 0, 'no player for a failed seat');
    const seatState = await host.evaluate(() => window.ovenspace.state().seats[5].state);
    check(seatState === 'failed', `the broadcaster's seat is failed too (${seatState})`);
    await host.locator('.seat[data-seat="5"] .leave').click();
    await waitKind(viewer, 5, 'free');
    failed = false;
  } finally {
    await c.stop(failed);
  }
});

// TLS for real: a CA made here, OME with deploy/ome/Server.tls.xml (API over
// https for the gateway with ca_file, wss:// signalling, https:// LL-HLS),
// the page over HTTPS through nginx with deploy/nginx/ovenspace.conf, and a
// Chromium that trusts that CA's keys (and nothing else extra).
scenario('over TLS: a broadcast and a playback (wss:// signalling, https:// LL-HLS, the page over HTTPS)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ovs-media-tls-'));
  const keys = makeCertificates(dir);
  const c = await Cluster.start([...CLUSTER_FLAGS, '--tls-dir', dir]);
  let nginx = null;
  let failed = true;
  try {
    const [https, redirect] = [await freePort(), await freePort()];
    nginx = await startNginx(dir, https, redirect, c.room_port);
    const tlsBrowser = await launchChromium([`--ignore-certificate-errors-spki-list=${keys.join(',')}`]);
    const secure = { ...c, base: `https://localhost:${https}` };
    const viewer = await openRoom(secure, tlsBrowser);
    const host = await openRoom(secure, tlsBrowser);
    const playback = await viewer.evaluate(() => window.ovenspace.state().playback);
    check(playback.webrtc.startsWith(`wss://localhost:${c.media.signalling_tls_port}/`), `wss playback: ${playback.webrtc}`);
    const connect = policyOf(viewer)['connect-src'] || [];
    check(connect.includes(originOf(playback.webrtc)) && connect.includes(originOf(playback.llhls)),
      `the policy (through nginx) lets the page dial OME over TLS: ${viewer.policy}`);
    check(playback.llhls.startsWith(`https://localhost:${c.media.signalling_tls_port}/`), `https LL-HLS: ${playback.llhls}`);
    await broadcast(host, 6);
    const publish = await host.evaluate(() => window.ovenspace.claim().publish.webrtc);
    check(publish.startsWith('wss://localhost:'), `the broadcast goes over wss: ${publish}`);
    await waitKind(viewer, 6, 'live');
    await framesIn(viewer, 6);
    await viewer.selectOption('.seat[data-seat="6"] select.protocol', 'llhls');
    await framesIn(viewer, 6, 10, 30000);
    await until('LL-HLS over https plays', async () => {
      const p = await viewer.evaluate(() => window.ovenspace.players());
      return p[0] && p[0].mode === 'llhls';
    });
    check(viewer.url().startsWith('https://localhost:'), 'the page came over HTTPS');
    await host.locator('.seat[data-seat="6"] .leave').click();
    await waitKind(viewer, 6, 'free');
    failed = false;
  } finally {
    if (nginx) {
      nginx.kill('SIGTERM');
      await nginx.exited;
    }
    await c.stop(failed);
    if (!failed) rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------- run

const distDir = path.join(outDir, 'dist');
const required = process.env.OVENSPACE_TEST_REQUIRE_OME === '1';
if (!process.env.OVENSPACE_TEST_OME_BIN) {
  const why = 'OVENSPACE_TEST_OME_BIN is not set: real media needs a real OME';
  for (const s of scenarios) console.log(`SKIP ${s.name}: ${why}`);
  console.log(`0 passed, ${required ? scenarios.length : 0} failed, ${required ? 0 : scenarios.length} skipped`);
  process.exit(required ? 1 : 0);
}

mkdirSync(outDir, { recursive: true });
context = await setup({ clusterBin: opts['cluster-bin'], distDir, chromiumPath: opts.chromium });

let passed = 0;
let failedCount = 0;
let skipped = 0;
const shared = await Cluster.start(CLUSTER_FLAGS);
console.log(`media e2e against ${shared.media.describe}`);
let sharedFailed = false;
for (const s of scenarios) {
  if (opts.only && !s.name.includes(opts.only)) {
    skipped += 1;
    continue;
  }
  const t0 = Date.now();
  takeCspViolations();
  try {
    await s.fn(shared);
    const violations = takeCspViolations();
    if (violations.length) throw new Error(`Content-Security-Policy violations: ${JSON.stringify(violations, null, 1)}`);
    passed += 1;
    console.log(`PASS ${s.name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failedCount += 1;
    sharedFailed = true;
    const violations = takeCspViolations();
    const also = violations.length ? `\n(and Content-Security-Policy violations: ${JSON.stringify(violations)})` : '';
    console.log(`FAIL ${s.name} (${Date.now() - t0} ms): ${e.stack || e}${also}`);
    const pages = context.pages();
    for (let i = 0; i < pages.length; i++) {
      await pages[i].screenshot({ path: path.join(outDir, `fail-${scenarios.indexOf(s)}-${i}.png`) }).catch(() => {});
    }
  }
  for (const p of context.pages()) await p.close().catch(() => {});
}
await shared.stop(sharedFailed);
await close();
for (const f of figures) console.log(`figure: ${f}`);
console.log(`${passed} passed, ${failedCount} failed, ${skipped} skipped`);
process.exit(failedCount ? 1 : 0);
