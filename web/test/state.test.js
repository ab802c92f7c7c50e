import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backoffDelay, captureConstraints, commandErrorMessage, fillTemplate, gridColumns, initialState,
  isNextSeq, mediaErrorMessage, normalizePublish, parseRooms, playerRetryDelay, playerSources, reduce, roomFromLocation,
  seatView, seatViews,
} from '../src/state.js';

const snapshot = (over = {}) => ({
  type: 'snapshot',
  seq: 12,
  room: { id: 'main', title: 'OvenSpace', seat_count: 3 },
  viewers: 3,
  seats: [
    { index: 0, stream: 'stream0', state: 'free', mine: false },
    { index: 1, stream: 'stream1', state: 'reserved', mine: false },
    { index: 2, stream: 'stream2', state: 'live', mine: false, source: 'RTMP', video: { codec: 'H264', width: 1280, height: 720 } },
  ],
  media: { reachable: true, stale: false, version: '0.20.0' },
  playback: { webrtc: 'ws://h:3333/app/{stream}', llhls: 'http://h:3333/app/{stream}/llhls.m3u8' },
  ...over,
});

test('snapshot replaces the whole state', () => {
  const { state, resync } = reduce(initialState(), snapshot());
  assert.equal(resync, false);
  assert.equal(state.seq, 12);
  assert.deepEqual(state.room, { id: 'main', title: 'OvenSpace', seat_count: 3 });
  assert.equal(state.viewers, 3);
  assert.deepEqual(state.seats.map((s) => s.state), ['free', 'reserved', 'live']);
  assert.equal(state.seats[2].source, 'RTMP');
  assert.equal(state.media.reachable, true);
  assert.equal(state.playback.webrtc, 'ws://h:3333/app/{stream}');
});

test('snapshot fills seats the server left out as free, and ignores out-of-range seats', () => {
  const { state } = reduce(initialState(), snapshot({
    room: { id: 'r', title: 'T', seat_count: 4 },
    seats: [{ index: 3, stream: 's3', state: 'live' }, { index: 9, stream: 'x', state: 'live' }],
  }));
  assert.equal(state.seats.length, 4);
  assert.deepEqual(state.seats.map((s) => s.state), ['free', 'free', 'free', 'live']);
  assert.equal(state.seats[3].stream, 's3');
});

test('a later snapshot drops what earlier deltas said', () => {
  let { state } = reduce(initialState(), snapshot());
  ({ state } = reduce(state, { type: 'viewers', seq: 13, count: 40 }));
  ({ state } = reduce(state, snapshot({ seq: 50, viewers: 1, playback: null })));
  assert.equal(state.viewers, 1);
  assert.equal(state.seq, 50);
  assert.equal(state.playback, null);
});

test('seat and viewers deltas apply in sequence', () => {
  let { state } = reduce(initialState(), snapshot());
  let r = reduce(state, { type: 'seat', seq: 13, seat: { index: 0, stream: 'stream0', state: 'reserved', mine: true } });
  assert.equal(r.resync, false);
  assert.equal(r.state.seats[0].state, 'reserved');
  assert.equal(r.state.seats[0].mine, true);
  assert.equal(state.seats[0].state, 'free', 'the input state is not mutated');
  r = reduce(r.state, { type: 'viewers', seq: 14, count: 4 });
  assert.equal(r.state.viewers, 4);
  assert.equal(r.state.seq, 14);
});

test('a seq gap asks for a resync and leaves the state alone', () => {
  const { state } = reduce(initialState(), snapshot());
  const r = reduce(state, { type: 'viewers', seq: 14, count: 99 });
  assert.equal(r.resync, true);
  assert.equal(r.state, state);
  assert.equal(reduce(state, { type: 'seat', seq: 12, seat: { index: 0, state: 'live' } }).resync, true, 'a repeated seq is a gap too');
  assert.equal(reduce(state, { type: 'seat', seat: { index: 0, state: 'live' } }).resync, true, 'missing seq');
});

test('a delta before any snapshot asks for a resync', () => {
  const r = reduce(initialState(), { type: 'viewers', seq: 1, count: 2 });
  assert.equal(r.resync, true);
});

test('isNextSeq', () => {
  assert.equal(isNextSeq(5, 6), true);
  assert.equal(isNextSeq(5, 7), false);
  assert.equal(isNextSeq(null, 1), false);
  assert.equal(isNextSeq(5, '6'), false);
});

