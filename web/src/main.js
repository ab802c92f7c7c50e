// Page entry: picks the room, connects, and ties the seat grid, the players,
// the share dialog and the broadcaster's live controls to the room state.
// Only what the first paint needs is imported statically; the players and
// OvenLiveKit come later (src/vendor.js).

/* global __OVS_TEST_HOOKS__ */
import './style.css';
import { RoomConnection, socketUrl, viewerId } from './connection.js';
import {
  commandErrorMessage, isAudible, normalizePublish, parseRooms, roomFromLocation, seatAnnouncements, seatViews,
  validSpotlight, SEAT_FREE,
} from './state.js';
import { Players } from './players.js';
import { listDevices, ShareDialog } from './share.js';
import { unreleasedMedia } from './publisher.js';
import { EncoderDetails } from './encoder.js';
import { formatBitrate, formatFps, senderHealth } from './stats.js';
import {
  SeatGrid, announce, hideToast, renderBanner, renderHeader, renderRoomMissing, renderRoomPicker, showToast,
} from './ui.js';
import { installTestHooks } from './testhooks.js';
import { enhanceDialogs } from './dialogs.js';
import { Moderation } from './moderation.js';
import { forgetToken, loadToken, saveToken } from './seat_token.js';

const $ = (id) => document.getElementById(id);

// What this page knows beyond the server's state.
const local = {
  claim: null, // {seat, stream, token, publish, heldSeen}
  pendingSeat: null, // claim sent, no reply yet
  resuming: false,
  protocols: {}, // seat index -> 'webrtc' | 'llhls'
  spotlight: null, // seat index in the spotlight, or null
  muted: {}, // seat index -> true/false: the viewer's own choice for its sound
  released: null, // the seat this page just left, until the server shows it free
};
const RELEASED_FORGET_MS = 5000; // in case the free seat frame never comes
// The broadcaster's stream health (from its connection's statistics).
const broadcast = { health: null, sample: null };
let previousViews = null;
let publisher = null; // the running Publisher of our seat (webcam/screen)
let conn = null;
let roomId = null;
let status = 'connecting';
let roomError = null;
let lastResume = null; // {seat, ok} of the last resume reply (for tests)

enhanceDialogs();
const moderation = new Moderation({
  command: (type, fields) => (conn ? conn.command(type, fields) : Promise.reject(Object.assign(new Error('disconnected'), { code: 'disconnected' }))),
  onChange: () => render(),
});
const grid = new SeatGrid($('seats'), {
  onParticipate: (index) => participate(index),
  onLeave: (index) => leave(index),
  onProtocol: (index, protocol) => {
    // Picking the protocol already asked for (the player fell back to the
    // other one) means: try it again.
    const again = (local.protocols[index] || 'webrtc') === protocol;
    local.protocols[index] = protocol;
    if (again) players.removePlayer(index);
    render();
  },
  onSpotlight: (index) => {
    local.spotlight = index;
    render();
    if (index !== null) grid.stage(index).scrollIntoView({ block: 'nearest' });
  },
  onMute: (index) => {
    local.muted[index] = isAudible(index, local);
    render();
  },
  onMic: () => publisher && publisher.setMic(!publisher.micOn),
  onCamera: () => publisher && publisher.setCamera(!publisher.cameraOn),
  onSource: () => switchSource(),
  onDevices: () => openDevices(),
  onEncoderDetails: () => openEncoderDetails(),
  onModerate: (command, index) => moderation.run(command, index),
});
const players = new Players((index) => grid.playerHost(index), { onChange: () => render() });
const encoderDetails = new EncoderDetails($('encoder-dialog-fields'));
const dialog = new ShareDialog({
  onStarted: (p) => {
    publisher = p;
    p.onChange = () => render();
    broadcast.health = null;
    broadcast.sample = null;
    render();
  },
  onCancelled: () => leave(local.claim ? local.claim.seat : null),
  onEncoderConnected: () => render(),
  // A started stream broke: the seat stays ours; the share dialog comes back
  // with what happened, to start again, switch to an encoder or leave.
  onPublisherFailure: (p, message) => {
    p.release();
    if (p !== publisher) return;
    publisher = null;
    broadcast.health = null;
    if (local.claim) dialog.open(local.claim, { error: message });
    else showToast(message);
    render();
  },
});

