// Pure room state: no DOM, no sockets, no timers. Everything here is a
// function of its arguments so node's test runner can exercise it
// (web/test/state.test.js). The page keeps one `RoomState` and replaces it
// with whatever `reduce` returns.

export const SEAT_FREE = 'free';
export const SEAT_RESERVED = 'reserved';
// OME admitted the stream but cannot play it yet (proto/websocket.md).
export const SEAT_STARTING = 'starting';
export const SEAT_LIVE = 'live';
// OME has the stream but never started its outputs: it cannot be watched.
export const SEAT_FAILED = 'failed';
// Its holder let go while on air; the media server still has the old stream
// and is ending it: nothing to play, and nobody may take the seat yet.
export const SEAT_ENDING = 'ending';
const SEAT_STATES = [SEAT_FREE, SEAT_RESERVED, SEAT_STARTING, SEAT_LIVE, SEAT_FAILED, SEAT_ENDING];

// The state before any snapshot arrived.
export function initialState() {
  return {
    room: null, // {id, title, seat_count}
    seq: null, // seq of the last applied frame; null until a snapshot
    viewers: 0,
    seats: [],
    media: null, // {reachable, stale, version}
    playback: null, // {webrtc, llhls} URL templates or null
    mine: null, // index of the seat this connection holds (snapshot `mine`)
  };
}

// Applies one server frame. Returns {state, resync}: `resync` is true when the
// frame cannot be applied because frames were lost (a seq gap, or a delta
// before any snapshot); the caller then reconnects to get a fresh snapshot and
// the returned state is the unchanged input. Frames that are not room state
// (reply, error, unknown types) leave the state as it is.
export function reduce(state, frame) {
  if (!frame || typeof frame !== 'object') return { state, resync: false };
  switch (frame.type) {
    case 'snapshot':
      return { state: applySnapshot(frame), resync: false };
    case 'seat':
    case 'viewers': {
      if (!isNextSeq(state.seq, frame.seq)) return { state, resync: true };
      const next = { ...state, seq: frame.seq };
      if (frame.type === 'viewers') {
        next.viewers = toCount(frame.count);
      } else {
        next.seats = replaceSeat(state.seats, frame.seat);
        const seat = frame.seat || {};
        if (seat.mine === true) next.mine = seat.index;
        else if (seat.index === state.mine && (seat.mine === false || seat.state === SEAT_FREE)) next.mine = null;
      }
      return { state: next, resync: false };
    }
    case 'media':
      return { state: { ...state, media: normalizeMedia(frame.media) }, resync: false };
    case 'playback': // the gateway (re)sent its endpoints; not room state, no seq
      return { state: { ...state, playback: normalizePlayback(frame.playback) }, resync: false };
    default:
      return { state, resync: false };
  }
}

// A delta is applicable only right after the frame before it.
export function isNextSeq(lastSeq, seq) {
  return Number.isInteger(lastSeq) && Number.isInteger(seq) && seq === lastSeq + 1;
}

function applySnapshot(frame) {
  const room = frame.room || {};
  const seatCount = Number.isInteger(room.seat_count) ? room.seat_count : (frame.seats || []).length;
  const seats = [];
  for (let i = 0; i < seatCount; i++) seats.push({ index: i, stream: '', state: SEAT_FREE, mine: false });
  for (const seat of frame.seats || []) {
    if (seat && Number.isInteger(seat.index) && seat.index >= 0 && seat.index < seatCount) {
      seats[seat.index] = normalizeSeat(seat);
    }
  }
  let mine = Number.isInteger(frame.mine) && frame.mine >= 0 && frame.mine < seatCount ? frame.mine : null;
  const flagged = seats.find((seat) => seat.mine);
  if (mine === null && flagged) mine = flagged.index;
  return {
    mine,
    room: { id: String(room.id ?? ''), title: String(room.title ?? 'OvenSpace'), seat_count: seatCount },
    seq: Number.isInteger(frame.seq) ? frame.seq : null,
    viewers: toCount(frame.viewers),
    seats,
    media: normalizeMedia(frame.media),
    playback: normalizePlayback(frame.playback),
  };
}

