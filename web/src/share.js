// The share dialog ("Participate"): WebCam/Mic, Share screen, Live Encoder.
// It opens only after the room service granted a seat (the claim reply), and
// it hands a running Publisher to the page on "Start sharing". Whatever it
// acquired is released on Cancel, on errors and on mode switches, so nothing
// (camera light, microphone, OvenLiveKit socket) outlives its use.

import { OvenLiveKit } from './vendor.js';
import { captureConstraints, mediaErrorMessage } from './state.js';

const CONNECTED_CLOSE_MS = 1500;

// Every Publisher not yet released, so tests (and a curious developer) can
// check that nothing holds a camera or a socket after Leave/Cancel/errors.
const unreleased = new Set();
export function unreleasedMedia() {
  let tracks = 0;
  for (const p of unreleased) if (p.stream) tracks += p.stream.getTracks().filter((t) => t.readyState === 'live').length;
  return { publishers: unreleased.size, liveTracks: tracks };
}

// One OvenLiveKit instance and the media it captured.
export class Publisher {
  // onFailure(message): streaming could not start or broke afterwards.
  constructor({ onFailure } = {}) {
    this.onFailure = onFailure || (() => {});
    this.stream = null;
    this.started = false;
    this.connected = false;
    this.released = false;
    unreleased.add(this);
    this.kit = OvenLiveKit.create({
      callbacks: {
        error: (error) => this.fail(error),
        connected: () => {
          this.connected = true;
        },
        connectionClosed: (type) => {
          if (type === 'user' || this.released || !this.started) return;
          this.onFailure('The connection to the media server was lost. Your stream stopped.');
        },
      },
    });
  }

  fail(error) {
    if (this.released || !this.started) return; // capture errors are reported by acquire*
    const detail = typeof error === 'string' ? error : (error && (error.message || error.name)) || '';
    this.onFailure(`The stream could not be created${detail ? ` (${detail})` : ''}.`);
  }

  async acquireCamera(choice) {
    this.stopTracks();
    const stream = await this.kit.getUserMedia(captureConstraints(choice));
    return this.keep(stream);
  }

  async acquireScreen() {
    this.stopTracks();
    const stream = await this.kit.getDisplayMedia({ video: true, audio: true });
    return this.keep(stream);
  }

  keep(stream) {
    if (this.released) {
      stopStream(stream);
      throw Object.assign(new Error('released'), { name: 'AbortError' });
    }
    this.stream = stream;
    // A screen share ended from the browser's own "Stop sharing" bar.
    for (const track of stream.getVideoTracks()) {
      track.addEventListener('ended', () => {
        if (this.started && this.stream === stream) this.onFailure('Screen sharing was stopped.');
      });
    }
    return stream;
  }

  start(url) {
    this.started = true;
    this.kit.startStreaming(url);
  }

  stopTracks() {
    if (this.stream) stopStream(this.stream);
    this.stream = null;
  }

  release() {
    if (this.released) return;
    this.released = true;
    unreleased.delete(this);
    try {
      this.kit.remove();
    } catch (e) {
      /* nothing was started */
    }
    this.stopTracks();
  }
}

function stopStream(stream) {
  for (const track of stream.getTracks()) track.stop();
}

const $ = (id) => document.getElementById(id);