function render() {
  if (!conn) return;
  const state = conn.state;
  renderHeader(state);
  renderBanner({ status, media: state.media, playbackKnown: state.playback !== null, roomError });
  const views = seatViews(state, local);
  local.spotlight = validSpotlight(local.spotlight, views);
  const audible = (index) => isAudible(index, local);
  dialog.setMediaReachable(!(state.media && state.media.reachable === false));
  grid.update(views, {
    previewStream: publisher ? publisher.stream : null,
    canClaim: status === 'open',
    holding: local.claim !== null || local.pendingSeat !== null,
    spotlight: local.spotlight,
    audible,
    player: (index) => players.status(index),
    broadcast: publisher ? broadcastView() : null,
    encoderDetails: Boolean(local.claim && local.claim.publish),
    moderator: moderation.active,
  });
  moderation.render();
  renderSpotlightBar();
  // Our own seat plays like any other when there is no local preview
  // (an external encoder feeds it).
  players.sync(views.map((v) => (v.kind === 'mine' && v.live && !publisher ? { ...v, kind: 'live' } : v)), audible);
  if (local.claim) {
    const mine = views[local.claim.seat];
    // The encoder is connected once the media server has its stream, playable
    // yet or not (the tile then shows it starting).
    if (mine) dialog.seatLive(mine.onAir);
  }
  announce(seatAnnouncements(previousViews, views));
  previousViews = views;
}

function renderSpotlightBar() {
  const bar = $('spotlight-bar');
  bar.hidden = local.spotlight === null;
  if (local.spotlight !== null) $('spotlight-text').textContent = `Seat ${local.spotlight + 1} in the spotlight.`;
}

function broadcastView() {
  return {
    micOn: publisher.micOn,
    cameraOn: publisher.cameraOn,
    source: publisher.source,
    canShareScreen: Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia),
    health: broadcast.health,
  };
}

// The broadcaster's health line: sending bitrate, frame rate, resolution,
// and a warning when the connection degrades (src/stats.js decides).
async function sampleHealth() {
  const p = publisher;
  if (!p || !p.started) return;
  let entries = null;
  try {
    entries = await p.stats();
  } catch (e) {
    entries = null;
  }
  if (p !== publisher || !entries) return;
  const { sample, health } = senderHealth(entries, broadcast.sample, {
    connectionState: p.connectionState,
    cameraOn: p.cameraOn,
  });
  broadcast.sample = sample;
  const figures = [
    health.bitrate !== null ? formatBitrate(health.bitrate) : null,
    formatFps(health.fps),
    health.width && health.height ? `${health.width}x${health.height}` : null,
  ].filter(Boolean).join(' · ');
  broadcast.health = { ...health, figures: figures || 'Starting…' };
  render();
}

async function switchSource() {
  if (!publisher) return;
  const to = publisher.source === 'screen' ? 'camera' : 'screen';
  try {
    await publisher.switchTo(to);
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    showToast(mediaSwitchMessage(to, e));
  }
}

function mediaSwitchMessage(to, error) {
  const what = to === 'screen' ? 'screen' : 'camera';
  if (error && error.name === 'NotAllowedError') return `Sharing the ${what} was not allowed. You are still sending what you sent before.`;
  return `Could not switch to the ${what}${error && error.message ? ` (${error.message})` : ''}. You are still sending what you sent before.`;
}

function openEncoderDetails() {
  if (!local.claim) return;
  encoderDetails.show(local.claim.publish);
  $('encoder-dialog').showModal();
}

async function openDevices() {
  if (!publisher) return;
  $('devices-error').hidden = true;
  $('devices-dialog').showModal();
  await listDevices(publisher.stream, $('live-camera-select'), $('live-mic-select'));
}

async function changeDevice(kind) {
  if (!publisher) return;
  const error = $('devices-error');
  error.hidden = true;
  const id = kind === 'video' ? $('live-camera-select').value : $('live-mic-select').value;
  // The device already in use: nothing to switch (opening it a second time
  // is what some cameras, and Chromium's fake one, answer with no frames).
  if (publisher.source === 'camera' || kind === 'audio') {
    if (id && id === publisher.deviceOf(kind)) return;
  }
  try {
    if (kind === 'video') await publisher.switchTo('camera', id);
    else await publisher.switchMic(id);
  } catch (e) {
    error.textContent = mediaSwitchMessage('camera', e);
    error.hidden = false;
  }
}
$('live-camera-select').addEventListener('change', () => changeDevice('video'));
$('live-mic-select').addEventListener('change', () => changeDevice('audio'));