function normalizePlayback(playback) {
  return playback && typeof playback === 'object' ? { ...playback } : null;
}

// The claim reply's publish URLs, as {webrtc, whip, srt, rtmp: {server, key,
// url}} with null for what is missing. Accepts the nested `rtmp` object of
// proto/websocket.md and the flat `rtmp_server` / `rtmp_key` / `rtmp` (URL
// string) form; null when there are no URLs at all.
export function normalizePublish(publish) {
  if (!publish || typeof publish !== 'object') return null;
  const str = (v) => (typeof v === 'string' && v !== '' ? v : null);
  const nested = publish.rtmp && typeof publish.rtmp === 'object' ? publish.rtmp : {};
  const out = {
    webrtc: str(publish.webrtc),
    whip: str(publish.whip),
    srt: str(publish.srt),
    rtmp: {
      server: str(nested.server) ?? str(publish.rtmp_server),
      key: str(nested.key) ?? str(publish.rtmp_key),
      url: str(nested.url) ?? str(publish.rtmp) ?? str(publish.rtmp_url),
    },
  };
  // Only the full URL known: split it into server and key at the last '/'.
  if (out.rtmp.url && (!out.rtmp.server || !out.rtmp.key)) {
    const cut = out.rtmp.url.lastIndexOf('/');
    if (cut > 'rtmp://'.length) {
      out.rtmp.server = out.rtmp.server ?? out.rtmp.url.slice(0, cut);
      out.rtmp.key = out.rtmp.key ?? out.rtmp.url.slice(cut + 1);
    }
  }
  const any = out.webrtc || out.whip || out.srt || out.rtmp.server || out.rtmp.url;
  return any ? out : null;
}

function replaceSeat(seats, seat) {
  if (!seat || !Number.isInteger(seat.index) || seat.index < 0 || seat.index >= seats.length) return seats;
  const copy = seats.slice();
  copy[seat.index] = normalizeSeat(seat);
  return copy;
}

function normalizeSeat(seat) {
  const out = {
    index: seat.index,
    stream: String(seat.stream ?? ''),
    state: SEAT_STATES.includes(seat.state) ? seat.state : SEAT_FREE,
    mine: seat.mine === true,
  };
  if (out.state === SEAT_FAILED) {
    const e = seat.error && typeof seat.error === 'object' ? seat.error : {};
    out.error = {
      code: String(e.code ?? 'outputs_not_started'),
      message: String(e.message ?? 'The media server has not started this broadcast, so it cannot be watched.'),
    };
  }
  if (seat.source) out.source = String(seat.source);
  if (seat.video && typeof seat.video === 'object') out.video = { ...seat.video };
  if (Number.isFinite(seat.bitrate)) out.bitrate = seat.bitrate;
  if (Number.isInteger(seat.viewers) && seat.viewers >= 0) out.viewers = seat.viewers;
  if (seat.locked === true) out.locked = true;
  if (seat.ended === 'moderator') out.ended = 'moderator';
  return out;
}

// reachable: true, false, or null when the room service has no word from
// the gateway (it restarts): unknown, which is not "unreachable".
function normalizeMedia(media) {
  if (!media || typeof media !== 'object') return null;
  const reachable = media.reachable === null ? null : media.reachable !== false;
  return { reachable, stale: media.stale === true, version: media.version ?? null };
}