export class ShareDialog {
  // onStarted(publisher): "Start sharing" succeeded; the page owns it now.
  // onCancelled(): the user gave the seat up before going live.
  // onEncoderConnected(): the seat went live from an external encoder.
  // onPublisherFailure(message): a started publisher broke later.
  constructor({ onStarted, onCancelled, onEncoderConnected, onPublisherFailure }) {
    this.onStarted = onStarted;
    this.onCancelled = onCancelled;
    this.onEncoderConnected = onEncoderConnected;
    this.onPublisherFailure = onPublisherFailure;
    this.dialog = $('share-dialog');
    this.claim = null;
    this.mode = 'camera';
    this.publisher = null;
    this.closeTimer = null;
    this.acquireCount = 0; // drops results of superseded acquisitions

    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getDisplayMedia !== 'function') {
      $('screen-tab').hidden = true;
    }
    for (const tab of this.dialog.querySelectorAll('.tab')) {
      tab.addEventListener('click', () => this.setMode(tab.dataset.mode));
    }
    for (const id of ['camera-select', 'mic-select', 'resolution-select']) {
      $(id).addEventListener('change', () => this.acquireCamera());
    }
    $('screen-pick').addEventListener('click', () => this.acquireScreen());
    $('share-start').addEventListener('click', () => this.start());
    $('share-cancel').addEventListener('click', () => this.cancel());
    this.dialog.addEventListener('cancel', (ev) => {
      ev.preventDefault(); // Escape: same as Cancel, through one path
      this.cancel();
    });
    for (const button of this.dialog.querySelectorAll('[data-copy]')) {
      button.addEventListener('click', () => copyText($(button.dataset.copy).textContent, button));
    }
  }

  get isOpen() {
    return this.claim !== null;
  }

  open(claim) {
    this.claim = claim;
    $('share-title').textContent = `Participate: seat ${claim.seat + 1}`;
    this.fillEncoderFields(claim.publish);
    this.setEncoderStatus(false);
    this.showError('');
    if (!this.dialog.open) this.dialog.showModal();
    this.setMode('camera', true);
  }

  // A fresh claim reply (after `resume`) may carry new URLs.
  updateClaim(claim) {
    if (!this.claim || claim.seat !== this.claim.seat) return;
    this.claim = claim;
    this.fillEncoderFields(claim.publish);
  }

  setMode(mode, force = false) {
    if (mode === this.mode && !force) return;
    this.mode = mode;
    for (const tab of this.dialog.querySelectorAll('.tab')) {
      tab.setAttribute('aria-selected', String(tab.dataset.mode === mode));
      tab.classList.toggle('active', tab.dataset.mode === mode);
    }
    for (const pane of this.dialog.querySelectorAll('.pane')) pane.hidden = pane.dataset.pane !== mode;
    this.showError('');
    this.dropPublisher();
    $('share-start').hidden = mode === 'encoder';
    $('share-start').disabled = true;
    if (mode === 'camera') this.acquireCamera();
  }

  async acquireCamera() {
    if (!this.isOpen || this.mode !== 'camera') return;
    const ticket = ++this.acquireCount;
    const publisher = this.ensurePublisher();
    $('share-start').disabled = true;
    this.showError('');
    try {
      const stream = await publisher.acquireCamera({
        videoId: $('camera-select').value,
        audioId: $('mic-select').value,
        resolution: $('resolution-select').value,
      });
      if (ticket !== this.acquireCount || publisher !== this.publisher) return;
      $('camera-preview').srcObject = stream;
      await this.listDevices(stream);
      $('share-start').disabled = false;
    } catch (error) {
      if (ticket !== this.acquireCount || publisher !== this.publisher) return;
      $('camera-preview').srcObject = null;
      publisher.stopTracks();
      this.showError(mediaErrorMessage(error, 'camera or microphone'));
    }
  }

  async acquireScreen() {
    if (!this.isOpen || this.mode !== 'screen') return;
    const ticket = ++this.acquireCount;
    const publisher = this.ensurePublisher();
    $('share-start').disabled = true;
    this.showError('');
    try {
      const stream = await publisher.acquireScreen();
      if (ticket !== this.acquireCount || publisher !== this.publisher) return;
      $('screen-preview').srcObject = stream;
      $('share-start').disabled = false;
    } catch (error) {
      if (ticket !== this.acquireCount || publisher !== this.publisher) return;
      $('screen-preview').srcObject = null;
      publisher.stopTracks();
      this.showError(mediaErrorMessage(error, 'screen'));
    }
  }

  // Device labels are only readable once a capture was allowed, so the
  // pickers are filled after the first successful acquisition; the current
  // tracks' devices are selected.
  async listDevices(stream) {
    let devices = [];
    try {
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch (e) {
      return;
    }
    const videoTrack = stream.getVideoTracks()[0];
    const audioTrack = stream.getAudioTracks()[0];
    fillSelect($('camera-select'), devices.filter((d) => d.kind === 'videoinput'), 'Camera',
      videoTrack && videoTrack.getSettings().deviceId);
    fillSelect($('mic-select'), devices.filter((d) => d.kind === 'audioinput'), 'Microphone',
      audioTrack && audioTrack.getSettings().deviceId);
  }

  ensurePublisher() {
    if (!this.publisher) {
      const publisher = new Publisher({ onFailure: (message) => this.publisherFailed(publisher, message) });
      this.publisher = publisher;
    }
    return this.publisher;
  }

  publisherFailed(publisher, message) {
    if (publisher === this.publisher) {
      // Still in the dialog: show it there and let the user retry or cancel.
      this.dropPublisher();
      this.showError(message);
      $('share-start').disabled = true;
      return;
    }
    this.onPublisherFailure(publisher, message);
  }

  dropPublisher() {
    this.acquireCount++;
    $('camera-preview').srcObject = null;
    $('screen-preview').srcObject = null;
    if (this.publisher) this.publisher.release();
    this.publisher = null;
  }

  start() {
    const publisher = this.publisher;
    if (!this.isOpen || !publisher || !publisher.stream) return;
    const url = this.claim.publish && this.claim.publish.webrtc;
    if (!url) {
      this.showError('The stream could not be created: the media server endpoints are not known yet. Try again in a moment.');
      return;
    }
    // From here the page owns the publisher (its seat shows the preview).
    this.publisher = null;
    this.acquireCount++;
    $('camera-preview').srcObject = null;
    $('screen-preview').srcObject = null;
    publisher.start(url);
    this.finish();
    this.onStarted(publisher);
  }

  cancel() {
    if (!this.isOpen) return;
    this.dropPublisher();
    this.finish();
    this.onCancelled();
  }

  // The page tells the dialog whether its seat is live (encoder mode waits
  // for that, then closes by itself).
  seatLive(live) {
    if (!this.isOpen || this.mode !== 'encoder' || !live || this.closeTimer !== null) return;
    this.setEncoderStatus(true);
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      if (!this.isOpen) return;
      this.finish();
      this.onEncoderConnected();
    }, CONNECTED_CLOSE_MS);
  }

  // Closes without any callback (the seat was lost, the page left, ...).
  abort() {
    if (!this.isOpen) return;
    this.dropPublisher();
    this.finish();
  }

  finish() {
    this.claim = null;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    if (this.dialog.open) this.dialog.close();
  }

  fillEncoderFields(publish) {
    const p = publish || {};
    const rtmp = p.rtmp || {};
    const unknown = 'not available yet';
    $('enc-rtmp-server').textContent = rtmp.server || unknown;
    $('enc-rtmp-key').textContent = rtmp.key || unknown;
    $('enc-srt').textContent = p.srt || unknown;
    $('enc-whip').textContent = p.whip || unknown;
  }

  setEncoderStatus(connected) {
    const el = $('encoder-status');
    el.textContent = connected ? 'Connected. Your seat is live.' : 'Waiting for input…';
    el.classList.toggle('connected', connected);
    el.classList.toggle('waiting', !connected);
  }

  showError(message) {
    const el = $('share-error');
    el.textContent = message;
    el.hidden = !message;
  }
}

function fillSelect(select, devices, noun, currentId) {
  const previous = select.value;
  select.textContent = '';
  devices.forEach((device, i) => {
    const option = document.createElement('option');
    option.value = device.deviceId;
    option.textContent = device.label || `${noun} ${i + 1}`;
    select.appendChild(option);
  });
  const pick = [currentId, previous].find((id) => id && devices.some((d) => d.deviceId === id));
  if (pick) select.value = pick;
}

async function copyText(text, button) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch (e) {
    // Clipboard API refused (no permission, http page): select for a manual copy.
    const range = document.createRange();
    range.selectNodeContents(button.previousElementSibling);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  const label = button.textContent;
  button.textContent = ok ? 'Copied' : 'Press Ctrl+C';
  setTimeout(() => {
    button.textContent = label;
  }, 1200);
}