test('media frames update without a seq; unknown frames change nothing', () => {
  const { state } = reduce(initialState(), snapshot());
  const r = reduce(state, { type: 'media', media: { reachable: false, stale: true, version: '0.20.0' } });
  assert.equal(r.resync, false);
  assert.deepEqual(r.state.media, { reachable: false, stale: true, version: '0.20.0' });
  assert.equal(r.state.seq, 12);
  assert.equal(reduce(state, { type: 'whatever', seq: 99 }).state, state);
  assert.equal(reduce(state, { type: 'reply', id: 1, ok: true }).state, state);
  assert.equal(reduce(state, null).state, state);
});

test('a seat delta for a seat outside the room is ignored but consumes its seq', () => {
  const { state } = reduce(initialState(), snapshot());
  const r = reduce(state, { type: 'seat', seq: 13, seat: { index: 7, state: 'live' } });
  assert.equal(r.resync, false);
  assert.equal(r.state.seq, 13);
  assert.deepEqual(r.state.seats, state.seats);
});

test('fillTemplate substitutes every {stream} and escapes the name', () => {
  assert.equal(fillTemplate('ws://h:3333/app/{stream}', 'stream3'), 'ws://h:3333/app/stream3');
  assert.equal(fillTemplate('http://h/{stream}/{stream}.m3u8', 's'), 'http://h/s/s.m3u8');
  assert.equal(fillTemplate('ws://h/app/{stream}', 'a b/?x'), 'ws://h/app/a%20b%2F%3Fx');
  assert.equal(fillTemplate('', 's'), null);
  assert.equal(fillTemplate(null, 's'), null);
});

test('backoff doubles from the minimum up to the maximum', () => {
  const noJitter = () => 0;
  const schedule = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a, { minMs: 250, maxMs: 10000 }, noJitter));
  assert.deepEqual(schedule, [250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  assert.equal(backoffDelay(1000, { minMs: 250, maxMs: 10000 }, noJitter), 10000, 'huge attempt counts stay capped');
});

test('backoff jitter only shortens, by at most the jitter fraction', () => {
  for (const r of [0, 0.25, 0.5, 0.999]) {
    const d = backoffDelay(3, { minMs: 100, maxMs: 5000, jitter: 0.5 }, () => r);
    assert.ok(d <= 800 && d >= 400, `delay ${d} for random ${r}`);
  }
  assert.equal(backoffDelay(3, { minMs: 100, maxMs: 5000, jitter: 0.5 }, () => 0.5), 600);
});

test('seat views: free, joining, live, mine, claiming', () => {
  const { state } = reduce(initialState(), snapshot());
  let views = seatViews(state);
  assert.deepEqual(views.map((v) => v.kind), ['free', 'joining', 'live']);
  assert.equal(views[2].webrtc, 'ws://h:3333/app/stream2');
  assert.equal(views[2].llhls, 'http://h:3333/app/stream2/llhls.m3u8');
  assert.equal(views[2].source, 'RTMP');
  assert.equal(views[2].resolution, '1280x720');
  assert.equal(views[1].webrtc, null, 'only live seats get playback URLs');

  views = seatViews(state, { claim: { seat: 1 } });
  assert.equal(views[1].kind, 'mine');
  views = seatViews(state, { pendingSeat: 0 });
  assert.equal(views[0].kind, 'claiming');

  const mineByServer = reduce(state, { type: 'seat', seq: 13, seat: { index: 2, stream: 'stream2', state: 'live', mine: true } }).state;
  assert.equal(seatView(mineByServer.seats[2], mineByServer).kind, 'mine');
});