function toCount(n) {
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

// Replaces every `{stream}` in a URL template with the stream name (URL
// path-escaped, so a stream name can never change the URL's shape).
export function fillTemplate(template, stream) {
  if (typeof template !== 'string' || template === '') return null;
  return template.split('{stream}').join(encodeURIComponent(stream));
}

// Reconnect delay before attempt `attempt` (0-based): doubles from `minMs` up
// to `maxMs`, then scaled by a jitter in [1 - jitter, 1] so that a server
// restart does not get every page back in the same millisecond. `random` is
// injectable for tests.
export function backoffDelay(attempt, { minMs = 250, maxMs = 10000, jitter = 0.5 } = {}, random = Math.random) {
  const n = Math.max(0, Math.floor(attempt));
  const base = Math.min(maxMs, minMs * Math.pow(2, Math.min(n, 30)));
  const scale = 1 - jitter * random();
  return Math.round(base * scale);
}

// What a seat shows. `local` is what this page knows beyond the server's
// view: {claim: {seat, ...} | null, pendingSeat: index | null,
// protocols: {[index]: 'webrtc' | 'llhls'}}.
//   kind: 'free'    anyone may press Participate
//         'joining' someone else holds it but is not live yet
//         'starting' someone else's stream reached the media server, which
//                   cannot play it yet: no player, no error
//         'live'    someone else is live: play it
//         'failed'  someone else's stream cannot be watched (view.error)
//         'ending'  its last broadcast is being ended: not playable, not claimable
//         'mine'    this page holds it (reserved, starting, live or failed)
//         'claiming' this page asked for it and waits for the reply
// `local.released` (a seat index) is the seat this page just left: until the
// server says so it may still look like ours and live, but it is never
// played (that would connect a viewer to the stream we just ended).
export function seatView(seat, state, local = {}) {
  const claim = local.claim || null;
  const released = local.released === seat.index;
  const mine =
    !released && (seat.mine === true || state.mine === seat.index || (claim !== null && claim.seat === seat.index));
  let kind;
  if (mine) kind = 'mine';
  else if (local.pendingSeat === seat.index && seat.state === SEAT_FREE) kind = 'claiming';
  else if (seat.state === SEAT_ENDING) kind = 'ending';
  else if (released && seat.state !== SEAT_FREE) kind = 'joining';
  else if (seat.state === SEAT_LIVE) kind = 'live';
  else if (seat.state === SEAT_STARTING) kind = 'starting';
  else if (seat.state === SEAT_FAILED) kind = 'failed';
  else if (seat.state === SEAT_RESERVED) kind = 'joining';
  else kind = 'free';

  const view = {
    index: seat.index,
    stream: seat.stream,
    kind,
    live: seat.state === SEAT_LIVE && !released,
    starting: seat.state === SEAT_STARTING,
    failed: seat.state === SEAT_FAILED,
    error: seat.state === SEAT_FAILED && seat.error ? seat.error.message : null,
    onAir: [SEAT_STARTING, SEAT_LIVE, SEAT_FAILED].includes(seat.state),
    source: seat.source || null,
    resolution: resolutionLabel(seat.video),
    codec: (seat.video && typeof seat.video.codec === 'string' && seat.video.codec) || null,
    fps: seat.video && Number.isFinite(seat.video.framerate) && seat.video.framerate > 0 ? Math.round(seat.video.framerate) : null,
    watchers: Number.isInteger(seat.viewers) ? seat.viewers : null,
    locked: seat.locked === true,
    endedByModerator: seat.ended === 'moderator' && seat.state === SEAT_FREE,
    protocol: (local.protocols && local.protocols[seat.index]) || 'webrtc',
    webrtc: null,
    llhls: null,
  };
  if (view.live && state.playback) {
    view.webrtc = fillTemplate(state.playback.webrtc, seat.stream);
    view.llhls = fillTemplate(state.playback.llhls, seat.stream);
  }
  return view;
}

export function seatViews(state, local = {}) {
  return state.seats.map((seat) => seatView(seat, state, local));
}

function resolutionLabel(video) {
  if (!video || !Number.isFinite(video.width) || !Number.isFinite(video.height)) return null;
  if (video.width <= 0 || video.height <= 0) return null;
  return `${video.width}x${video.height}`;
}

// A failed player (both protocols) is replaced by a fresh one after these
// delays, attempt 0 first: fast at first (a seat that just turned live may
// still be a few hundred ms from playable over LL-HLS), then every 3 s for as
// long as the seat stays live.
export const PLAYER_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 3000];
export function playerRetryDelay(attempt) {
  const n = Number.isInteger(attempt) && attempt > 0 ? attempt : 0;
  return PLAYER_RETRY_DELAYS_MS[Math.min(n, PLAYER_RETRY_DELAYS_MS.length - 1)];
}