function onState(state) {
  if (local.released !== null) {
    const seat = state.seats[local.released];
    if (!seat || seat.state === SEAT_FREE) local.released = null;
  }
  if (local.claim && !local.resuming) {
    const seat = state.seats[local.claim.seat];
    if (seat && seat.state !== SEAT_FREE) local.claim.heldSeen = true;
    if (seat && seat.state === SEAT_FREE && local.claim.heldSeen) {
      // Lease ran out, the moderator ended it, or the seat was taken back:
      // let go of everything.
      const n = local.claim.seat + 1;
      dropSeat();
      showToast(seat.ended === 'moderator'
        ? `The moderator ended your broadcast on seat ${n}.`
        : `Seat ${n} was released (it did not go live in time or the server ended it).`);
    }
  }
  render();
}

async function participate(index) {
  if (local.claim || local.pendingSeat !== null) {
    showToast('You already hold a seat in this room. Leave it before taking another.');
    return;
  }
  local.pendingSeat = index;
  render();
  let reply;
  try {
    reply = await conn.command('claim', { seat: index });
  } catch (e) {
    local.pendingSeat = null;
    showToast(commandErrorMessage('claim', e, index));
    render();
    return;
  }
  local.pendingSeat = null;
  if (!reply.ok) {
    showToast(commandErrorMessage('claim', reply.error, index));
    render();
    return;
  }
  local.claim = claimFromReply(reply, index);
  saveToken(roomId, local.claim);
  dialog.open(local.claim);
  render();
}

function claimFromReply(reply, fallbackSeat) {
  return {
    seat: Number.isInteger(reply.seat) ? reply.seat : fallbackSeat,
    stream: reply.stream,
    token: reply.token,
    publish: normalizePublish(reply.publish),
    leaseMs: reply.lease_ms,
    heldSeen: false,
  };
}

// Leave (or Cancel): release the seat on the server and everything local.
function leave(index) {
  const seat = index ?? (local.claim && local.claim.seat);
  dropSeat();
  if (Number.isInteger(seat)) {
    // Until the server says the seat is free it still looks like ours and
    // live: never play it (a viewer connection to the stream we just ended).
    local.released = seat;
    setTimeout(() => {
      if (local.released === seat) {
        local.released = null;
        render();
      }
    }, RELEASED_FORGET_MS);
  }
  render();
  if (Number.isInteger(seat) && conn) {
    conn.command('release', { seat }).catch(() => {
      /* disconnected: the server frees it after its grace period */
    });
  }
}

// Forget the seat locally, releasing the publisher, the dialog's media and
// the saved token.
function dropSeat() {
  dialog.abort();
  if (publisher) publisher.release();
  publisher = null;
  broadcast.health = null;
  local.claim = null;
  local.resuming = false;
  for (const id of ['encoder-dialog', 'devices-dialog']) if ($(id).open) $(id).close();
  forgetToken(roomId);
}

// After every (re)connect: take our seat back with the saved token.
async function resumeSeat() {
  const saved = local.claim ? { seat: local.claim.seat, token: local.claim.token } : loadToken(roomId);
  if (!saved) {
    local.resuming = false;
    return;
  }
  local.resuming = true;
  let reply;
  try {
    reply = await conn.command('resume', { seat: saved.seat, token: saved.token });
  } catch (e) {
    return; // dropped again; the next open retries
  }
  local.resuming = false;
  lastResume = { seat: saved.seat, ok: reply.ok === true };
  if (!reply.ok) {
    const had = local.claim !== null;
    dropSeat();
    if (had) showToast(`Seat ${saved.seat + 1} could not be kept across the reconnect and was released.`);
    render();
    return;
  }
  const fresh = !local.claim;
  local.claim = { ...claimFromReply(reply, saved.seat), heldSeen: true };
  saveToken(roomId, local.claim);
  if (dialog.isOpen) dialog.updateClaim(local.claim);
  const seat = conn.state.seats[local.claim.seat];
  if (fresh && !publisher && !(seat && seat.state === 'live')) {
    // Reloaded page: the seat is still ours but nothing streams to it.
    dialog.open(local.claim);
  }
  render();
}

