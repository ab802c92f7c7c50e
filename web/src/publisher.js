// Publisher: one OvenLiveKit instance and the media it sends, from capture to
// release. Before "Start sharing" it only holds a camera or a screen (the
// share dialog's preview); once started it streams to the seat's WebRTC URL
// and the broadcaster can change what it sends without leaving the seat:
// mute the microphone, turn the camera off, switch camera or microphone, or
// switch between camera and screen. Switching replaces the track in the
// running connection (RTCRtpSender.replaceTrack), so viewers keep playing
// the same stream and OME sees no new publish.

import { loadOvenLiveKit } from './vendor.js';
import { captureConstraints, publishFailureMessage } from './state.js';

// Every Publisher not yet released, so tests (and a curious developer) can
// check that nothing holds a camera or a socket after Leave/Cancel/errors.
const unreleased = new Set();
export function unreleasedMedia() {
  let tracks = 0;
  for (const p of unreleased) if (p.stream) tracks += p.stream.getTracks().filter((t) => t.readyState === 'live').length;
  return { publishers: unreleased.size, liveTracks: tracks };
}

export class Publisher {
  // onFailure(message): streaming could not start or broke afterwards.
  // onChange(): what it sends changed (source, mute, camera) or its
  //   connection state did; the seat re-renders its controls.
  constructor({ onFailure, onChange } = {}) {
    this.onFailure = onFailure || (() => {});
    this.onChange = onChange || (() => {});
    this.stream = null;
    this.kit = null;
    this.url = null;
    this.started = false;
    this.connected = false;
    this.released = false;
    this.source = 'camera'; // or 'screen'
    this.micOn = true;
    this.cameraOn = true;
    this.choice = { videoId: '', audioId: '', resolution: 'auto' };
    unreleased.add(this);
  }

  async ready() {
    if (this.kit) return this.kit;
    const OvenLiveKit = await loadOvenLiveKit();
    if (this.released) throw Object.assign(new Error('released'), { name: 'AbortError' });
    this.kit ??= OvenLiveKit.create({
      callbacks: {
        error: (error) => this.fail(error),
        connected: () => {
          this.connected = true;
          this.onChange();
        },
        iceStateChange: () => this.onChange(),
        connectionClosed: (type) => {
          if (type === 'user' || this.released || !this.started) return;
          this.onFailure(publishFailureMessage({ phase: this.connected ? 'lost' : 'connect', url: this.url }));
        },
      },
    });
    return this.kit;
  }

  fail(error) {
    if (this.released || !this.started) return; // capture errors are reported by acquire*
    const detail = typeof error === 'string' ? error : (error && error.message) || '';
    this.onFailure(publishFailureMessage({ phase: this.connected ? 'lost' : 'connect', url: this.url, detail }));
  }

  async acquireCamera(choice) {
    await this.ready();
    this.stopTracks();
    this.choice = { ...this.choice, ...choice };
    const stream = await navigator.mediaDevices.getUserMedia(captureConstraints(this.choice));
    this.source = 'camera';
    return this.keep(stream);
  }

  async acquireScreen() {
    await this.ready();
    this.stopTracks();
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    this.source = 'screen';
    return this.keep(stream);
  }

  keep(stream) {
    if (this.released) {
      stopStream(stream);
      throw Object.assign(new Error('released'), { name: 'AbortError' });
    }
    this.stream = stream;
    this.kit.setMediaStream(stream);
    this.watchScreenEnd(stream);
    this.applyEnabled();
    return stream;
  }

  // A screen share ended from the browser's own "Stop sharing" bar: while
  // live, go back to the camera (or say why not); before, the dialog reports.
  watchScreenEnd(stream) {
    if (this.source !== 'screen') return;
    for (const track of stream.getVideoTracks()) {
      track.addEventListener('ended', () => {
        if (this.released || !this.stream || !this.stream.getVideoTracks().includes(track)) return;
        if (!this.started) {
          this.onFailure('Screen sharing was stopped.');
          return;
        }
        this.switchTo('camera').catch(() => this.onFailure('Screen sharing was stopped and the camera could not be started.'));
      });
    }
  }

  start(url) {
    this.started = true;
    this.url = url;
    this.kit.startStreaming(url);
  }

  // ---- while live

  get connectionState() {
    const pc = this.kit && this.kit.peerConnection;
    return pc ? pc.connectionState : 'new';
  }

  setMic(on) {
    this.micOn = on;
    this.applyEnabled();
    this.onChange();
  }

  setCamera(on) {
    this.cameraOn = on;
    this.applyEnabled();
    this.onChange();
  }

  applyEnabled() {
    if (!this.stream) return;
    for (const t of this.stream.getAudioTracks()) t.enabled = this.micOn;
    for (const t of this.stream.getVideoTracks()) t.enabled = this.cameraOn;
  }

  // Another camera (source 'camera', optional videoId) or the screen
  // (source 'screen'): only the video track changes, the microphone stays.
  async switchTo(source, videoId) {
    let fresh;
    if (source === 'screen') {
      fresh = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } else {
      if (videoId !== undefined) this.choice = { ...this.choice, videoId };
      const { video } = captureConstraints(this.choice);
      fresh = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    }
    const track = fresh.getVideoTracks()[0];
    await this.replace('video', track);
    this.source = source;
    this.watchScreenEnd(this.stream);
    this.onChange();
  }

  // The device a track of this kind comes from now ('' when unknown).
  deviceOf(kind) {
    const track = this.stream && (kind === 'video' ? this.stream.getVideoTracks()[0] : this.stream.getAudioTracks()[0]);
    return (track && typeof track.getSettings === 'function' && track.getSettings().deviceId) || '';
  }

  async switchMic(audioId) {
    this.choice = { ...this.choice, audioId };
    const { audio } = captureConstraints(this.choice);
    const fresh = await navigator.mediaDevices.getUserMedia({ audio, video: false });
    await this.replace('audio', fresh.getAudioTracks()[0]);
    this.onChange();
  }

  // Puts `track` in place of the current track of its kind: in the running
  // connection (if any), in the stream the preview and OvenLiveKit hold, and
  // stops the old one (its camera light goes off).
  async replace(kind, track) {
    if (this.released || !this.stream) {
      track.stop();
      throw Object.assign(new Error('released'), { name: 'AbortError' });
    }
    const pc = this.kit.peerConnection;
    if (pc) {
      const transceiver = pc.getTransceivers().find((t) => t.receiver.track && t.receiver.track.kind === kind);
      if (transceiver) await transceiver.sender.replaceTrack(track);
    }
    const old = kind === 'video' ? this.stream.getVideoTracks() : this.stream.getAudioTracks();
    const keep = kind === 'video' ? this.stream.getAudioTracks() : this.stream.getVideoTracks();
    for (const t of old) t.stop();
    this.stream = new MediaStream([...keep, track]);
    this.kit.setMediaStream(this.stream);
    this.applyEnabled();
  }

  // The sending connection's statistics (entries of an RTCStatsReport), or
  // null before the connection exists.
  async stats() {
    const pc = this.kit && this.kit.peerConnection;
    if (!pc) return null;
    const report = await pc.getStats();
    return [...report.values()];
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
      if (this.kit) this.kit.remove();
    } catch (e) {
      /* nothing was started */
    }
    this.stopTracks();
  }
}

function stopStream(stream) {
  for (const track of stream.getTracks()) track.stop();
}