// Player sources in the order the viewer chose; the other protocol stays as
// OvenPlayer's fallback. Null URLs are left out.
export function playerSources(view) {
  const webrtc = view.webrtc ? { type: 'webrtc', file: view.webrtc, label: 'WebRTC' } : null;
  const llhls = view.llhls ? { type: 'llhls', file: view.llhls, label: 'LL-HLS' } : null;
  const ordered = view.protocol === 'llhls' ? [llhls, webrtc] : [webrtc, llhls];
  return ordered.filter(Boolean);
}

// Which room this page is for: `/r/<id>` in the path, or `?room=<id>`; null
// when neither is given (the page then asks GET /api/rooms).
export function roomFromLocation(pathname, search) {
  const m = /^\/r\/([A-Za-z0-9_-]{1,32})\/?$/.exec(pathname || '');
  if (m) return m[1];
  const q = new URLSearchParams(search || '').get('room');
  if (q && /^[A-Za-z0-9_-]{1,32}$/.test(q)) return q;
  return null;
}

// The rooms list from GET /api/rooms, accepting either a bare array or
// {rooms: [...]}; entries without an id are dropped.
export function parseRooms(body) {
  const list = Array.isArray(body) ? body : body && Array.isArray(body.rooms) ? body.rooms : [];
  return list
    .filter((r) => r && typeof r.id === 'string' && r.id !== '')
    .map((r) => ({
      id: r.id,
      title: typeof r.title === 'string' ? r.title : r.id,
      seats: Number.isInteger(r.seats) ? r.seats : Number.isInteger(r.seat_count) ? r.seat_count : null,
      viewers: Number.isInteger(r.viewers) ? r.viewers : null,
    }));
}

// Columns for the seat grid: near-square on wide screens (9 seats: 3x3).
export function gridColumns(seatCount) {
  if (seatCount <= 1) return 1;
  return Math.ceil(Math.sqrt(seatCount));
}

// The message a failed command shows to a person.
export function commandErrorMessage(command, error, seatIndex) {
  const code = error && error.code;
  const n = Number.isInteger(seatIndex) ? seatIndex + 1 : '?';
  switch (code) {
    case 'seat_taken':
      return `Someone else just took seat ${n}. Please pick another free seat.`;
    case 'seat_locked':
      return `Seat ${n} is locked by the moderator. Please pick another seat.`;
    case 'seat_ending':
      return `Seat ${n}'s last broadcast is still being ended. Try again in a moment.`;
    case 'bad_secret':
      return 'That is not the moderator secret.';
    case 'not_moderator':
      return 'Only the moderator can do that. Sign in as moderator first.';
    case 'moderation_disabled':
      return 'This server has no moderator.';
    case 'already_holding':
      return 'You already hold a seat in this room. Leave it before taking another.';
    case 'bad_seat':
      return `Seat ${n} does not exist in this room.`;
    case 'not_holder':
    case 'bad_token':
      return `Seat ${n} is no longer yours.`;
    case 'rate_limited':
      return 'Too many requests. Please wait a moment and try again.';
    case 'disconnected':
      return 'The connection to the room was lost. Please try again once it is back.';
    default:
      return (error && error.message) || `Could not ${command} seat ${n}.`;
  }
}

// A readable sentence for a getUserMedia / getDisplayMedia failure.
export function mediaErrorMessage(error, what = 'camera or microphone') {
  const name = (error && (error.name || error.code)) || '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return `Permission to use the ${what} was denied. Allow access in the browser's site settings and try again.`;
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return `No ${what} was found. Connect one and try again.`;
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return `The ${what} is busy or could not be started. Close other apps that use it and try again.`;
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return 'The selected resolution is not supported by this camera. Choose another resolution.';
    case 'TypeError':
      return `The ${what} cannot be used on this page (a secure https:// page is needed).`;
    default:
      return `Could not start the ${what}${error && error.message ? `: ${error.message}` : '.'}`;
  }
}

