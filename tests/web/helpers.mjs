// Shared by the browser test scenarios (e2e.mjs and the scenario files it
// loads): waiting, assertions, seat locators, and ScriptedRoom, a room
// socket answered by the test itself.

import net from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, ms = 10000, every = 50) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}
export function assertEqual(actual, expected, message) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

export const seat = (page, i) => page.locator(`.seat[data-seat="${i}"]`);
export const seatKind = (page, i) => seat(page, i).getAttribute('data-kind');
export async function waitKind(page, i, kind, ms = 10000) {
  await waitFor(`seat ${i + 1} to be ${kind}`, async () => (await seatKind(page, i)) === kind, ms);
}
export const viewerNumber = async (page) => Number(await page.locator('#viewer-number').textContent());

// The encoder details rendered in `container` (share dialog or the
// Encoder details dialog): the real value of a field and what is shown.
export function encoderFields(page, container) {
  const code = (id) => page.locator(`${container} [data-field="${id}"] code`);
  return {
    value: (id) => code(id).getAttribute('data-value'),
    shown: (id) => code(id).textContent(),
  };
}

// A room socket answered by the test: seats, claim/release replies and
// deltas as the room service would send them (proto/websocket.md).
export class ScriptedRoom {
  constructor({ seatCount = 4, publishPort, media = { reachable: true, stale: false, version: '0.20.0' }, seats = [] }) {
    this.seq = 1;
    this.media = media;
    this.seats = Array.from({ length: seatCount }, (_, i) => ({ index: i, stream: `stream${i}`, state: 'free', mine: false }));
    for (const seat of seats) this.seats[seat.index] = { stream: `stream${seat.index}`, mine: false, ...seat };
    this.publishPort = publishPort;
    this.commands = [];
    this.ws = null;
    this.refuseNextClaim = null;
  }
  async attach(page) {
    await page.routeWebSocket(/\/ws\?room=main(&viewer=[a-z0-9]+)?$/, (ws) => {
      this.ws = ws;
      ws.onMessage((text) => this.onCommand(JSON.parse(text)));
      this.send({ type: 'snapshot', seq: this.seq, room: { id: 'main', title: 'Scripted', seat_count: this.seats.length }, mine: null,
        viewers: 1, seats: this.seats, media: this.media,
        playback: { webrtc: `ws://127.0.0.1:${this.publishPort}/app/{stream}`, llhls: `http://127.0.0.1:${this.publishPort}/app/{stream}/llhls.m3u8` } });
    });
  }
  send(frame) { this.ws.send(JSON.stringify(frame)); }
  setSeat(index, fields) {
    this.seats[index] = { index, stream: `stream${index}`, mine: false, ...fields };
    this.send({ type: 'seat', seq: ++this.seq, seat: this.seats[index] });
  }
  publishFor(seat, token) {
    const h = `127.0.0.1:${this.publishPort}`;
    return {
      webrtc: `ws://${h}/app/stream${seat}?direction=send&token=${token}`,
      whip: `http://${h}/app/stream${seat}?direction=whip&token=${token}`,
      // the flat form ovenspace-room sends (proto/examples/ws/s2c_reply_claim.json)
      rtmp_server: 'rtmp://127.0.0.1:1935/app',
      rtmp_key: `stream${seat}?token=${token}`,
      rtmp: `rtmp://127.0.0.1:1935/app/stream${seat}?token=${token}`,
      srt: `srt://127.0.0.1:9999?streamid=default%2Fapp%2Fstream${seat}%3Ftoken%3D${token}`,
    };
  }
  onCommand(cmd) {
    this.commands.push(cmd);
    if (cmd.type === 'claim') {
      if (this.refuseNextClaim) {
        this.send({ type: 'reply', id: cmd.id, ok: false, error: this.refuseNextClaim });
        this.refuseNextClaim = null;
        return;
      }
      const token = `tok${cmd.seat}x${this.commands.length}`;
      this.send({ type: 'reply', id: cmd.id, ok: true, seat: cmd.seat, stream: `stream${cmd.seat}`, token, lease_ms: 30000, publish: this.publishFor(cmd.seat, token) });
      this.setSeat(cmd.seat, { state: 'reserved', mine: true });
    } else if (cmd.type === 'release') {
      this.send({ type: 'reply', id: cmd.id, ok: true });
      this.setSeat(cmd.seat, { state: 'free' });
    } else {
      this.send({ type: 'reply', id: cmd.id, ok: false, error: { code: 'unknown_command', message: 'not scripted' } });
    }
  }
}


// Content-Security-Policy violations in every page of `context`: each
// `securitypolicyviolation` event (what the page's own document reports) and
// each console message about the policy (what Chromium reports for workers
// and for requests that never reach a document event). The runner takes them
// after every scenario and fails the scenario on any.
export async function watchCsp(context) {
  const seen = [];
  await context.exposeBinding('__ovsCspViolation', ({ page }, v) => {
    seen.push({ page: page ? page.url() : '', ...v });
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__ovsCspViolation({
        directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample,
      });
    }, true);
  });
  const onPage = (page) => page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) seen.push({ page: page.url(), console: msg.text() });
  });
  context.pages().forEach(onPage);
  context.on('page', onPage);
  return {
    // The violations since the last take().
    take: () => seen.splice(0),
  };
}
