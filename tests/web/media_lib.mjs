// What the real-media browser tests and the end-to-end benchmark share:
// starting an `ovenspace-test-cluster` (room service, gateway, real OME),
// the page's seats and dialog, counting presented video frames, ffmpeg and
// WHIP publishers. No test logic here.

import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { watchCsp } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
const webDir = path.join(repo, 'web');
const { chromium } = await import(path.join(webDir, 'node_modules', 'playwright-core', 'index.mjs'));

const settings = { clusterBin: null, distDir: null, chromiumPath: '/usr/bin/chromium' };
export let context = null;
const launched = []; // [{context, dir}]

// Chromium with a fake camera, microphone and screen, in a profile of its
// own; `extraArgs` e.g. the SPKI hashes of a test CA it should trust. Every
// page it opens is watched for Content-Security-Policy violations
// (takeCspViolations).
export async function launchChromium(extraArgs = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ovs-media-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: settings.chromiumPath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--auto-select-desktop-capture-source=Entire screen', '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
  launched.push({ ctx, dir, csp: await watchCsp(ctx) });
  return ctx;
}

// The CSP violations of every Chromium launched here since the last call.
export function takeCspViolations() {
  return launched.flatMap(({ csp }) => csp.take());
}

// The page's Content-Security-Policy as directive -> sources.
export function policyOf(page) {
  return Object.fromEntries((page.policy || '').split(';').map((d) => d.trim().split(/\s+/)).filter(([k]) => k)
    .map(([k, ...v]) => [k, v]));
}
export const originOf = (url) => new URL(url).origin;

// Builds the page into `distDir` and starts Chromium. Call once; `close()`
// at the end.
export async function setup({ clusterBin, distDir, chromiumPath = '/usr/bin/chromium' }) {
  settings.clusterBin = clusterBin;
  settings.distDir = distDir;
  settings.chromiumPath = chromiumPath;
  execFileSync(process.execPath, [path.join(webDir, 'build.mjs'), '--outdir', distDir, '--test-hooks'], { stdio: 'inherit' });
  context = await launchChromium();
  return context;
}