test('a starting seat shows no player; a failed one says why; both are on air', () => {
  let { state } = reduce(initialState(), snapshot());
  state = reduce(state, { type: 'seat', seq: 13, seat: { index: 1, stream: 'stream1', state: 'starting', source: 'WebRTC' } }).state;
  state = reduce(state, {
    type: 'seat', seq: 14,
    seat: { index: 2, stream: 'stream2', state: 'failed', source: 'WebRTC', error: { code: 'outputs_not_started', message: 'Not started.' } },
  }).state;
  const views = seatViews(state);
  assert.equal(views[1].kind, 'starting');
  assert.equal(views[1].live, false);
  assert.equal(views[1].onAir, true);
  assert.equal(views[1].webrtc, null, 'no player URL while starting');
  assert.equal(views[1].source, 'WebRTC');
  assert.equal(views[2].kind, 'failed');
  assert.equal(views[2].error, 'Not started.');
  assert.equal(views[2].webrtc, null);
  assert.deepEqual(playerSources(views[1]), []);
  // Our own starting seat stays ours.
  assert.equal(seatView(state.seats[1], state, { claim: { seat: 1 } }).kind, 'mine');
  // A failed seat without an error object still says something.
  const bare = reduce(state, { type: 'seat', seq: 15, seat: { index: 0, stream: 'stream0', state: 'failed' } }).state;
  assert.match(seatViews(bare)[0].error, /not started/);
  // Unknown states read as free, as before.
  const odd = reduce(state, { type: 'seat', seq: 15, seat: { index: 0, stream: 'stream0', state: 'exploding' } }).state;
  assert.equal(seatViews(odd)[0].kind, 'free');
});

test('an ending seat is neither played nor offered, whoever left it', () => {
  let { state } = reduce(initialState(), snapshot());
  state = reduce(state, { type: 'seat', seq: 13, seat: { index: 1, stream: 'stream1', state: 'ending' } }).state;
  const view = seatViews(state)[1];
  assert.equal(view.kind, 'ending');
  assert.equal(view.live, false);
  assert.equal(view.onAir, false);
  assert.equal(view.webrtc, null);
  assert.deepEqual(playerSources(view), []);
  // The page that just left it sees it ending too, not "joining".
  assert.equal(seatViews(state, { released: 1 })[1].kind, 'ending');
  assert.match(commandErrorMessage('claim', { code: 'seat_ending' }, 1), /still being ended/);
});

test('the seat this page just left is never played, even while it still looks live and ours', () => {
  const { state } = reduce(initialState(), snapshot({ mine: 2 }));
  assert.equal(seatViews(state)[2].kind, 'mine');
  const left = seatViews(state, { released: 2 })[2];
  assert.notEqual(left.kind, 'mine');
  assert.notEqual(left.kind, 'live');
  assert.equal(left.live, false);
  assert.equal(left.webrtc, null);
  assert.deepEqual(playerSources(left), []);
  // Other seats are not affected.
  assert.equal(seatViews(state, { released: 2 })[1].kind, 'joining');
});

test('failed players are retried fast at first, then every 3 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 50].map(playerRetryDelay), [250, 500, 1000, 2000, 3000, 3000, 3000]);
  assert.equal(playerRetryDelay(-1), 250);
  assert.equal(playerRetryDelay(undefined), 250);
  const total = [0, 1, 2, 3].map(playerRetryDelay).reduce((a, b) => a + b, 0);
  assert.ok(total < 4000, 'four attempts within 4 s');
});

test('media reachable null (no gateway) stays unknown, not reachable or unreachable', () => {
  let { state } = reduce(initialState(), snapshot({ media: { reachable: null, stale: true, version: null } }));
  assert.equal(state.media.reachable, null);
  assert.equal(state.media.stale, true);
  state = reduce(state, { type: 'media', media: { reachable: false, stale: true, version: '0.20.0' } }).state;
  assert.equal(state.media.reachable, false);
  state = reduce(state, { type: 'media', media: { reachable: true, stale: false } }).state;
  assert.equal(state.media.reachable, true);
});

test('a live seat without playback templates has no URLs', () => {
  const { state } = reduce(initialState(), snapshot({ playback: null }));
  const v = seatViews(state)[2];
  assert.equal(v.kind, 'live');
  assert.equal(v.webrtc, null);
  assert.deepEqual(playerSources(v), []);
});

test('resolution only when width and height are known', () => {
  const { state } = reduce(initialState(), snapshot({
    seats: [{ index: 0, stream: 's', state: 'live', video: { codec: 'H264' } }],
  }));
  assert.equal(seatViews(state)[0].resolution, null);
  assert.equal(seatViews(state)[0].source, null);
});

test('player sources follow the chosen protocol, the other stays as fallback', () => {
  const { state } = reduce(initialState(), snapshot());
  const webrtcFirst = playerSources(seatViews(state)[2]);
  assert.deepEqual(webrtcFirst.map((s) => s.type), ['webrtc', 'llhls']);
  assert.equal(webrtcFirst[0].file, 'ws://h:3333/app/stream2');
  const hlsFirst = playerSources(seatViews(state, { protocols: { 2: 'llhls' } })[2]);
  assert.deepEqual(hlsFirst.map((s) => s.type), ['llhls', 'webrtc']);
});

