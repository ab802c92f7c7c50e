#!/usr/bin/env node
// Browser end-to-end tests of the OvenSpace page: headless Debian Chromium
// driven by playwright-core, against the real `ovenspace-room` binary (and,
// once they exist, the real `ovenspace-gateway` and `ovenspace-ome-standin`),
// all on 127.0.0.1 with ports picked by the OS.
//
// node tests/web/e2e.mjs --room-bin PATH [--gateway-bin PATH]
//   [--standin-bin PATH] [--out-dir DIR] [--chromium PATH] [--only NAME]
//   [--require-gateway 1]
//
// Scenarios that need the gateway and the OME stand-in are skipped (with the
// reason printed) while those binaries are not given or do not exist, and
// while the room service gets no playback endpoints from the gateway;
// --require-gateway turns the latter into a failure.
//
// Prints one line per scenario and ends with "N passed, N failed, N skipped".
//
// Longer than 500 lines: the runner (services, browser, environment) and the
// scenarios of the first page; newer scenarios live in scenarios_*.mjs and
// the shared helpers in helpers.mjs.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import {
  assert, assertEqual, encoderFields, freePort, ScriptedRoom, seat, seatKind, sleep, viewerNumber, waitFor, waitKind,
  watchCsp,
} from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const webDir = path.join(repo, 'web');

const args = parseArgs(process.argv.slice(2));
const outDir = path.resolve(args['out-dir'] || path.join(tmpdir(), 'ovenspace-web-e2e'));
const chromiumPath = args.chromium || '/usr/bin/chromium';
const SCENARIO_MS = 60000;

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unknown argument ${argv[i]}`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  return out;
}

const { chromium } = await import(path.join(webDir, 'node_modules', 'playwright-core', 'index.mjs'));

// ---------------------------------------------------------------- helpers

// A child process whose output is kept for failure reports.
class Proc {
  constructor(name, bin, argv) {
    this.name = name;
    this.log = '';
    this.child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.child.stdout.on('data', (d) => (this.log += d));
    this.child.stderr.on('data', (d) => (this.log += d));
  }
  async stop(signal = 'SIGTERM') {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

async function httpOk(url) {
  const res = await fetch(url);
  return res.ok;
}

// ------------------------------------------------------------- environment

const distDir = path.join(outDir, 'dist');
const workDir = mkdtempSync(path.join(tmpdir(), 'ovs-e2e-'));

// The test build: the production bundle plus `window.ovenspace` (test hooks).
function buildWeb() {
  execFileSync(process.execPath, [path.join(webDir, 'build.mjs'), '--outdir', distDir, '--test-hooks'], { stdio: 'inherit' });
}

// The room service's moderator secret in these tests (never in the page).
export const MODERATOR_SECRET = 'e2e-moderator-secret-0123456789';

const ROOMS = [
  { id: 'main', title: 'OvenSpace E2E', seats: 9 },
  { id: 'small', title: 'Small room', seats: 4 },
];

// The room service with a generated config; `gateway` is the link port (an
// unused one when no gateway runs).
async function startRoom({ port, gatewayLinkPort, ome = {} }) {
  const cfgPath = path.join(workDir, `room-${port}.yaml`);
  const yaml = `mode: webhook
ome:
  host: 127.0.0.1
  api: { port: ${ome.apiPort || 8081}, access_token: e2e-api-token }
  rtmp_port: ${ome.rtmpPort || 1935}
  srt_port: ${ome.srtPort || 9999}
  webrtc_provider: { tls: false, port: ${ome.webrtcPort || 3333} }
  webrtc_publisher: { tls: false, port: ${ome.webrtcPort || 3333} }
  llhls: { tls: false, port: ${ome.webrtcPort || 3333} }
  webhook_secret: e2e-webhook-secret
room:
  listen: { address: 127.0.0.1, port: ${port} }
  metrics: { address: 127.0.0.1, port: 0 }
  web_root: ${JSON.stringify(distDir)}
  gateway: { address: 127.0.0.1, port: ${gatewayLinkPort} }
  disconnect_grace_ms: 3000
  presence_interval_ms: 100
  moderator_secret: ${MODERATOR_SECRET}
gateway:
  http: { address: 127.0.0.1, port: ${ome.gatewayHttpPort || 9595} }
  link: { address: 127.0.0.1, port: ${gatewayLinkPort} }
  metrics: { address: 127.0.0.1, port: 0 }
  poll_interval_ms: 300
link:
  secret: e2e-link-secret-0123456789
  reconnect_min_ms: 100
  reconnect_max_ms: 500
rooms:
${ROOMS.map((r) => `  - { id: ${r.id}, title: ${JSON.stringify(r.title)}, seats: ${r.seats}, stream_prefix: ${r.id === 'main' ? 'stream' : r.id + '-'} }`).join('\n')}
`;
  writeFileSync(cfgPath, yaml);
  const proc = new Proc('room', args['room-bin'], ['--config', cfgPath]);
  proc.configPath = cfgPath;
  const base = `http://127.0.0.1:${port}`;
  await waitFor('room service /healthz', async () => {
    if (proc.child.exitCode !== null) throw new Error(`room service exited: ${proc.log}`);
    return httpOk(`${base}/healthz`);
  }, 15000);
  return { proc, base, port };
}