export async function close() {
  for (const { ctx, dir } of launched.splice(0)) {
    await ctx.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

// A throwaway CA and a certificate it signed for `localhost` and
// 127.0.0.1, in `dir`: ca.pem, cert.pem, key.pem, fullchain.pem (cert + CA).
// Returns the base64 SHA-256 hashes of both public keys (what Chromium's
// --ignore-certificate-errors-spki-list takes).
export function makeCertificates(dir) {
  const ssl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=OvenSpace test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', 'ca.key', '-out', 'ca.pem');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'key.pem', '-out', 'cert.csr');
  writeFileSync(path.join(dir, 'cert.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  ssl('x509', '-req', '-in', 'cert.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'cert.ext', '-out', 'cert.pem');
  writeFileSync(path.join(dir, 'fullchain.pem'),
    readFileSync(path.join(dir, 'cert.pem'), 'utf8') + readFileSync(path.join(dir, 'ca.pem'), 'utf8'));
  const spki = (pem) => {
    const pub = ssl('x509', '-in', pem, '-pubkey', '-noout');
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
    return createHash('sha256').update(der).digest('base64');
  };
  return [spki('ca.pem'), spki('cert.pem')];
}

// nginx in front of the room service as deploy/nginx/ovenspace.conf has it
// (HTTPS for the page, its API and its WebSocket), on 127.0.0.1:`port` with
// the certificates of makeCertificates(`dir`). Only the certificate, the
// name, the upstream and the listen address are changed.
export async function startNginx(dir, port, redirectPort, roomPort) {
  let conf = readFileSync(path.join(repo, 'deploy', 'nginx', 'ovenspace.conf'), 'utf8');
  const swap = (from, to) => {
    if (!conf.includes(from)) throw new Error(`deploy/nginx/ovenspace.conf no longer has "${from}"`);
    conf = conf.split(from).join(to);
  };
  swap('/etc/letsencrypt/live/space.example.com/fullchain.pem', path.join(dir, 'fullchain.pem'));
  swap('/etc/letsencrypt/live/space.example.com/privkey.pem', path.join(dir, 'key.pem'));
  swap('server_name space.example.com;', 'server_name localhost;');
  swap('server 127.0.0.1:5000;', `server 127.0.0.1:${roomPort};`);
  swap('listen 443 ssl http2;', `listen 127.0.0.1:${port} ssl http2;`);
  swap('listen [::]:443 ssl http2;', '');
  // The plain-HTTP redirect server: on a port of its own, unused here.
  swap('listen 80;', `listen 127.0.0.1:${redirectPort};`);
  swap('listen [::]:80;', '');
  writeFileSync(path.join(dir, 'ovenspace.conf'), conf);
  writeFileSync(path.join(dir, 'nginx.conf'), `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
    access_log off;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    include ${dir}/ovenspace.conf;
}
`);
  const proc = spawn('nginx', ['-e', `${dir}/error.log`, '-p', dir, '-c', `${dir}/nginx.conf`], { stdio: 'ignore' });
  proc.exited = new Promise((r) => proc.on('exit', r));
  await until('nginx answers', async () => {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    return canConnect(port);
  }, 10000);
  return proc;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `probe` until it returns something truthy; throws after `ms`.
export async function until(what, probe, ms = 15000, step = 50) {
  const end = Date.now() + ms;
  let last = null;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}${last ? ` (${last.message})` : ''}`);
    await pause(step);
  }
}

export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

// One ovenspace-test-cluster: room service + gateway + real OME.
export class Cluster {
  static async start(extra = []) {
    const c = new Cluster();
    c.log = '';
    c.child = spawn(settings.clusterBin, ['--web-root', settings.distDir, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    c.exited = new Promise((r) => c.child.on('exit', r));
    c.child.stderr.on('data', (d) => (c.log += d));
    const lines = createInterface({ input: c.child.stdout });
    const first = await Promise.race([
      new Promise((r) => lines.once('line', r)),
      c.exited.then(() => null),
      pause(90000).then(() => null),
    ]);
    if (!first) {
      c.child.kill('SIGKILL');
      throw new Error(`the test cluster did not start:\n${c.log}`);
    }
    Object.assign(c, JSON.parse(first));
    c.base = `http://127.0.0.1:${c.room_port}`;
    return c;
  }
  // OME's REST API, as the gateway calls it.
  async omeStreams() {
    const res = await fetch(`http://127.0.0.1:${this.media.api_port}/v1/vhosts/default/apps/app/streams`, {
      headers: { authorization: `Basic ${Buffer.from(this.media.access_token).toString('base64')}` },
    });
    check(res.ok, `OME stream list answered ${res.status}`);
    return (await res.json()).response;
  }
  async stop(failed) {
    if (this.child.exitCode !== null) return;
    if (failed) this.child.kill('SIGUSR1'); // print the processes' output, keep the logs
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20000);
    await this.exited;
    clearTimeout(timer);
    if (failed) process.stderr.write(this.log);
  }
}

// An encoder process (ffmpeg) that is stopped at the end of the scenario.
// A port nobody listens on right now (the OS picks it).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function ffmpeg(args) {
  const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.log = '';
  p.stderr.on('data', (d) => (p.log += d));
  p.exited = new Promise((r) => p.on('exit', r));
  return p;
}
export const TEST_SOURCE = ['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine',
  '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac'];

export async function openRoom(cluster, browser = context) {
  const page = await browser.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(e.message));
  const res = await page.goto(`${cluster.base}/r/main`);
  // What the page runs under (policyOf): the room's header, through nginx too.
  page.policy = (res && res.headers()['content-security-policy']) || '';
  await page.waitForFunction(() => window.ovenspace && window.ovenspace.status() === 'open', null, { timeout: 15000 });
  // Every data-kind a seat cell ever had, in order, from now on.
  await page.evaluate(() => {
    window.kindLog = {};
    const note = (cell) => {
      const i = cell.dataset.seat;
      const log = (window.kindLog[i] ||= []);
      if (log[log.length - 1] !== cell.dataset.kind) log.push(cell.dataset.kind);
    };
    document.querySelectorAll('.seat').forEach(note);
    new MutationObserver((records) => records.forEach((r) => note(r.target))).observe(document.getElementById('seats'), {
      attributes: true, attributeFilter: ['data-kind'], subtree: true,
    });
  });
  return page;
}
export const kindOf = (page, i) => page.locator(`.seat[data-seat="${i}"]`).getAttribute('data-kind');
export const kindLog = (page, i) => page.evaluate((i) => window.kindLog[i] || [], i);
export async function waitKind(page, i, kind, ms = 20000) {
  await until(`seat ${i + 1} ${kind}`, async () => (await kindOf(page, i)) === kind, ms);
}

