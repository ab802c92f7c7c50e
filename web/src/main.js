// Page entry: picks the room, connects, and ties the seat grid, the players
// and the share dialog to the room state.

import './style.css';
import { RoomConnection, socketUrl } from './connection.js';
import { commandErrorMessage, normalizePublish, parseRooms, roomFromLocation, seatViews, SEAT_FREE } from './state.js';
import { Players } from './players.js';
import { ShareDialog, unreleasedMedia } from './share.js';
import { SeatGrid, renderBanner, renderHeader, renderRoomPicker, showToast } from './ui.js';

const $ = (id) => document.getElementById(id);

// What this page knows beyond the server's state.
const local = {
  claim: null, // {seat, stream, token, publish, heldSeen}
  pendingSeat: null, // claim sent, no reply yet
  resuming: false,
  protocols: {}, // seat index -> 'webrtc' | 'llhls'
};
let publisher = null; // the running Publisher of our seat (webcam/screen)
let conn = null;
let roomId = null;
let status = 'connecting';
let roomError = null;
let lastResume = null; // {seat, ok} of the last resume reply (for tests)

// The seat token survives a reconnect (and a reload) in sessionStorage, so
// `resume` can keep the seat; it is per tab and per room.
const tokenKey = () => `ovenspace.seat.${roomId}`;
function saveToken(claim) {
  try {
    sessionStorage.setItem(tokenKey(), JSON.stringify({ seat: claim.seat, token: claim.token }));
  } catch (e) {
    /* storage disabled: the seat is then kept only while the socket lives */
  }
}
function loadToken() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(tokenKey()) || 'null');
    if (saved && Number.isInteger(saved.seat) && typeof saved.token === 'string') return saved;
  } catch (e) {
    /* unreadable: treat as none */
  }
  return null;
}
function forgetToken() {
  try {
    sessionStorage.removeItem(tokenKey());
  } catch (e) {
    /* nothing to forget */
  }
}

const grid = new SeatGrid($('seats'), {
  onParticipate: (index) => participate(index),
  onLeave: (index) => leave(index),
  onProtocol: (index, protocol) => {
    local.protocols[index] = protocol;
    render();
  },
});
const players = new Players((index) => grid.playerHost(index));
const dialog = new ShareDialog({
  onStarted: (p) => {
    publisher = p;
    render();
  },
  onCancelled: () => leave(local.claim ? local.claim.seat : null),
  onEncoderConnected: () => render(),
  onPublisherFailure: (p, message) => {
    if (p !== publisher) {
      p.release();
      return;
    }
    showToast(message);
    leave(local.claim ? local.claim.seat : null);
  },
});

function render() {
  if (!conn) return;
  const state = conn.state;
  renderHeader(state);
  renderBanner({ status, media: state.media, playbackKnown: state.playback !== null, roomError });
  const views = seatViews(state, local);
  grid.update(views, {
    previewStream: publisher ? publisher.stream : null,
    canClaim: status === 'open',
    holding: local.claim !== null || local.pendingSeat !== null,
  });
  // Our own seat plays like any other when there is no local preview
  // (an external encoder feeds it).
  players.sync(views.map((v) => (v.kind === 'mine' && v.live && !publisher ? { ...v, kind: 'live' } : v)));
  if (local.claim) {
    const mine = views[local.claim.seat];
    if (mine) dialog.seatLive(mine.live);
  }
}

function onState(state) {
  if (local.claim && !local.resuming) {
    const seat = state.seats[local.claim.seat];
    if (seat && seat.state !== SEAT_FREE) local.claim.heldSeen = true;
    if (seat && seat.state === SEAT_FREE && local.claim.heldSeen) {
      // Lease ran out, or the seat was taken back: let go of everything.
      const n = local.claim.seat + 1;
      dropSeat();
      showToast(`Seat ${n} was released (it did not go live in time or the server ended it).`);
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
  saveToken(local.claim);
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
  local.claim = null;
  local.resuming = false;
  forgetToken();
}

// After every (re)connect: take our seat back with the saved token.
async function resumeSeat() {
  const saved = local.claim ? { seat: local.claim.seat, token: local.claim.token } : loadToken();
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
  saveToken(local.claim);
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
    roomError = `There is no room "${roomId}".`;
    conn.stop();
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
    url: socketUrl(location, roomId),
    onState,
    onStatus: (s) => {
      status = s;
      // Until `resume` answers, a free-looking seat is not a lost seat.
      if (s !== 'open' && local.claim) local.resuming = true;
      if (s === 'open') roomError = null;
      render();
    },
    onOpen: () => resumeSeat(),
    onServerError,
  });
  conn.start();
  render();
}

$('about-button').addEventListener('click', () => $('about-dialog').showModal());
window.addEventListener('pagehide', () => {
  // The tab goes away: release media now; the server frees the seat after
  // its grace period (or keeps it for `resume` if the tab comes back).
  players.removeAll();
  dialog.abort();
  if (publisher) publisher.release();
});

// Read-only hooks for the browser tests and for debugging from the console.
window.ovenspace = {
  state: () => (conn ? conn.state : null),
  status: () => status,
  room: () => roomId,
  claim: () => (local.claim ? { seat: local.claim.seat, stream: local.claim.stream, publish: local.claim.publish } : null),
  players: () => players.describe(),
  lastResume: () => lastResume,
  media: () => unreleasedMedia(),
  // Simulates a network drop of the room socket (tests of `resume`).
  dropConnection: () => {
    if (!conn) return;
    conn.dropSocket();
    conn.scheduleReconnect(0);
  },
};

boot();
