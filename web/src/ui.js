// DOM rendering of the page: header, banners, the seat grid. Seat cells are
// created once per seat and updated in place, so the player and preview
// elements inside them survive state changes.

import { gridColumns } from './state.js';
import { formatLatency } from './stats.js';

const $ = (id) => document.getElementById(id);

const KIND_TEXT = {
  free: 'Free seat',
  claiming: 'Taking this seat…',
  joining: 'Someone is joining…',
  // The media server has the stream and is preparing it for viewers (about
  // 4 s for a browser broadcast): no player yet, so no player error either.
  starting: 'Starting…',
  // Its holder left while live; the media server is still ending that
  // stream, so the seat cannot be taken yet.
  ending: 'Ending the last broadcast…',
  failed: '',
  live: '',
  mine: '',
};

const PLAYER_NOTE = {
  'no-media': 'No picture from this seat yet. Retrying…',
};

export class SeatGrid {
  // handlers: onParticipate(index), onLeave(index), onProtocol(index, protocol),
  // onSpotlight(index | null), onMute(index), onMic(), onCamera(),
  // onSource(), onDevices(), onEncoderDetails(), onModerate(command, index)
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
    this.root.style.setProperty('--strip', String(Math.max(1, Math.min(8, count - 1))));
  }

  createCell(index) {
    const cell = document.createElement('article');
    cell.className = 'seat';
    cell.dataset.seat = String(index);
    cell.setAttribute('aria-labelledby', `seat-name-${index}`);
    cell.innerHTML = `
      <div class="stage">
        <div class="player-host"></div>
        <video class="local-preview" autoplay muted playsinline hidden></video>
        <div class="placeholder">
          <span class="seat-number" aria-hidden="true"></span>
          <span class="seat-state"></span>
          <button type="button" class="btn primary participate">Participate</button>
        </div>
        <p class="stage-note" hidden></p>
        <p class="health" role="status" hidden><span class="health-figures"></span><span class="health-warning"></span></p>
        <div class="stage-tools viewer-tools" hidden>
          <button type="button" class="btn tool spotlight"></button>
          <button type="button" class="btn tool mute"></button>
          <button type="button" class="btn tool fullscreen">Full screen</button>
        </div>
        <div class="stage-tools live-controls" role="group" hidden>
          <button type="button" class="btn tool mic" aria-pressed="false"></button>
          <button type="button" class="btn tool camera" aria-pressed="false"></button>
          <button type="button" class="btn tool screen-switch"></button>
          <button type="button" class="btn tool devices">Devices</button>
        </div>
      </div>
      <footer class="seat-info">
        <div class="seat-row">
          <span class="seat-name" id="seat-name-${index}"></span>
          <span class="on-air" hidden>LIVE</span>
          <span class="lock-chip" hidden>Locked</span>
          <span class="watchers" hidden></span>
          <span class="seat-actions">
            <select class="protocol" hidden>
              <option value="webrtc">WebRTC</option>
              <option value="llhls">LL-HLS</option>
            </select>
            <button type="button" class="btn encoder-details" hidden>Encoder details</button>
            <button type="button" class="btn danger leave" hidden>Leave</button>
          </span>
          <span class="mod-tools" role="group" hidden>
            <button type="button" class="btn danger mod-end">End broadcast</button>
            <button type="button" class="btn mod-lock"></button>
          </span>
        </div>
        <div class="seat-stats" hidden>
          <span class="badge source"></span>
          <span class="badge codec"></span>
          <span class="badge resolution"></span>
          <span class="badge fps"></span>
          <span class="badge mode"></span>
          <span class="badge latency"></span>
        </div>
      </footer>`;
    const q = (sel) => cell.querySelector(sel);
    const parts = {
      cell,
      stage: q('.stage'),
      playerHost: q('.player-host'),
      preview: q('.local-preview'),
      placeholder: q('.placeholder'),
      number: q('.seat-number'),
      stateText: q('.seat-state'),
      participate: q('.participate'),
      note: q('.stage-note'),
      health: q('.health'),
      healthFigures: q('.health-figures'),
      healthWarning: q('.health-warning'),
      viewerTools: q('.viewer-tools'),
      spotlight: q('.spotlight'),
      mute: q('.mute'),
      fullscreen: q('.fullscreen'),
      liveControls: q('.live-controls'),
      mic: q('.mic'),
      camera: q('.camera'),
      sourceButton: q('.screen-switch'),
      devices: q('.devices'),
      name: q('.seat-name'),
      onAir: q('.on-air'),
      watchers: q('.watchers'),
      protocol: q('.protocol'),
      encoderDetails: q('.encoder-details'),
      leave: q('.leave'),
      lockChip: q('.lock-chip'),
      modTools: q('.mod-tools'),
      modEnd: q('.mod-end'),
      modLock: q('.mod-lock'),
      locked: false,
      stats: q('.seat-stats'),
      source: q('.badge.source'),
      codec: q('.badge.codec'),
      resolution: q('.badge.resolution'),
      fps: q('.badge.fps'),
      mode: q('.badge.mode'),
      latency: q('.badge.latency'),
      spotlit: false,
    };
    parts.number.textContent = String(index + 1);
    parts.name.textContent = `Seat ${index + 1}`;
    parts.protocol.setAttribute('aria-label', `Playback protocol for seat ${index + 1}`);
    parts.liveControls.setAttribute('aria-label', 'Your broadcast');
    const h = this.handlers;
    parts.participate.addEventListener('click', () => h.onParticipate(index));
    parts.leave.addEventListener('click', () => h.onLeave(index));
    parts.protocol.addEventListener('change', () => h.onProtocol(index, parts.protocol.value));
    parts.spotlight.addEventListener('click', () => h.onSpotlight(parts.spotlit ? null : index));
    parts.mute.addEventListener('click', () => h.onMute(index));
    parts.fullscreen.addEventListener('click', () => toggleFullscreen(parts.stage));
    parts.mic.addEventListener('click', () => h.onMic());
    parts.camera.addEventListener('click', () => h.onCamera());
    parts.sourceButton.addEventListener('click', () => h.onSource());
    parts.devices.addEventListener('click', () => h.onDevices());
    parts.encoderDetails.addEventListener('click', () => h.onEncoderDetails());
    parts.modEnd.addEventListener('click', () => h.onModerate('end_seat', index));
    parts.modLock.addEventListener('click', () => h.onModerate(parts.locked ? 'unlock' : 'lock', index));
    parts.modTools.setAttribute('aria-label', `Moderate seat ${index + 1}`);
    // A click on a picture puts it in the spotlight (or back); a double click
    // makes it full screen. The click waits a moment to know which it is (a
    // spotlight change in between would move the picture under the pointer).
    // Buttons on the picture keep their own meaning.
    const onPicture = (ev) => !ev.target.closest('button, select, a') && cell.dataset.picture === 'true';
    let clickTimer = null;
    parts.stage.addEventListener('click', (ev) => {
      if (!onPicture(ev) || ev.detail > 1) return;
      clearTimeout(clickTimer);
      clickTimer = setTimeout(() => h.onSpotlight(parts.spotlit ? null : index), DOUBLE_CLICK_MS);
    });
    parts.stage.addEventListener('dblclick', (ev) => {
      if (!onPicture(ev)) return;
      clearTimeout(clickTimer);
      toggleFullscreen(parts.stage);
    });
    this.root.appendChild(cell);
    return parts;
  }

  // views: from state.seatViews. ctx: previewStream (our publisher's stream
  // or null), canClaim, holding, spotlight (index | null), audible(index),
  // player(index) (Players.status), broadcast ({micOn, cameraOn, source,
  // health} of our publisher, or null), encoderDetails (the holder may open
  // them).
  update(views, ctx = {}) {
    const {
      previewStream = null, canClaim = true, holding = false, spotlight = null,
      audible = () => false, player = () => null, broadcast = null, encoderDetails = false, moderator = false,
    } = ctx;
    this.resize(views.length);
    this.root.classList.toggle('seats--spotlight', spotlight !== null);
    for (const view of views) {
      const p = this.cells[view.index];
      const kind = view.kind;
      const spot = spotlight === view.index;
      p.spotlit = spot;
      p.cell.dataset.kind = kind;
      p.cell.dataset.live = String(view.live);
      p.cell.className = `seat seat--${kind}${view.live ? ' seat--on-air' : ''}${spot ? ' seat--spot' : ''}`;

      const showPreview = kind === 'mine' && previewStream !== null;
      if (showPreview && p.preview.srcObject !== previewStream) p.preview.srcObject = previewStream;
      if (!showPreview && p.preview.srcObject) p.preview.srcObject = null;
      p.preview.hidden = !showPreview;

      // Placeholder: everything that is not a picture.
      const playing = kind === 'live' || (kind === 'mine' && (showPreview || view.live));
      p.cell.dataset.picture = String(playing);
      p.placeholder.hidden = playing;
      let text = KIND_TEXT[kind] || '';
      if (kind === 'live' && !view.webrtc && !view.llhls) text = 'Live (waiting for the media server)';
      if (kind === 'failed') text = view.error;
      if (kind === 'mine' && !showPreview && !view.live) {
        if (view.starting) text = 'Your stream reached the media server; starting…';
        else if (view.failed) text = view.error;
        else text = 'Your seat: waiting for your stream…';
      }
      if (kind === 'free' && view.endedByModerator) text = 'Broadcast ended by the moderator';
      if (kind === 'free' && view.locked) text = view.endedByModerator ? 'Ended and locked by the moderator' : 'Locked by the moderator';
      p.stateText.textContent = text;
      p.participate.hidden = kind !== 'free' || view.locked;
      p.participate.disabled = !canClaim || holding;
      p.locked = view.locked;
      p.lockChip.hidden = !view.locked;
      p.modTools.hidden = !moderator;
      if (moderator) {
        p.modEnd.hidden = kind === 'free' || kind === 'claiming' || kind === 'ending';
        p.modEnd.setAttribute('aria-label', `End broadcast on seat ${view.index + 1}`);
        setButton(p.modLock, view.locked ? 'Unlock' : 'Lock', `${view.locked ? 'Unlock' : 'Lock'} seat ${view.index + 1}`);
      }
      p.participate.setAttribute('aria-label', `Participate in seat ${view.index + 1}`);

      const status = kind === 'live' ? player(view.index) : null;
      const mine = kind === 'mine' && broadcast !== null;
      let note = status ? PLAYER_NOTE[status.phase] || '' : '';
      if (mine && !broadcast.cameraOn) note = 'Your camera is off: viewers see a black picture.';
      p.note.textContent = note;
      p.note.hidden = !note;

      // Viewer tools on every picture but our own preview.
      const viewerTools = kind === 'live' || (kind === 'mine' && view.live && !broadcast);
      p.viewerTools.hidden = !viewerTools;
      if (viewerTools) {
        const on = audible(view.index);
        setButton(p.spotlight, spot ? 'Show all' : 'Spotlight', spot ? `Show all seats` : `Spotlight seat ${view.index + 1}`);
        setButton(p.mute, on ? 'Mute' : 'Unmute', `${on ? 'Mute' : 'Unmute'} seat ${view.index + 1}`);
        p.mute.setAttribute('aria-pressed', String(!on));
        p.fullscreen.setAttribute('aria-label', `Full screen: seat ${view.index + 1}`);
      }

      // The broadcaster's own controls and health.
      p.liveControls.hidden = !mine;
      p.health.hidden = !mine;
      if (mine) {
        setButton(p.mic, broadcast.micOn ? 'Mute mic' : 'Unmute mic');
        p.mic.setAttribute('aria-pressed', String(!broadcast.micOn));
        setButton(p.camera, broadcast.cameraOn ? 'Camera off' : 'Camera on');
        p.camera.setAttribute('aria-pressed', String(!broadcast.cameraOn));
        setButton(p.sourceButton, broadcast.source === 'screen' ? 'Use camera' : 'Share screen');
        p.sourceButton.hidden = !broadcast.canShareScreen;
        p.devices.hidden = broadcast.source === 'screen' && !broadcast.canShareScreen;
        const health = broadcast.health;
        p.healthFigures.textContent = health ? health.figures : 'Connecting to the media server…';
        p.healthWarning.textContent = health && health.degraded ? health.reason : '';
        p.health.classList.toggle('degraded', Boolean(health && health.degraded));
      }

      p.onAir.hidden = !view.live;
      setBadge(p.watchers, view.live && Number.isInteger(view.watchers) ? `${view.watchers} watching` : null);
      const stats = view.live && kind !== 'claiming';
      p.stats.hidden = !stats;
      setBadge(p.source, stats ? view.source : null);
      setBadge(p.codec, stats ? view.codec : null);
      setBadge(p.resolution, stats ? view.resolution : null);
      const fps = status && Number.isFinite(status.fps) && status.fps > 0 ? Math.round(status.fps) : view.fps;
      setBadge(p.fps, stats && fps ? `${fps} fps` : null);
      setBadge(p.mode, status && status.mode ? `playing ${MODE_TEXT[status.mode] || status.mode}` : null);
      setBadge(p.latency, status && Number.isFinite(status.latencyMs) ? `latency ${formatLatency(status.latencyMs)}` : null);
      p.stats.title = [view.source, view.codec, view.resolution].filter(Boolean).join(' · ');
      p.protocol.hidden = kind !== 'live';
      // The protocol really playing (after OvenPlayer's fallback), else the
      // one asked for.
      const shown = (status && status.mode) || view.protocol;
      if (p.protocol.value !== shown) p.protocol.value = shown;
      p.encoderDetails.hidden = !(kind === 'mine' && encoderDetails);
      p.leave.hidden = kind !== 'mine';
    }
  }

  playerHost(index) {
    return this.cells[index] ? this.cells[index].playerHost : null;
  }

  stage(index) {
    return this.cells[index] ? this.cells[index].stage : null;
  }
}

