// The share dialog ("Participate"): WebCam/Mic, Share screen, Live Encoder.
// It opens only after the room service granted a seat (the claim reply), and
// it hands a running Publisher (src/publisher.js) to the page on "Start
// sharing". Whatever it acquired is released on Cancel, on errors and on mode
// switches, so nothing (camera light, microphone, OvenLiveKit socket)
// outlives its use. "Start sharing" stays disabled, with the reason shown,
// while the media server is unreachable or its endpoints are unknown.

import { Publisher } from './publisher.js';
import { EncoderDetails } from './encoder.js';
import { mediaErrorMessage } from './state.js';

const CONNECTED_CLOSE_MS = 1500;

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
    this.mediaReachable = true;
    this.encoder = new EncoderDetails($('share-encoder'));

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
  }

  get isOpen() {
    return this.claim !== null;
  }

  // error: why the dialog (re)opens on a seat already held (a failed start).
  open(claim, { error = '', mode = 'camera' } = {}) {
    this.claim = claim;
    $('share-title').textContent = `Participate: seat ${claim.seat + 1}`;
    this.encoder.show(claim.publish);
    this.setEncoderStatus(false);
    if (!this.dialog.open) this.dialog.showModal();
    this.setMode(mode, true);
    this.showError(error);
  }

  // A fresh claim reply (after `resume`) may carry new URLs.
  updateClaim(claim) {
    if (!this.claim || claim.seat !== this.claim.seat) return;
    this.claim = claim;
    this.encoder.show(claim.publish, { resetReveal: false });
    this.updateStart();
  }

  // The page tells the dialog whether the media server answers; "Start
  // sharing" waits for it (a click would only fail).
  setMediaReachable(reachable) {
    if (this.mediaReachable === reachable) return;
    this.mediaReachable = reachable;
    this.updateStart();
  }

  // Why "Start sharing" cannot be pressed now, or '' when it can.
  startBlocker() {
    if (!this.claim) return 'no seat';
    if (!this.mediaReachable) return 'The media server is unreachable right now. You can start as soon as it is back.';
    if (!this.claim.publish || !this.claim.publish.webrtc) {
      return 'The media server has not told us where to publish yet. You can start as soon as it does.';
    }
    return '';
  }

  updateStart() {
    const blocker = this.isOpen && this.mode !== 'encoder' ? this.startBlocker() : '';
    const note = $('share-note');
    note.textContent = blocker;
    note.hidden = !blocker;
    const captured = Boolean(this.publisher && this.publisher.stream);
    $('share-start').disabled = !captured || blocker !== '';
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
    this.updateStart();
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
      await listDevices(stream);
      this.updateStart();
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
      this.updateStart();
    } catch (error) {
      if (ticket !== this.acquireCount || publisher !== this.publisher) return;
      $('screen-preview').srcObject = null;
      publisher.stopTracks();
      this.showError(mediaErrorMessage(error, 'screen'));
    }
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
      this.updateStart();
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
    const blocker = this.startBlocker();
    if (blocker) {
      this.showError(blocker);
      return;
    }
    const url = this.claim.publish.webrtc;
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

// Device labels are only readable once a capture was allowed, so the pickers
// are filled after a successful acquisition; the current tracks' devices are
// selected. Used by the share dialog and the devices dialog of a live seat.
export async function listDevices(stream, cameraSelect = $('camera-select'), micSelect = $('mic-select')) {
  let devices = [];
  try {
    devices = await navigator.mediaDevices.enumerateDevices();
  } catch (e) {
    return;
  }
  const videoTrack = stream && stream.getVideoTracks()[0];
  const audioTrack = stream && stream.getAudioTracks()[0];
  fillSelect(cameraSelect, devices.filter((d) => d.kind === 'videoinput'), 'Camera',
    videoTrack && videoTrack.getSettings().deviceId);
  fillSelect(micSelect, devices.filter((d) => d.kind === 'audioinput'), 'Microphone',
    audioTrack && audioTrack.getSettings().deviceId);
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