test('room id from /r/<id> or ?room=', () => {
  assert.equal(roomFromLocation('/r/lobby', ''), 'lobby');
  assert.equal(roomFromLocation('/r/lobby/', ''), 'lobby');
  assert.equal(roomFromLocation('/', '?room=main'), 'main');
  assert.equal(roomFromLocation('/', ''), null);
  assert.equal(roomFromLocation('/r/bad%20id', ''), null);
  assert.equal(roomFromLocation('/', '?room=<script>'), null);
});

test('rooms list accepts both shapes', () => {
  assert.deepEqual(parseRooms({ rooms: [{ id: 'a', title: 'A', seats: 4 }, { title: 'no id' }] }),
    [{ id: 'a', title: 'A', seats: 4, viewers: null }]);
  assert.deepEqual(parseRooms([{ id: 'b', seat_count: 9, viewers: 2 }]), [{ id: 'b', title: 'b', seats: 9, viewers: 2 }]);
  assert.deepEqual(parseRooms('nonsense'), []);
});

test('grid columns are near-square', () => {
  assert.deepEqual([1, 2, 4, 5, 9, 10, 16].map(gridColumns), [1, 2, 2, 3, 3, 4, 4]);
});

test('command errors read as sentences', () => {
  assert.match(commandErrorMessage('claim', { code: 'seat_taken', message: 'x' }, 2), /Someone else just took seat 3/);
  assert.match(commandErrorMessage('claim', { code: 'already_holding' }, 0), /already hold a seat/);
  assert.match(commandErrorMessage('claim', { code: 'disconnected' }, 0), /connection to the room was lost/);
  assert.equal(commandErrorMessage('claim', { code: 'new_code', message: 'Server says no' }, 0), 'Server says no');
});

test('media errors read as sentences', () => {
  assert.match(mediaErrorMessage({ name: 'NotReadableError' }), /busy/);
  assert.match(mediaErrorMessage({ name: 'NotFoundError' }), /No camera or microphone was found/);
  assert.match(mediaErrorMessage({ name: 'NotAllowedError' }), /denied/);
  assert.match(mediaErrorMessage({ name: 'OverconstrainedError' }), /resolution is not supported/);
  assert.match(mediaErrorMessage({ name: 'Weird', message: 'boom' }, 'screen'), /Could not start the screen: boom/);
});

test('capture constraints from the pickers', () => {
  assert.deepEqual(captureConstraints({}), { video: true, audio: true });
  assert.deepEqual(captureConstraints({ videoId: 'cam', audioId: 'mic', resolution: '1280x720' }), {
    video: { deviceId: { exact: 'cam' }, width: { exact: 1280 }, height: { exact: 720 } },
    audio: { deviceId: { exact: 'mic' } },
  });
});

test('snapshot `mine` (the room service form) marks our seat', () => {
  const { state } = reduce(initialState(), snapshot({ mine: 1 }));
  assert.equal(state.mine, 1);
  assert.equal(seatViews(state)[1].kind, 'mine');
  const freed = reduce(state, { type: 'seat', seq: 13, seat: { index: 1, stream: 'stream1', state: 'free' } }).state;
  assert.equal(freed.mine, null);
  assert.equal(seatViews(freed)[1].kind, 'free');
  assert.equal(reduce(initialState(), snapshot({ mine: 99 })).state.mine, null, 'out of range ignored');
});

test('playback frames set or clear the templates without a seq', () => {
  let { state } = reduce(initialState(), snapshot({ playback: null }));
  let r = reduce(state, { type: 'playback', playback: { webrtc: 'ws://o/app/{stream}', llhls: 'http://o/app/{stream}/llhls.m3u8' } });
  assert.equal(r.resync, false);
  assert.equal(r.state.seq, 12);
  assert.equal(seatViews(r.state)[2].webrtc, 'ws://o/app/stream2');
  r = reduce(r.state, { type: 'playback', playback: null });
  assert.equal(r.state.playback, null);
});