let browser;
async function launchBrowser() {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'ovs-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // two fake cameras, so switching cameras can be tested
      '--use-fake-device-for-media-stream=device-count=2', '--use-fake-ui-for-media-stream',
    ],
  });
  context.userDataDir = userDataDir;
  return context;
}

// A page with its console errors collected.
async function openPage(context, url) {
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => page.consoleErrors.push(`pageerror: ${err.message}`));
  await page.goto(url);
  if (!url.endsWith('/')) {
    await page.waitForFunction(() => window.ovenspace && window.ovenspace.status() === 'open', null, { timeout: 10000 });
  }
  return page;
}

async function shot(page, name) {
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
}

// -------------------------------------------------------------- scenarios

const scenarios = [];
const scenario = (name, needs, fn) => scenarios.push({ name, needs, fn });

scenario('page loads with seats from the config and no console errors', ['room'], async (env) => {
  const page = await openPage(env.context, `${env.room.base}/r/main`);
  assertEqual(await page.locator('.seat').count(), 9, 'seat count of room main');
  assertEqual(await page.locator('#room-title').textContent(), 'OvenSpace E2E', 'title');
  for (let i = 0; i < 9; i++) assertEqual(await seatKind(page, i), 'free', `seat ${i + 1}`);
  assert(await page.locator('.seat[data-seat="0"] .participate').isVisible(), 'Participate visible');
  await waitFor('viewer count 1', async () => (await viewerNumber(page)) === 1);
  assert(await page.locator('#about-button').isVisible(), 'About button');
  await page.locator('#about-button').click();
  assert(await page.locator('#about-dialog').isVisible(), 'About dialog opens');
  await page.keyboard.press('Escape');
  assert(await page.locator('a[href*="OvenSpace"]').count() === 1, 'project link');
  // Layout: 3 columns on a desktop viewport, one on a phone.
  const xs = await page.$$eval('.seat', (els) => els.slice(0, 3).map((e) => Math.round(e.getBoundingClientRect().top)));
  assert(xs[0] === xs[1] && xs[1] === xs[2], 'first three seats share a row on desktop');
  await shot(page, 'main-page');
  await page.setViewportSize({ width: 390, height: 844 });
  const w = await page.$eval('.seat', (e) => e.getBoundingClientRect().width);
  assert(w > 300 && w <= 390, `seat fills a phone width (${w})`);
  await shot(page, 'main-page-phone');
  assertEqual(page.consoleErrors, [], 'console errors');
  await page.close();
});

scenario('the page runs under a strict Content-Security-Policy, and a violation is caught', ['room'], async (env) => {
  const res = await fetch(`${env.room.base}/r/main`);
  const policy = res.headers.get('content-security-policy') || '';
  const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assertEqual(directives['script-src'], ["'self'"], 'script-src: our bundle only');
  assertEqual(directives['object-src'], ["'none'"], 'object-src');
  assertEqual(directives['base-uri'], ["'none'"], 'base-uri');
  assertEqual(directives['frame-ancestors'], ["'none'"], 'frame-ancestors');
  assertEqual(directives['default-src'], ["'none'"], 'default-src');
  const ome = env.ome.webrtcPort;
  assertEqual(directives['connect-src'], ["'self'", `http://127.0.0.1:${ome}`, `ws://127.0.0.1:${ome}`],
    'connect-src: the page, and the OME origins of the room config (no gateway here)');
  assertEqual(res.headers.get('x-frame-options'), 'DENY', 'X-Frame-Options');
  for (const target of ['/r/main', '/api/rooms', '/healthz', '/assets/none.js']) {
    const r = await fetch(`${env.room.base}${target}`);
    assertEqual([r.headers.get('x-content-type-options'), r.headers.get('referrer-policy')], ['nosniff', 'no-referrer'], `${target}: nosniff, Referrer-Policy`);
  }
  assertEqual((await fetch(`${env.room.base}/api/rooms`)).headers.get('content-security-policy'), null, 'no page policy on JSON');

  // The policy is enforced and the runner sees a breach: an inline script
  // and a socket to a host the room does not know are both refused.
  const page = await openPage(env.context, `${env.room.base}/r/main`);
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true';
    document.body.appendChild(s);
    try { new WebSocket('ws://127.0.0.1:9/elsewhere'); } catch { /* refused */ }
  });
  const caught = [];
  await waitFor('both violations reported by the page', () => {
    caught.push(...env.csp.take());
    const about = (re) => caught.some((x) => re.test(x.directive || ''));
    const logged = caught.some((x) => /Content Security Policy/.test(x.console || ''));
    return about(/script-src/) && about(/connect-src/) && logged;
  }, 5000);
  await sleep(500);
  env.csp.take(); // the console's copies of the same two
  assert(!(await page.evaluate(() => window.inlineRan === true)), 'the inline script did not run');
  assert(caught.some((x) => (x.blocked || x.console || '').includes('127.0.0.1:9')), 'the refused socket is named');
  await page.close();
});