// Capture constraints from the pickers. Empty ids mean "browser default";
// a chosen resolution is exact so an unsupported one fails loudly instead of
// silently streaming something else.
export function captureConstraints({ videoId = '', audioId = '', resolution = 'auto' } = {}) {
  const video = {};
  if (videoId) video.deviceId = { exact: videoId };
  const m = /^(\d+)x(\d+)$/.exec(resolution);
  if (m) {
    video.width = { exact: Number(m[1]) };
    video.height = { exact: Number(m[2]) };
  }
  const audio = audioId ? { deviceId: { exact: audioId } } : true;
  return { video: Object.keys(video).length ? video : true, audio };
}

// A publish URL or key with its seat token hidden (`token=` in a query, or
// its percent-encoded form inside an SRT streamid).
export function maskToken(value) {
  if (typeof value !== 'string') return '';
  return value.replace(/(token(?:=|%3D))[^&%\s]+/gi, (_, key) => `${key}••••••••`);
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch (e) {
    return '';
  }
}

// What a person reads when publishing from the browser fails: what happened
// and what to do. phase: 'connect' (never got through to the media server)
// or 'lost' (was streaming, then the connection broke). The seat is kept in
// both cases (the page reopens the share dialog), so the text says so.
export function publishFailureMessage({ phase, url = '', detail = '' }) {
  const host = hostOf(url);
  const why = detail ? ` (${detail})` : '';
  if (phase === 'lost') {
    return `The connection to the media server was lost and your stream stopped${why}. Your seat is still yours: start again, or Leave.`;
  }
  return `Could not connect to the media server${host ? ` at ${host}` : ''} to publish${why}. ` +
    'It may be down or not reachable from your network. Your seat is still yours: try again, use Live Encoder, or Leave.';
}

// Whether a seat's sound is on: what the viewer chose for that seat (its mute
// button) if anything, else on only for the seat in the spotlight.
// muted: {[index]: true (muted by the viewer) | false (unmuted by the viewer)}
export function isAudible(index, { spotlight = null, muted = {} } = {}) {
  if (Object.prototype.hasOwnProperty.call(muted, index)) return !muted[index];
  return index === spotlight;
}

// The seat in the spotlight, if it may stay there: a seat that shows a
// picture (live, or this page's own while it publishes).
export function validSpotlight(spotlight, views) {
  if (!Number.isInteger(spotlight)) return null;
  const view = views[spotlight];
  return view && (view.kind === 'live' || (view.kind === 'mine' && view.live)) ? spotlight : null;
}

// Sentences for screen readers about seats that changed between two renders
// (the page's aria-live region). The first render announces nothing.
export function seatAnnouncements(before, after) {
  if (!before || before.length === 0) return [];
  const out = [];
  for (const view of after) {
    const old = before[view.index];
    if (!old) continue;
    const n = view.index + 1;
    if (Boolean(old.locked) !== Boolean(view.locked)) {
      out.push(view.locked ? `Seat ${n} was locked by the moderator.` : `Seat ${n} was unlocked.`);
    }
    const mineKind = (v) => (v.live ? 'live' : v.failed ? 'failed' : v.starting ? 'starting' : 'joining');
    const was = old.kind === 'mine' ? mineKind(old) : old.kind;
    const now = view.kind === 'mine' ? mineKind(view) : view.kind;
    if (was === now) continue;
    if (now === 'live') out.push(view.kind === 'mine' ? `Your seat ${n} is live.` : `Seat ${n} is live.`);
    else if (now === 'starting') out.push(view.kind === 'mine' ? `Your seat ${n} is starting.` : `Seat ${n} is starting.`);
    else if (now === 'failed') out.push(`Seat ${n} cannot be watched: ${view.error}`);
    else if (now === 'joining' && view.kind !== 'mine') out.push(`Someone is joining seat ${n}.`);
    else if (now === 'free' && view.endedByModerator) out.push(`The moderator ended the broadcast on seat ${n}.`);
    else if (now === 'free' && was === 'live') out.push(`Seat ${n} stopped broadcasting and is free.`);
    else if (now === 'free') out.push(`Seat ${n} is free.`);
  }
  return out;
}

// Whether the page was opened for moderation (`/r/<room>?mod`).
export function wantsModeration(search) {
  return new URLSearchParams(search || '').has('mod');
}