const DOUBLE_CLICK_MS = 250;
const MODE_TEXT = { webrtc: 'WebRTC', llhls: 'LL-HLS' };

function setButton(el, text, label = null) {
  if (el.textContent !== text) el.textContent = text;
  if (label) el.setAttribute('aria-label', label);
  else el.removeAttribute('aria-label');
}

function toggleFullscreen(el) {
  if (document.fullscreenElement) {
    document.exitFullscreen().catch(() => {});
  } else if (el.requestFullscreen) {
    el.requestFullscreen().catch(() => {});
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
  } else if (media && media.reachable === null) {
    // The room service lost its gateway (e.g. a restart): nothing is known
    // about the media server, and what plays keeps playing.
    text = 'Media server status unknown for a moment; playing seats keep playing. Seat changes may show late.';
    level = 'info';
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

// A message at the top of the page (never over the seats' controls at the
// bottom), gone after a while or with its Dismiss button.
let toastTimer = null;
export function showToast(message, ms = 8000) {
  const el = $('toast');
  $('toast-text').textContent = message;
  el.hidden = false;
  if (toastTimer !== null) clearTimeout(toastTimer);
  toastTimer = setTimeout(hideToast, ms);
}
export function hideToast() {
  $('toast').hidden = true;
  if (toastTimer !== null) clearTimeout(toastTimer);
  toastTimer = null;
}

// Seat changes for screen readers (the aria-live region), one sentence each.
export function announce(sentences) {
  if (!sentences.length) return;
  $('announcer').textContent = sentences.join(' ');
}

// `/r/<unknown>`: say so and link to the room list instead of an empty page.
export function renderRoomMissing(roomId) {
  $('room-missing-title').textContent = `There is no room "${roomId}"`;
  $('room-missing').hidden = false;
  $('seats').hidden = true;
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