scenario('room picker lists the rooms; /r/<id> opens one', ['room'], async (env) => {
  const page = await openPage(env.context, `${env.room.base}/`);
  await page.locator('#room-picker').waitFor({ state: 'visible', timeout: 10000 });
  const links = await page.$$eval('#room-list a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
  assertEqual(links, [['/r/main', 'OvenSpace E2E'], ['/r/small', 'Small room']], 'room links');
  await page.locator('#room-list a[href="/r/small"]').click();
  await page.waitForFunction(() => window.ovenspace && window.ovenspace.status() === 'open');
  assertEqual(await page.locator('.seat').count(), 4, 'seat count of room small');
  assert(await page.locator('#rooms-link').isVisible(), 'link back to the rooms');
  assertEqual(page.consoleErrors, [], 'console errors');
  await page.close();
});

scenario('claim opens the share dialog with the fake camera; Cancel releases everything', ['room'], async (env) => {
  const a = await openPage(env.context, `${env.room.base}/r/main`);
  const b = await openPage(env.context, `${env.room.base}/r/main`);
  await waitFor('2 viewers on both pages', async () => (await viewerNumber(a)) === 2 && (await viewerNumber(b)) === 2);
  await seat(a, 2).locator('.participate').click();
  await a.locator('#share-dialog').waitFor({ state: 'visible' });
  await waitKind(b, 2, 'joining');
  await waitKind(a, 2, 'mine');
  const size = await waitFor('camera preview frames', () => a.$eval('#camera-preview', (v) => v.videoWidth > 0 && [v.videoWidth, v.videoHeight]));
  assert(size[0] > 0 && size[1] > 0, 'preview has a size');
  const cams = await a.$$eval('#camera-select option', (os) => os.length);
  const mics = await a.$$eval('#mic-select option', (os) => os.length);
  assert(cams >= 1 && mics >= 1, `device pickers filled (${cams} cameras, ${mics} microphones)`);
  // Changing the resolution re-acquires the camera.
  await a.selectOption('#resolution-select', '640x360');
  await waitFor('re-acquired at 640x360', () => a.$eval('#camera-preview', (v) => v.videoWidth === 640 && v.videoHeight === 360));
  assertEqual(await a.evaluate(() => window.ovenspace.media()), { publishers: 1, liveTracks: 2 }, 'one capture open');
  // Share screen: the camera is let go before the screen is captured.
  assert(await a.locator('.tab[data-mode="screen"]').isVisible(), 'Share screen offered where getDisplayMedia exists');
  await a.locator('.tab[data-mode="screen"]').click();
  assertEqual(await a.evaluate(() => window.ovenspace.media()), { publishers: 0, liveTracks: 0 }, 'camera released on mode switch');
  await a.locator('#screen-pick').click();
  await waitFor('screen preview frames', () => a.$eval('#screen-preview', (v) => v.videoWidth > 0));
  assert((await a.evaluate(() => window.ovenspace.media())).publishers === 1, 'one screen capture open');
  await a.locator('.tab[data-mode="camera"]').click();
  await waitFor('camera back', () => a.$eval('#camera-preview', (v) => v.videoWidth > 0));
  assertEqual(await a.evaluate(() => window.ovenspace.media()), { publishers: 1, liveTracks: 2 }, 'only the camera open again');
  // Without a gateway there are no publish URLs: Start is disabled and says why.
  if (!env.gateway) {
    assert(await a.locator('#share-start').isDisabled(), 'Start sharing disabled without publish URLs');
    assert(/has not told us where to publish|unreachable right now/.test(await a.locator('#share-note').textContent()), 'the reason is shown');
  }
  await shot(a, 'share-dialog');
  await a.locator('#share-cancel').click();
  await waitKind(a, 2, 'free');
  await waitKind(b, 2, 'free');
  assertEqual(await a.evaluate(() => window.ovenspace.media()), { publishers: 0, liveTracks: 0 }, 'nothing held after Cancel');
  assertEqual(await a.evaluate(() => window.ovenspace.claim()), null, 'no claim after Cancel');
  assertEqual(await a.evaluate(() => sessionStorage.length), 0, 'no saved token after Cancel');
  assertEqual([...a.consoleErrors, ...b.consoleErrors], [], 'console errors');
  await a.close();
  await b.close();
});

scenario('a lost claim race shows a clear message', ['room'], async (env) => {
  const a = await openPage(env.context, `${env.room.base}/r/main`);
  const b = await openPage(env.context, `${env.room.base}/r/main`);
  const click = (p) => p.evaluate(() => document.querySelector('.seat[data-seat="4"] .participate').click());
  await Promise.all([click(a), click(b)]);
  const won = async (p) => (await p.evaluate(() => window.ovenspace.claim())) !== null;
  await waitFor('one winner', async () => (await won(a)) !== (await won(b)));
  const loser = (await won(a)) ? b : a;
  const winner = loser === a ? b : a;
  await waitFor('loser message', async () => /Someone else just took seat 5/.test(await loser.locator('#toast').textContent()));
  assert(await loser.locator('#toast').isVisible(), 'message visible');
  await waitKind(loser, 4, 'joining');
  assert(!(await loser.locator('#share-dialog').isVisible()), 'the loser gets no dialog');
  await winner.locator('#share-cancel').click();
  await waitKind(loser, 4, 'free');
  await a.close();
  await b.close();
});

scenario('a dropped socket resumes the seat with the saved token', ['room'], async (env) => {
  const a = await openPage(env.context, `${env.room.base}/r/main`);
  const b = await openPage(env.context, `${env.room.base}/r/main`);
  await seat(a, 1).locator('.participate').click();
  await a.locator('#share-dialog').waitFor({ state: 'visible' });
  await waitKind(b, 1, 'joining');
  const opened = [];
  a.on('websocket', (ws) => opened.push(ws.url()));
  await a.evaluate(() => window.ovenspace.dropConnection());
  await waitFor('a new room socket', () => opened.some((u) => u.includes('/ws?room=main')));
  await a.waitForFunction(() => window.ovenspace.status() === 'open');
  await waitFor('resume answered', () => a.evaluate(() => window.ovenspace.lastResume() !== null));
  assertEqual(await a.evaluate(() => window.ovenspace.lastResume()), { seat: 1, ok: true }, 'resume reply');
  assert(await a.locator('#share-dialog').isVisible(), 'dialog still open');
  await waitKind(a, 1, 'mine');
  // Without the resume the old connection's grace (3 s here) would free it.
  await sleep(3500);
  assertEqual(await seatKind(b, 1), 'joining', 'seat kept past the disconnect grace');
  const cancelled = Date.now();
  await a.locator('#share-cancel').click();
  await waitKind(b, 1, 'free', 2000);
  assert(Date.now() - cancelled < 2000, 'release by the resumed holder frees the seat at once');
  await a.close();
  await b.close();
});

scenario('the page reconnects and resyncs after the room service restarts', ['room'], async (env) => {
  const a = await openPage(env.context, `${env.room.base}/r/main`);
  await env.room.proc.stop('SIGKILL');
  await waitFor('reconnecting banner', async () => /Reconnecting/.test((await a.locator('#banner').textContent()) || ''));
  env.room = await startRoom(env.roomOptions);
  await a.waitForFunction(() => window.ovenspace.status() === 'open', null, { timeout: 20000 });
  assertEqual(await a.locator('.seat').count(), 9, 'seats after resync');
  await waitFor('banner cleared of the outage', async () => !/Reconnecting/.test((await a.locator('#banner').textContent()) || ''));
  const b = await openPage(env.context, `${env.room.base}/r/main`);
  await waitFor('viewer counts match after restart', async () => (await viewerNumber(a)) === 2 && (await viewerNumber(b)) === 2);
  await a.close();
  await b.close();
});

scenario('live seats play with OvenPlayer (scripted room frames); deltas, gaps and media frames', ['room'], async (env) => {
  // The room socket is answered by the test itself, so seats can be live
  // without a media server; the page is still served by the room service.
  // The OME port the room's config names (its CSP lets the page dial it);
  // nothing listens there: players fail and retry.
  const deadPort = env.ome.webrtcPort;
  const sockets = [];
  const context = env.context;
  const page = await context.newPage();
  page.consoleErrors = [];
  await page.routeWebSocket(/\/ws\?room=main(&viewer=[a-z0-9]+)?$/, (ws) => {
    sockets.push(ws);
    ws.send(JSON.stringify({
      type: 'snapshot', seq: 100,
      room: { id: 'main', title: 'Scripted', seat_count: 4 }, viewers: 7,
      seats: [
        { index: 0, stream: 'stream0', state: 'live', mine: false, source: 'WebRTC', video: { codec: 'H264', width: 1280, height: 720 } },
        { index: 1, stream: 'stream1', state: 'reserved', mine: false },
        { index: 2, stream: 'stream2', state: 'live', mine: false, source: 'SRT' },
        { index: 3, stream: 'stream3', state: 'free', mine: false },
      ],
      media: { reachable: true, stale: false, version: '0.20.0' },
      playback: { webrtc: `ws://127.0.0.1:${deadPort}/app/{stream}`, llhls: `http://127.0.0.1:${deadPort}/app/{stream}/llhls.m3u8` },
    }));
  });
  await page.goto(`${env.room.base}/r/main`);
  await page.waitForFunction(() => window.ovenspace && window.ovenspace.status() === 'open');
  assertEqual(await viewerNumber(page), 7, 'viewer count from the snapshot');
  assertEqual(await Promise.all([0, 1, 2, 3].map((i) => seatKind(page, i))), ['live', 'joining', 'live', 'free'], 'seat kinds');
  const players = await page.evaluate(() => window.ovenspace.players());
  assertEqual(players.map((p) => p.seat), [0, 2], 'players for the live seats');
  // What the first player was given is known once OvenPlayer has loaded and
  // made it, which a loaded machine may not have done yet: read it as soon
  // as it is there, before a retry can replace that player.
  await page.waitForFunction(() => window.ovenspace.players()[0].given.length > 0, null, { polling: 10 });
  const first = (await page.evaluate(() => window.ovenspace.players()))[0];
  assertEqual(players[0].sources.map((x) => [x.type, x.file]), [
    ['webrtc', `ws://127.0.0.1:${deadPort}/app/stream0`],
    ['llhls', `http://127.0.0.1:${deadPort}/app/stream0/llhls.m3u8`],
  ], 'seat 1 sources');
  // The dead port fails the player, which is removed at once (no error
  // overlay) and replaced after a short delay: it is there most of the time.
  await waitFor('OvenPlayer rendered in seat 1', async () => (await seat(page, 0).locator('.ovenplayer, .op-wrapper').count()) > 0);
  // hls.js only when LL-HLS is really used: the first player gets WebRTC
  // alone (a retry after the dead port fails may load it as the fallback,
  // 250 ms later).
  assertEqual(first.given, ['webrtc'], 'the first player: WebRTC only, hls.js not loaded for it');
  assertEqual(await seat(page, 0).locator('.badge.source').textContent(), 'WebRTC', 'source badge');
  assertEqual(await seat(page, 0).locator('.badge.resolution').textContent(), '1280x720', 'resolution badge');
  assertEqual(await seat(page, 2).locator('.badge.source').textContent(), 'SRT', 'source badge of seat 3');
  assert(!(await seat(page, 2).locator('.badge.resolution').isVisible()), 'no resolution when unknown');
  await shot(page, 'main-page-live-scripted');
  await page.selectOption('.seat[data-seat="0"] .protocol', 'llhls');
  await waitFor('LL-HLS first', async () => (await page.evaluate(() => window.ovenspace.players()))[0].sources[0].type === 'llhls');
  await waitFor('hls.js loaded once LL-HLS is picked', () => page.evaluate(() => typeof window.Hls === 'function'));
  await waitFor('LL-HLS given to OvenPlayer', async () => (await page.evaluate(() => window.ovenspace.players()))[0].given[0] === 'llhls');
  const ws = sockets[0];
  ws.send(JSON.stringify({ type: 'seat', seq: 101, seat: { index: 0, stream: 'stream0', state: 'free', mine: false } }));
  await waitKind(page, 0, 'free');
  assertEqual((await page.evaluate(() => window.ovenspace.players())).map((p) => p.seat), [2], 'player of a freed seat removed');
  assertEqual(await seat(page, 0).locator('.player-box').count(), 0, 'its element is gone too');
  ws.send(JSON.stringify({ type: 'viewers', seq: 102, count: 9 }));
  await waitFor('viewers delta', async () => (await viewerNumber(page)) === 9);
  ws.send(JSON.stringify({ type: 'media', media: { reachable: false, stale: true, version: '0.20.0' } }));
  await waitFor('unreachable banner', async () => /media server is unreachable/.test(await page.locator('#banner').textContent()));
  // A gap: the page drops the socket and comes back for a fresh snapshot.
  ws.send(JSON.stringify({ type: 'viewers', seq: 110, count: 50 }));
  await waitFor('a second socket after the gap', () => sockets.length === 2);
  await page.waitForFunction(() => window.ovenspace.status() === 'open');
  assertEqual(await viewerNumber(page), 7, 'state from the new snapshot, not the gapped delta');
  assertEqual((await page.evaluate(() => window.ovenspace.players())).map((p) => p.seat), [0, 2], 'players back from the snapshot');
  await page.close();
  await waitFor('players released with the page', async () => true);
});

scenario('broadcaster flow (scripted room): Start sharing, preview on the seat, Leave; encoder mode; refusals', ['room'], async (env) => {
  const publishPort = env.ome.webrtcPort; // the room's OME port, answered by the test
  const room = new ScriptedRoom({ publishPort });
  const page = await env.context.newPage();
  await room.attach(page);
  // The media server's WebRTC signalling socket: opened by OvenLiveKit, kept
  // silent by the test (there is no media server).
  const signalling = [];
  await page.routeWebSocket((url) => url.port === String(publishPort), (ws) => {
    const entry = { url: ws.url(), messages: [], ws };
    ws.onMessage((text) => entry.messages.push(JSON.parse(text)));
    signalling.push(entry);
  });
  await page.goto(`${env.room.base}/r/main`);
  await page.waitForFunction(() => window.ovenspace && window.ovenspace.status() === 'open');

  // A refused claim: readable message, no dialog.
  room.refuseNextClaim = { code: 'seat_taken', message: 'Seat 1 is taken' };
  await seat(page, 0).locator('.participate').click();
  await waitFor('refusal message', async () => /Someone else just took seat 1/.test(await page.locator('#toast').textContent()));
  assert(!(await page.locator('#share-dialog').isVisible()), 'no dialog after a refusal');

  // WebCam: Start sharing dials the claim's WebRTC URL with the token.
  await seat(page, 1).locator('.participate').click();
  await page.locator('#share-dialog').waitFor({ state: 'visible' });
  await waitFor('camera preview', () => page.$eval('#camera-preview', (v) => v.videoWidth > 0));
  const claim = await page.evaluate(() => window.ovenspace.claim());
  assert(/token=tok1x/.test(claim.publish.webrtc), 'publish URL from the claim reply');
  await page.locator('#share-start').click();
  await waitFor('OvenLiveKit signalling socket', () => signalling.length === 1);
  assertEqual(signalling[0].url, claim.publish.webrtc, 'OvenLiveKit dials the seat publish URL');
  await waitFor('request_offer sent', () => signalling[0].messages.some((m) => m.command === 'request_offer'));
  await page.locator('#share-dialog').waitFor({ state: 'hidden' });
  await waitFor('local preview on the seat', () => seat(page, 1).locator('.local-preview').evaluate((v) => !v.hidden && v.videoWidth > 0));
  assert(await seat(page, 1).locator('.leave').isVisible(), 'Leave on our seat');
  assertEqual(await page.evaluate(() => window.ovenspace.players()), [], 'no player on our own seat');
  await shot(page, 'broadcaster-preview');
  await seat(page, 1).locator('.leave').click();
  await waitKind(page, 1, 'free');
  assert(room.commands.some((c) => c.type === 'release' && c.seat === 1), 'Leave sends release');
  assertEqual(await page.evaluate(() => window.ovenspace.media()), { publishers: 0, liveTracks: 0 }, 'nothing held after Leave');

  // The media server drops the publisher: the seat is kept and the share
  // dialog comes back saying what happened and what to do.
  await seat(page, 2).locator('.participate').click();
  await waitFor('camera preview', () => page.$eval('#camera-preview', (v) => v.videoWidth > 0));
  await page.locator('#share-start').click();
  await waitFor('second signalling socket', () => signalling.length === 2);
  await signalling[1].ws.close();
  await page.locator('#share-dialog').waitFor({ state: 'visible' });
  await waitFor('drop message', async () => /Could not connect to the media server at 127\.0\.0\.1:\d+.*still yours/.test(await page.locator('#share-error').textContent()));
  assertEqual(await seatKind(page, 2), 'mine', 'the seat is kept');
  assert(!room.commands.some((c) => c.type === 'release' && c.seat === 2), 'no release sent');
  await waitFor('camera back in the dialog', () => page.$eval('#camera-preview', (v) => v.videoWidth > 0));
  await page.locator('#share-cancel').click();
  await waitKind(page, 2, 'free');
  assertEqual(await page.evaluate(() => window.ovenspace.media()), { publishers: 0, liveTracks: 0 }, 'nothing held after the drop and Cancel');

  // Live Encoder: URLs with copy buttons, waiting, then connected and closed.
  await seat(page, 3).locator('.participate').click();
  await page.locator('#share-dialog').waitFor({ state: 'visible' });
  await page.locator('.tab[data-mode="encoder"]').click();
  const c3 = await page.evaluate(() => window.ovenspace.claim());
  const text = (id) => page.locator(`#${id}`).textContent();
  const enc = encoderFields(page, '#share-encoder');
  assertEqual(await enc.value('rtmp-server'), c3.publish.rtmp.server, 'RTMP server');
  assertEqual(await enc.value('rtmp-key'), c3.publish.rtmp.key, 'stream key');
  assertEqual(await enc.value('srt'), c3.publish.srt, 'SRT URL');
  assertEqual(await enc.value('whip'), c3.publish.whip, 'WHIP URL');
  assertEqual(await page.locator('#share-encoder .copy').count(), 4, 'copy buttons');
  assertEqual(await page.evaluate(() => window.ovenspace.media()), { publishers: 0, liveTracks: 0 }, 'encoder mode holds no camera');
  assertEqual(await text('encoder-status'), 'Waiting for input…', 'waiting');
  await shot(page, 'share-dialog-encoder');
  room.setSeat(3, { state: 'live', mine: true, source: 'RTMP', video: { codec: 'H264', width: 640, height: 360 } });
  await waitFor('connected', async () => /Connected/.test(await text('encoder-status')));
  await page.locator('#share-dialog').waitFor({ state: 'hidden', timeout: 5000 });
  await waitKind(page, 3, 'mine');
  assert(await seat(page, 3).locator('.leave').isVisible(), 'Leave on the encoder seat');
  assertEqual((await page.evaluate(() => window.ovenspace.players())).map((p) => p.seat), [3], 'encoder seat plays for its owner');
  await seat(page, 3).locator('.leave').click();
  await waitKind(page, 3, 'free');
  assertEqual(await page.evaluate(() => window.ovenspace.players()), [], 'player released after Leave');
  assertEqual(await page.evaluate(() => sessionStorage.length), 0, 'no saved token');
  await page.close();
});

// ---- with the gateway and the OME stand-in

// Thrown when a scenario's precondition is missing rather than broken.
class NotReady extends Error {}

// The room service knows the playback endpoints once its link to the
// gateway is up. While the room service has no gateway link yet, these
// scenarios are skipped with the reason; --require-gateway makes it a failure.
async function waitForPlayback(page) {
  try {
    await page.waitForFunction(() => window.ovenspace.state().playback !== null, null, { timeout: 15000 });
  } catch (e) {
    throw new NotReady('the room service did not get playback endpoints from the gateway within 15 s (room <-> gateway link not there yet?)');
  }
}

scenario('Live Encoder shows the seat\'s RTMP, SRT and WHIP URLs', ['room', 'gateway', 'standin'], async (env) => {
  const a = await openPage(env.context, `${env.room.base}/r/main`);
  await waitForPlayback(a);
  await seat(a, 3).locator('.participate').click();
  await a.locator('#share-dialog').waitFor({ state: 'visible' });
  const claim = await a.evaluate(() => window.ovenspace.claim());
  assert(claim.publish, 'claim reply carries publish URLs');
  await a.locator('.tab[data-mode="encoder"]').click();
  const enc = encoderFields(a, '#share-encoder');
  assertEqual(await enc.value('rtmp-server'), `rtmp://127.0.0.1:${env.ome.rtmpPort}/app`, 'RTMP server');
  assert(/^stream3\?token=[^&]+$/.test(await enc.value('rtmp-key')), 'RTMP key carries the token');
  assertEqual(await enc.value('rtmp-key'), claim.publish.rtmp.key, 'RTMP key from the claim');
  assert((await enc.value('srt')).startsWith(`srt://127.0.0.1:${env.ome.srtPort}?streamid=`), 'SRT URL');
  assert((await enc.value('whip')).startsWith(`http://127.0.0.1:${env.ome.webrtcPort}/app/stream3?direction=whip`), 'WHIP URL');
  assert(!(await enc.shown('rtmp-key')).includes(claim.publish.rtmp.key.split('token=')[1]), 'the key is hidden until asked for');
  assert(await a.locator('#encoder-status').textContent() === 'Waiting for input…', 'waiting state');
  await shot(a, 'share-dialog-encoder');
  await a.locator('#share-cancel').click();
  await a.close();
});

scenario('Start sharing dials the seat\'s WebRTC publish URL with the token', ['room', 'gateway', 'standin'], async (env) => {
  const a = await openPage(env.context, `${env.room.base}/r/main`);
  await waitForPlayback(a);
  await seat(a, 5).locator('.participate').click();
  await waitFor('camera preview', () => a.$eval('#camera-preview', (v) => v.videoWidth > 0));
  const claim = await a.evaluate(() => window.ovenspace.claim());
  const dialed = [];
  a.on('websocket', (ws) => dialed.push(ws.url()));
  await a.locator('#share-start').click();
  await waitFor('OvenLiveKit socket', () => dialed.includes(claim.publish.webrtc));
  assert(/direction=send/.test(claim.publish.webrtc) && /token=/.test(claim.publish.webrtc), 'URL has direction and token');
  // The stand-in does not speak WebRTC signalling: the page gives up
  // cleanly, keeps the seat, says what happened and holds no stale media.
  await a.locator('#share-dialog').waitFor({ state: 'visible', timeout: 15000 });
  await waitFor('failure explained', async () => /media server/.test(await a.locator('#share-error').textContent()), 15000);
  assertEqual(await seatKind(a, 5), 'mine', 'the seat is kept after the failure');
  await a.locator('#share-cancel').click();
  await waitKind(a, 5, 'free');
  assertEqual(await a.evaluate(() => window.ovenspace.media()), { publishers: 0, liveTracks: 0 }, 'nothing held after the failure');
  await a.close();
});

scenario('a published seat plays on other pages; unpublish removes the player', ['room', 'gateway', 'standin'], async (env) => {
  const a = await openPage(env.context, `${env.room.base}/r/main`);
  const b = await openPage(env.context, `${env.room.base}/r/main`);
  await waitForPlayback(a);
  await seat(a, 6).locator('.participate').click();
  await a.locator('#share-dialog').waitFor({ state: 'visible' });
  await a.locator('.tab[data-mode="encoder"]').click();
  const claim = await a.evaluate(() => window.ovenspace.claim());
  await env.standin.publish({ protocol: 'rtmp', stream: claim.stream, query: claim.publish.rtmp.key.split('?')[1] });
  await waitKind(b, 6, 'live', 15000);
  await waitFor('encoder dialog connected', async () => /Connected/.test(await a.locator('#encoder-status').textContent()));
  await a.locator('#share-dialog').waitFor({ state: 'hidden', timeout: 5000 });
  const players = await waitFor('player on page b', async () => {
    const list = await b.evaluate(() => window.ovenspace.players());
    return list.find((p) => p.seat === 6) && list;
  });
  const sources = players.find((p) => p.seat === 6).sources;
  assertEqual(sources.map((s) => s.type), ['webrtc', 'llhls'], 'WebRTC first, LL-HLS second');
  assertEqual(sources[0].file, `ws://127.0.0.1:${env.ome.webrtcPort}/app/${claim.stream}`, 'WebRTC URL');
  assertEqual(sources[1].file, `http://127.0.0.1:${env.ome.webrtcPort}/app/${claim.stream}/llhls.m3u8`, 'LL-HLS URL');
  assertEqual(await seat(b, 6).locator('.badge.source').textContent(), 'RTMP', 'source badge');
  await b.selectOption('.seat[data-seat="6"] .protocol', 'llhls');
  await waitFor('LL-HLS first after the switch', async () =>
    (await b.evaluate(() => window.ovenspace.players())).find((p) => p.seat === 6)?.sources[0].type === 'llhls');
  await shot(b, 'main-page-live');
  await env.standin.unpublish({ stream: claim.stream });
  await waitFor('player removed', async () => !(await b.evaluate(() => window.ovenspace.players())).some((p) => p.seat === 6), 15000);
  await waitFor('viewer counts match', async () => (await viewerNumber(a)) === (await viewerNumber(b)));
  await a.close();
  await b.close();
});

// --------------------------------------------------------------- the run

// The OME stand-in's test-control API (not part of OME). Kept in one place so
// it follows the stand-in's interface as that settles.
function standinControl(base) {
  const post = async (p, body) => {
    const res = await fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`stand-in ${p}: HTTP ${res.status} ${await res.text()}`);
    return res.json().catch(() => ({}));
  };
  return {
    publish: async ({ protocol, stream, query }) => {
      const outcome = await post('/control/publish', { protocol, stream, query });
      if (outcome.admitted === false) throw new Error(`stand-in publish of ${stream} refused: ${outcome.reason}`);
      return outcome;
    },
    unpublish: ({ stream }) => post('/control/unpublish', { stream }),
    play: ({ stream, protocol = 'webrtc' }) => post('/control/play', { stream, protocol }),
    streams: async () => (await fetch(`${base}/control/streams`)).json(),
  };
}