// Counts frames the browser presents in seat `i`'s player from now on;
// resolves with the time the first of `n` frames came.
export async function framesIn(page, i, n = 10, ms = 20000) {
  return page.evaluate(
    async ({ i, n, ms }) => {
      const start = performance.now();
      const deadline = start + ms;
      let video = null;
      while (!video) {
        video = document.querySelector(`.seat[data-seat="${i}"] .player-host video`);
        if (!video) {
          if (performance.now() > deadline) throw new Error('no video element');
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      return new Promise((resolve, reject) => {
        let frames = 0;
        let first = null;
        const timer = setTimeout(() => reject(new Error(`only ${frames} frames in ${ms} ms`)), deadline - performance.now());
        const onFrame = (now, meta) => {
          // A replaced player brings a new <video>: follow it.
          const current = document.querySelector(`.seat[data-seat="${i}"] .player-host video`);
          if (current && current !== video) {
            video = current;
          }
          if (meta.width > 0) {
            frames += 1;
            if (first === null) first = Date.now();
          }
          if (frames >= n) {
            clearTimeout(timer);
            resolve({ first, frames, width: meta.width, height: meta.height });
          } else {
            video.requestVideoFrameCallback(onFrame);
          }
        };
        video.requestVideoFrameCallback(onFrame);
      });
    },
    { i, n, ms },
  );
}

// Claims seat `i` on `page` and starts a browser broadcast in `mode`
// ('camera' or 'screen'); returns the time Start sharing was pressed.
export async function broadcast(page, i, mode = 'camera') {
  await page.locator(`.seat[data-seat="${i}"] .participate`).click();
  await page.locator('#share-dialog').waitFor({ state: 'visible' });
  if (mode === 'screen') {
    await page.locator('.tab[data-mode="screen"]').click();
    await page.locator('#screen-pick').click();
    await until('screen preview', () => page.$eval('#screen-preview', (v) => v.videoWidth > 0));
  } else {
    await until('camera preview', () => page.$eval('#camera-preview', (v) => v.videoWidth > 0));
  }
  await until('Start enabled', () => page.$eval('#share-start', (b) => !b.disabled));
  const t = Date.now();
  await page.locator('#share-start').click();
  return t;
}

// The dialog's encoder URLs for the seat just claimed on `page`.
export async function encoderUrls(page, i) {
  await page.locator(`.seat[data-seat="${i}"] .participate`).click();
  await page.locator('#share-dialog').waitFor({ state: 'visible' });
  await page.locator('.tab[data-mode="encoder"]').click();
  // The real values (what is shown may be masked until revealed).
  const value = (field) => page.locator(`#share-encoder [data-field="${field}"] code`).getAttribute('data-value');
  const urls = { rtmpServer: await value('rtmp-server'), rtmpKey: await value('rtmp-key'), srt: await value('srt'), whip: await value('whip') };
  check(urls.rtmpServer.startsWith('rtmp://') && urls.srt.startsWith('srt://') && /^https?:\/\//.test(urls.whip), `encoder URLs shown: ${JSON.stringify(urls)}`);
  return urls;
}

// WHIP from a page of its own: a few lines of RTCPeerConnection with the
// fake camera; H.264 first so LL-HLS can carry it too. Resolves with the
// HTTP status of the WHIP POST (0: no answer the page may read).
export async function whipPublish(page, url) {
  return page.evaluate(async (url) => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    const pc = new RTCPeerConnection();
    for (const track of media.getTracks()) {
      const t = pc.addTransceiver(track, { direction: 'sendonly' });
      if (track.kind === 'video') {
        const codecs = RTCRtpSender.getCapabilities('video').codecs;
        t.setCodecPreferences([...codecs.filter((c) => c.mimeType === 'video/H264'), ...codecs.filter((c) => c.mimeType !== 'video/H264')]);
      }
    }
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => {
      if (pc.iceGatheringState === 'complete') r();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
      setTimeout(r, 2000);
    });
    let res;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
    } catch (e) {
      // OME's WHIP refusals (401) carry no CORS headers, so a page of
      // another origin sees only a network error: 0.
      res = { ok: false, status: 0 };
    }
    if (res.ok) {
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      window.whip = { pc, media };
    } else {
      media.getTracks().forEach((t) => t.stop());
      pc.close();
    }
    return res.status;
  }, url);
}

export const seatSource = (page, i) => page.evaluate((i) => window.ovenspace.state().seats[i].source || null, i);