function onServerError(error) {
  if (error.code === 'unknown_room') {
    conn.stop();
    renderRoomMissing(roomId);
    document.title = 'OvenSpace: no such room';
    status = 'closed';
    return;
  } else if (error.code === 'room_full' || error.code === 'server_full') {
    roomError = 'This room is full right now. Retrying…';
  } else {
    console.warn('ovenspace: server error', error.code, error.message);
  }
  render();
}

async function fetchRooms() {
  try {
    const res = await fetch('/api/rooms', { headers: { accept: 'application/json' } });
    if (!res.ok) return null;
    return parseRooms(await res.json());
  } catch (e) {
    return null;
  }
}

async function boot() {
  roomId = roomFromLocation(location.pathname, location.search);
  const roomsPromise = fetchRooms();
  if (roomId === null) {
    const rooms = await roomsPromise;
    if (rooms && rooms.length > 1) {
      document.title = 'OvenSpace: rooms';
      renderRoomPicker(rooms);
      return;
    }
    roomId = rooms && rooms.length === 1 ? rooms[0].id : 'main';
  }
  roomsPromise.then((rooms) => {
    if (rooms && rooms.length > 1) $('rooms-link').hidden = false;
  });
  conn = new RoomConnection({
    url: socketUrl(location, roomId, viewerId(globalThis.localStorage)),
    onState,
    onStatus: (s) => {
      status = s;
      // Until `resume` answers, a free-looking seat is not a lost seat.
      if (s !== 'open' && local.claim) local.resuming = true;
      if (s === 'open') roomError = null;
      render();
    },
    onOpen: () => {
      resumeSeat();
      moderation.reconnected();
    },
    onServerError,
  });
  conn.start();
  render();
}

$('about-button').addEventListener('click', () => $('about-dialog').showModal());
$('toast-close').addEventListener('click', () => hideToast());
$('spotlight-exit').addEventListener('click', () => {
  local.spotlight = null;
  render();
});
setInterval(() => {
  sampleHealth();
}, 1000);
setInterval(() => {
  players.poll();
}, 2000);
window.addEventListener('pagehide', () => {
  // The tab goes away: release media now; the server frees the seat after
  // its grace period (or keeps it for `resume` if the tab comes back).
  players.removeAll();
  dialog.abort();
  if (publisher) publisher.release();
});

// Read-only views and fault injectors for the browser tests; only in a build
// made with --test-hooks (build.mjs), never in production.
if (__OVS_TEST_HOOKS__) {
  installTestHooks({
    state: () => (conn ? conn.state : null),
    status: () => status,
    room: () => roomId,
    claim: () => (local.claim ? { seat: local.claim.seat, stream: local.claim.stream, publish: local.claim.publish } : null),
    players: () => players.describe(),
    lastResume: () => lastResume,
    media: () => unreleasedMedia(),
    spotlight: () => local.spotlight,
    moderator: () => moderation.active,
    broadcast: () => (publisher ? { ...broadcastView(), connectionState: publisher.connectionState } : null),
    peer: () => (publisher && publisher.kit ? publisher.kit.peerConnection : null),
    // Ids of the tracks the running connection sends (tests of replaceTrack).
    broadcastTracks: () => {
      const pc = publisher && publisher.kit && publisher.kit.peerConnection;
      const out = { video: null, audio: null };
      if (pc) for (const s of pc.getSenders()) if (s.track) out[s.track.kind] = s.track.id;
      return out;
    },
    // Simulates a network drop of the room socket (tests of `resume`).
    dropConnection: () => {
      if (!conn) return;
      conn.dropSocket();
      conn.scheduleReconnect(0);
    },
    // Caps the sending bitrate as a congested network would (tests of the
    // degraded warning).
    limitSendBitrate: async (bps) => {
      const pc = publisher && publisher.kit && publisher.kit.peerConnection;
      if (!pc) return false;
      for (const sender of pc.getSenders()) {
        if (!sender.track || sender.track.kind !== 'video') continue;
        const params = sender.getParameters();
        params.encodings = (params.encodings && params.encodings.length ? params.encodings : [{}]).map((e) => ({ ...e, maxBitrate: bps }));
        await sender.setParameters(params);
      }
      return true;
    },
  });
}

boot();