// The scenarios of issue 13 live in their own files (this one would pass
// 500 lines); they share the helpers above through this context.
{
  const ctx = { openPage, shot, webDir, outDir, NotReady, waitForPlayback, moderatorSecret: MODERATOR_SECRET };
  for (const file of ['./scenarios_page.mjs', './scenarios_broadcast.mjs', './scenarios_moderation.mjs']) {
    if (existsSync(path.join(here, file))) (await import(file)).register(scenario, ctx);
  }
}

async function main() {
  if (!args['room-bin']) throw new Error('--room-bin is required');
  mkdirSync(outDir, { recursive: true });
  buildWeb();
  const have = {
    room: existsSync(args['room-bin']),
    gateway: Boolean(args['gateway-bin']) && existsSync(args['gateway-bin']),
    standin: Boolean(args['standin-bin']) && existsSync(args['standin-bin']),
  };
  if (!have.room) throw new Error(`room service binary not found: ${args['room-bin']}`);

  const results = { passed: 0, failed: 0, skipped: 0 };
  browser = await launchBrowser();
  // Every scenario runs under the page's Content-Security-Policy; any
  // violation it causes fails it.
  const csp = await watchCsp(browser);
  try {
    for (const sc of scenarios) {
      if (args.only && !sc.name.includes(args.only)) continue;
      const missing = sc.needs.filter((n) => !have[n]);
      if (missing.length) {
        console.log(`SKIP ${sc.name} (${missing.map((m) => `${m} binary not built yet`).join(', ')})`);
        results.skipped++;
        continue;
      }
      const env = await startEnv(sc.needs);
      env.csp = csp;
      csp.take();
      const started = Date.now();
      try {
        await Promise.race([
          sc.fn(env),
          sleep(SCENARIO_MS).then(() => { throw new Error(`scenario took over ${SCENARIO_MS} ms`); }),
        ]);
        const violations = csp.take();
        if (violations.length) throw new Error(`Content-Security-Policy violations: ${JSON.stringify(violations, null, 1)}`);
        console.log(`PASS ${sc.name} (${Date.now() - started} ms)`);
        results.passed++;
      } catch (e) {
        if (e instanceof NotReady && !('require-gateway' in args)) {
          console.log(`SKIP ${sc.name} (${e.message})`);
          results.skipped++;
          continue;
        }
        console.log(`FAIL ${sc.name}: ${e.stack || e}`);
        for (const p of env.procs()) console.log(`--- ${p.name} log ---\n${p.log.slice(-4000)}`);
        results.failed++;
      } finally {
        for (const page of env.context.pages()) await page.close().catch(() => {});
        await stopEnv(env);
      }
    }
  } finally {
    await browser.close();
    rmSync(browser.userDataDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
  console.log(`${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
  return results.failed === 0 ? 0 : 1;
}

async function startEnv(needs) {
  const env = { context: browser, gateway: null, standin: null, extra: [] };
  const roomPort = await freePort();
  const linkPort = await freePort();
  const ome = {
    apiPort: await freePort(), rtmpPort: await freePort(), srtPort: await freePort(),
    webrtcPort: await freePort(), gatewayHttpPort: await freePort(), controlPort: await freePort(),
  };
  env.ome = ome;
  if (needs.includes('standin')) {
    // Flags as the stand-in is expected to take them; see standinControl.
    const p = new Proc('ome-standin', args['standin-bin'], [
      '--api-port', String(ome.apiPort), '--control-port', String(ome.controlPort),
      '--token', 'e2e-api-token', '--webhook-url', `http://127.0.0.1:${ome.gatewayHttpPort}/v1/admission`,
      '--webhook-secret', 'e2e-webhook-secret', '--rtmp-port', String(ome.rtmpPort), '--srt-port', String(ome.srtPort),
      '--webrtc-port', String(ome.webrtcPort), '--llhls-port', String(ome.webrtcPort),
    ]);
    env.extra.push(p);
    const control = `http://127.0.0.1:${ome.controlPort}`;
    await waitFor('OME stand-in control port', async () => {
      if (p.child.exitCode !== null) throw new Error(`stand-in exited: ${p.log}`);
      return httpOk(`${control}/control/health`);
    }, 15000);
    env.standin = standinControl(control);
  }
  env.roomOptions = { port: roomPort, gatewayLinkPort: linkPort, ome };
  env.room = await startRoom(env.roomOptions);
  if (needs.includes('gateway')) {
    const p = new Proc('gateway', args['gateway-bin'], ['--config', env.room.proc.configPath]);
    env.extra.push(p);
    env.gateway = p;
    await waitFor('gateway /healthz', async () => {
      if (p.child.exitCode !== null) throw new Error(`gateway exited: ${p.log}`);
      return httpOk(`http://127.0.0.1:${ome.gatewayHttpPort}/healthz`);
    }, 15000);
  }
  env.procs = () => [env.room.proc, ...env.extra];
  return env;
}

async function stopEnv(env) {
  for (const p of env.procs().reverse()) await p.stop();
}

process.exitCode = await main().catch((e) => {
  console.error(e.stack || String(e));
  return 1;
});
