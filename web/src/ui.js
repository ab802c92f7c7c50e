// DOM rendering of the page: header, banners, the seat grid. Seat cells are
// created once per seat and updated in place, so the player and preview
// elements inside them survive state changes.

import { gridColumns } from './state.js';

const $ = (id) => document.getElementById(id);

const KIND_TEXT = {
  free: 'Free seat',
  claiming: 'Taking this seat…',
  joining: 'Someone is joining…',
  live: '',
  mine: '',
};

export class SeatGrid {
  // handlers: {onParticipate(index), onLeave(index), onProtocol(index, protocol)}
  constructor(root, handlers) {
    this.root = root;
    this.handlers = handlers;
    this.cells = [];
  }

  resize(count) {
    if (this.cells.length === count) return;
    this.root.textContent = '';
    this.cells = [];
    for (let i = 0; i < count; i++) this.cells.push(this.createCell(i));
    const cols = gridColumns(count);
    this.root.style.setProperty('--cols', String(cols));
    this.root.style.setProperty('--rows', String(Math.ceil(count / cols)));
  }

  createCell(index) {
    const cell = document.createElement('article');
    cell.className = 'seat';
    cell.dataset.seat = String(index);
    cell.innerHTML = `
      <div class="stage">
        <div class="player-host"></div>
        <video class="local-preview" autoplay muted playsinline hidden></video>
        <div class="placeholder">
          <span class="seat-number"></span>
          <span class="seat-state"></span>
          <button type="button" class="btn primary participate">Participate</button>
        </div>
      </div>
      <footer class="seat-info">
        <span class="seat-name"></span>
        <span class="badge source" hidden></span>
        <span class="badge resolution" hidden></span>
        <select class="protocol" title="Playback protocol" hidden>
          <option value="webrtc">WebRTC</option>
          <option value="llhls">LL-HLS</option>
        </select>
        <button type="button" class="btn danger leave" hidden>Leave</button>
      </footer>`;
    const q = (sel) => cell.querySelector(sel);
    const parts = {
      cell,
      playerHost: q('.player-host'),
      preview: q('.local-preview'),
      placeholder: q('.placeholder'),
      number: q('.seat-number'),
      stateText: q('.seat-state'),
      participate: q('.participate'),
      name: q('.seat-name'),
      source: q('.source'),
      resolution: q('.resolution'),
      protocol: q('.protocol'),
      leave: q('.leave'),
    };
    parts.number.textContent = String(index + 1);
    parts.name.textContent = `Seat ${index + 1}`;
    parts.participate.addEventListener('click', () => this.handlers.onParticipate(index));
    parts.leave.addEventListener('click', () => this.handlers.onLeave(index));
    parts.protocol.addEventListener('change', () => this.handlers.onProtocol(index, parts.protocol.value));
    this.root.appendChild(cell);
    return parts;
  }

  // views: from state.seatViews; mine: {seat, previewStream} | null
  update(views, { previewStream = null, canClaim = true, holding = false } = {}) {
    this.resize(views.length);
    for (const view of views) {
      const p = this.cells[view.index];
      const kind = view.kind;
      p.cell.dataset.kind = kind;
      p.cell.dataset.live = String(view.live);
      p.cell.className = `seat seat--${kind}${view.live ? ' seat--on-air' : ''}`;

      const showPreview = kind === 'mine' && previewStream !== null;
      if (showPreview && p.preview.srcObject !== previewStream) p.preview.srcObject = previewStream;
      if (!showPreview && p.preview.srcObject) p.preview.srcObject = null;
      p.preview.hidden = !showPreview;

      // Placeholder: everything that is not a picture.
      const playing = kind === 'live' || (kind === 'mine' && (showPreview || view.live));
      p.placeholder.hidden = playing;
      let text = KIND_TEXT[kind] || '';
      if (kind === 'live' && !view.webrtc && !view.llhls) text = 'Live (waiting for the media server)';
      if (kind === 'mine' && !showPreview && !view.live) text = 'Your seat: waiting for your stream…';
      p.stateText.textContent = text;
      p.participate.hidden = kind !== 'free';
      p.participate.disabled = !canClaim || holding;

      setBadge(p.source, view.live ? view.source : null);
      setBadge(p.resolution, view.live ? view.resolution : null);
      p.protocol.hidden = kind !== 'live';
      if (p.protocol.value !== view.protocol) p.protocol.value = view.protocol;
      p.leave.hidden = kind !== 'mine';
    }
  }

  playerHost(index) {
    return this.cells[index] ? this.cells[index].playerHost : null;
  }
}

function setBadge(el, text) {
  el.hidden = !text;
  el.textContent = text || '';
}

export function renderHeader(state) {
  const title = (state.room && state.room.title) || 'OvenSpace';
  $('room-title').textContent = title;
  document.title = title;
  $('viewer-number').textContent = String(state.viewers);
  $('viewer-count').querySelector('.viewer-word').textContent = 'watching';
}

// One line under the header for what is wrong with the connections, most
// important first; hidden when all is well.
export function renderBanner({ status, media, playbackKnown, roomError }) {
  let text = '';
  let level = 'warn';
  if (roomError) {
    text = roomError;
    level = 'error';
  } else if (status === 'reconnecting') {
    text = 'Connection to the room lost. Reconnecting…';
  } else if (status === 'connecting') {
    text = 'Connecting…';
    level = 'info';
  } else if (media && media.reachable === false) {
    text = 'The media server is unreachable. Live seats may not play until it is back.';
  } else if (media && media.stale) {
    text = 'The seat list may be out of date: the media server has not answered recently.';
  } else if (!playbackKnown) {
    text = 'Waiting for the media server…';
    level = 'info';
  }
  const el = $('banner');
  el.textContent = text;
  el.dataset.level = level;
  el.hidden = !text;
}

let toastTimer = null;
export function showToast(message, ms = 6000) {
  const el = $('toast');
  el.textContent = message;
  el.hidden = false;
  if (toastTimer !== null) clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
    toastTimer = null;
  }, ms);
}

export function renderRoomPicker(rooms) {
  const list = $('room-list');
  list.textContent = '';
  for (const room of rooms) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `/r/${encodeURIComponent(room.id)}`;
    a.className = 'room-link';
    a.textContent = room.title;
    const meta = document.createElement('span');
    meta.className = 'room-meta';
    const bits = [];
    if (room.seats !== null) bits.push(`${room.seats} seats`);
    if (room.viewers !== null) bits.push(`${room.viewers} watching`);
    meta.textContent = bits.join(' · ');
    li.append(a, meta);
    list.appendChild(li);
  }
  $('room-picker').hidden = false;
  $('seats').hidden = true;
}