test('publish URLs: nested rtmp object and the flat form both work', () => {
  const nested = normalizePublish({
    webrtc: 'ws://h:3333/app/s3?direction=send&token=T', whip: 'http://h:3333/app/s3?direction=whip&token=T',
    rtmp: { server: 'rtmp://h:1935/app', key: 's3?token=T', url: 'rtmp://h:1935/app/s3?token=T' }, srt: 'srt://h:9999?streamid=x',
  });
  const flat = normalizePublish({
    webrtc: 'ws://h:3333/app/s3?direction=send&token=T', whip: 'http://h:3333/app/s3?direction=whip&token=T',
    rtmp_server: 'rtmp://h:1935/app', rtmp_key: 's3?token=T', rtmp: 'rtmp://h:1935/app/s3?token=T', srt: 'srt://h:9999?streamid=x',
  });
  assert.deepEqual(flat, nested);
  assert.deepEqual(normalizePublish({ rtmp: 'rtmp://h:1935/app/s3?token=T' }).rtmp,
    { server: 'rtmp://h:1935/app', key: 's3?token=T', url: 'rtmp://h:1935/app/s3?token=T' });
  assert.equal(normalizePublish(null), null);
  assert.equal(normalizePublish({}), null);
});

test('maskToken hides the token in keys, URLs and SRT stream ids', async () => {
  const { maskToken } = await import('../src/state.js');
  assert.equal(maskToken('stream3?token=abc123'), 'stream3?token=••••••••');
  assert.equal(maskToken('http://h:3333/app/stream3?direction=whip&token=abc'), 'http://h:3333/app/stream3?direction=whip&token=••••••••');
  assert.equal(maskToken('srt://h:9999?streamid=default%2Fapp%2Fstream3%3Ftoken%3Dabc'), 'srt://h:9999?streamid=default%2Fapp%2Fstream3%3Ftoken%3D••••••••');
  assert.equal(maskToken('rtmp://h:1935/app'), 'rtmp://h:1935/app');
});

test('publish failure messages say what happened, where, and that the seat is kept', async () => {
  const { publishFailureMessage } = await import('../src/state.js');
  const connect = publishFailureMessage({ phase: 'connect', url: 'ws://media.example:3333/app/s?direction=send&token=T' });
  assert.match(connect, /media\.example:3333/);
  assert.match(connect, /still yours/);
  assert.doesNotMatch(connect, /token|T&/, 'the token never shows');
  assert.match(publishFailureMessage({ phase: 'lost', detail: 'ICE failed' }), /lost.*\(ICE failed\).*still yours/);
});

test('sound follows the spotlight unless the viewer chose otherwise for a seat', async () => {
  const { isAudible } = await import('../src/state.js');
  assert.equal(isAudible(2, { spotlight: null }), false, 'all muted without a spotlight');
  assert.equal(isAudible(2, { spotlight: 2 }), true);
  assert.equal(isAudible(1, { spotlight: 2 }), false);
  assert.equal(isAudible(1, { spotlight: 2, muted: { 1: false } }), true, 'unmuted by the viewer');
  assert.equal(isAudible(2, { spotlight: 2, muted: { 2: true } }), false, 'muted by the viewer');
});

test('the spotlight stays only on a seat with a picture', async () => {
  const { validSpotlight } = await import('../src/state.js');
  const views = [{ kind: 'live' }, { kind: 'free' }, { kind: 'mine', live: true }, { kind: 'mine', live: false }];
  assert.deepEqual([0, 1, 2, 3, null, 9].map((i) => validSpotlight(i, views)), [0, null, 2, null, null, null]);
});

test('seat announcements for screen readers', async () => {
  const { seatAnnouncements } = await import('../src/state.js');
  const v = (kind, live = false) => ({ kind, live });
  const indexed = (list) => list.map((x, index) => ({ ...x, index }));
  assert.deepEqual(seatAnnouncements(null, indexed([v('live', true)])), [], 'nothing on the first render');
  const before = indexed([v('free'), v('joining'), v('live', true), v('mine')]);
  const after = indexed([v('joining'), v('live', true), v('free'), v('mine', true)]);
  assert.deepEqual(seatAnnouncements(before, after), [
    'Someone is joining seat 1.', 'Seat 2 is live.', 'Seat 3 stopped broadcasting and is free.', 'Your seat 4 is live.',
  ]);
  assert.deepEqual(seatAnnouncements(after, after), [], 'no change, no words');
});
