import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoomConnection, socketUrl, viewerId } from '../src/connection.js';

// A WebSocket stand-in the test drives by hand.
function fakeSocketWorld() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.readyState = 3; }
    // test side
    serverOpen() { this.readyState = 1; }
    serverSend(frame) { this.onmessage && this.onmessage({ data: JSON.stringify(frame) }); }
    serverClose() { this.readyState = 3; this.onclose && this.onclose({ code: 1006 }); }
  }
  const timers = [];
  const fakeTimers = {
    setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimeout: () => {},
  };
  const runTimer = () => timers.shift().fn();
  return { sockets, FakeSocket, timers, fakeTimers, runTimer };
}

const snap = (seq) => ({ type: 'snapshot', seq, room: { id: 'main', title: 'T', seat_count: 2 }, viewers: 1, seats: [], media: null, playback: null });

function connect(world, extra = {}) {
  const statuses = [];
  const conn = new RoomConnection({
    url: 'ws://x/ws?room=main',
    WebSocketImpl: world.FakeSocket,
    timers: world.fakeTimers,
    backoff: { minMs: 100, maxMs: 1000, jitter: 0 },
    onStatus: (s) => statuses.push(s),
    ...extra,
  });
  conn.start();
  return { conn, statuses };
}

test('the first snapshot makes the connection open; deltas follow', () => {
  const w = fakeSocketWorld();
  let opens = 0;
  const { conn, statuses } = connect(w, { onOpen: () => opens++ });
  const s = w.sockets[0];
  assert.equal(s.url, 'ws://x/ws?room=main');
  s.serverOpen();
  s.serverSend(snap(5));
  assert.deepEqual(statuses, ['connecting', 'open']);
  assert.equal(opens, 1);
  s.serverSend({ type: 'viewers', seq: 6, count: 9 });
  assert.equal(conn.state.viewers, 9);
});

test('a seq gap drops the socket and reconnects at once for a fresh snapshot', () => {
  const w = fakeSocketWorld();
  const { conn } = connect(w);
  const first = w.sockets[0];
  first.serverOpen();
  first.serverSend(snap(5));
  first.serverSend({ type: 'viewers', seq: 8, count: 9 });
  assert.equal(conn.state.viewers, 1, 'the gapped delta is not applied');
  assert.equal(first.readyState, 3, 'old socket closed');
  assert.equal(w.timers.length, 1);
  assert.equal(w.timers[0].ms, 0);
  w.runTimer();
  assert.equal(w.sockets.length, 2);
  const second = w.sockets[1];
  second.serverOpen();
  second.serverSend(snap(20));
  assert.equal(conn.state.seq, 20);
  first.serverSend({ type: 'viewers', seq: 21, count: 77 });
  assert.equal(conn.state.viewers, 1, 'frames from the dropped socket are ignored');
});

test('failed reconnects back off exponentially, a snapshot resets the schedule', () => {
  const w = fakeSocketWorld();
  connect(w);
  w.sockets[0].serverClose();
  const delays = [];
  for (let i = 0; i < 6; i++) {
    delays.push(w.timers[0].ms);
    w.runTimer();
    w.sockets.at(-1).serverClose();
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  w.runTimer();
  const s = w.sockets.at(-1);
  s.serverOpen();
  s.serverSend(snap(1));
  s.serverClose();
  assert.equal(w.timers[0].ms, 100);
});

test('commands get their reply by id; a drop rejects what is pending', async () => {
  const w = fakeSocketWorld();
  const { conn } = connect(w);
  const s = w.sockets[0];
  await assert.rejects(conn.command('ping'), { code: 'disconnected' }, 'no command before the snapshot');
  s.serverOpen();
  s.serverSend(snap(1));
  const claim = conn.command('claim', { seat: 1 });
  const ping = conn.command('ping');
  assert.deepEqual(s.sent[0], { type: 'claim', id: s.sent[0].id, seat: 1 });
  s.serverSend({ type: 'reply', id: s.sent[0].id, ok: false, error: { code: 'seat_taken', message: 'taken' } });
  const reply = await claim;
  assert.equal(reply.ok, false);
  assert.equal(reply.error.code, 'seat_taken');
  s.serverClose();
  await assert.rejects(ping, { code: 'disconnected' });
});

test('error frames go to onServerError, not to the state', () => {
  const w = fakeSocketWorld();
  const errors = [];
  const { conn } = connect(w, { onServerError: (e) => errors.push(e.code) });
  const s = w.sockets[0];
  s.serverOpen();
  s.serverSend({ type: 'error', error: { code: 'unknown_room', message: 'no' } });
  assert.deepEqual(errors, ['unknown_room']);
  assert.equal(conn.state.room, null);
});

test('stop ends reconnecting', () => {
  const w = fakeSocketWorld();
  const { conn } = connect(w);
  conn.stop();
  w.sockets[0].serverClose();
  assert.equal(w.timers.length, 0);
});

test('socket URL follows the page scheme', () => {
  assert.equal(socketUrl({ protocol: 'http:', host: 'a:5000' }, 'main'), 'ws://a:5000/ws?room=main');
  assert.equal(socketUrl({ protocol: 'https:', host: 'a' }, 'x y'), 'wss://a/ws?room=x%20y');
  assert.equal(
    socketUrl({ protocol: 'http:', host: 'a' }, 'main', 'v1'),
    'ws://a/ws?room=main&viewer=v1',
  );
});

test('viewerId is kept in storage and made again when storage fails', () => {
  const kept = new Map();
  const storage = { getItem: (k) => kept.get(k) ?? null, setItem: (k, v) => kept.set(k, v) };
  const first = viewerId(storage, () => 0.5);
  assert.match(first, /^[a-z0-9]{10,}$/);
  assert.equal(viewerId(storage, () => 0.25), first); // the same browser, the same id
  const broken = { getItem: () => { throw new Error('denied'); } };
  assert.match(viewerId(broken, () => 0.5), /^[a-z0-9]+$/);
});
