// One OvenPlayer per live seat that is not this page's own. `sync` is called
// with the seat views after every state change and creates, re-creates
// (sources or protocol changed) or removes players so that exactly the live
// seats play. Seats that are starting get no player: the media server cannot
// play them yet, and a player would only fail and show an error. Every
// removal goes through `removePlayer`, which releases the player and its
// element.
//
// OvenPlayer is loaded on the first live seat, hls.js only when LL-HLS is
// really used: when the viewer picks it, or when WebRTC gave no picture and
// the next attempt may fall back to it (src/vendor.js). A player that shows
// no picture within NO_MEDIA_MS says so on its seat and starts over.

import { isHlsLoaded, loadHls, loadOvenPlayer } from './vendor.js';
import { peerConnectionFor, trackPeerConnections } from './peers.js';
import { hlsLatencyMs, receiverReading } from './stats.js';
import { playerRetryDelay, playerSources } from './state.js';

export const NO_MEDIA_MS = 8000;

export class Players {
  // hostFor(index): the element a seat's player lives in.
  // onChange(index): a player's phase or reading changed (re-render).
  constructor(hostFor, { onChange } = {}) {
    this.hostFor = hostFor;
    this.onChange = onChange || (() => {});
    this.entries = new Map(); // index -> entry (see createPlayer)
    this.audible = () => false;
  }

  // views: seat views; audible(index): whether that seat's sound is on.
  sync(views, audible = () => false) {
    this.audible = audible;
    const wanted = new Map();
    for (const view of views) {
      if (view.kind !== 'live') continue;
      const sources = playerSources(view);
      if (sources.length === 0) continue; // playback endpoints unknown yet
      wanted.set(view.index, sources);
    }
    for (const index of [...this.entries.keys()]) {
      if (!wanted.has(index)) this.removePlayer(index);
    }
    for (const [index, sources] of wanted) {
      const key = JSON.stringify(sources);
      const entry = this.entries.get(index);
      if (entry && entry.key === key) {
        this.applyMute(entry);
        continue;
      }
      if (entry) this.removePlayer(index);
      this.createPlayer(index, sources, key, { attempts: 0, since: Date.now() });
    }
  }

  // attempts: players tried before this one without a picture; since: when
  // this seat started waiting for a picture (kept across error retries, so
  // the viewer hears about it after NO_MEDIA_MS however the tries failed).
  createPlayer(index, sources, key, { attempts, since, phase = 'loading' }) {
    const host = this.hostFor(index);
    if (!host) return;
    const box = document.createElement('div');
    box.className = 'player-box';
    host.appendChild(box);
    const entry = {
      index, key, sources, box, attempts, since, phase,
      player: null, given: [], retry: null, watchdog: null, muted: true, reading: null, sample: null,
    };
    this.entries.set(index, entry);
    entry.watchdog = setTimeout(() => this.noMedia(entry), Math.max(0, since + NO_MEDIA_MS - Date.now()));
    this.start(entry).catch((e) => {
      if (this.entries.get(index) !== entry) return;
      console.warn('ovenspace: player for seat', index + 1, 'failed:', e && e.message);
      this.retryLater(entry);
    });
  }

  async start(entry) {
    // LL-HLS is offered to OvenPlayer only once hls.js is there: first when
    // the viewer chose it, else as the fallback of a retry.
    const wantsHls = entry.sources[0].type === 'llhls' || entry.attempts > 0;
    if (wantsHls && entry.sources.some((s) => s.type === 'llhls')) await loadHls();
    trackPeerConnections();
    const OvenPlayer = await loadOvenPlayer();
    if (this.entries.get(entry.index) !== entry) return;
    const given = entry.sources.filter((s) => s.type !== 'llhls' || isHlsLoaded());
    entry.given = given.map((s) => s.type);
    entry.muted = !this.audible(entry.index);
    entry.player = OvenPlayer.create(entry.box, {
      autoStart: true,
      autoFallback: true,
      mute: entry.muted,
      controls: false, // the seat has its own controls (mute, spotlight, full screen)
      showBigPlayButton: false,
      // OvenPlayer rewrites the source objects it is given (llhls -> hls):
      // give it copies so ours stay as the room described them.
      sources: given.map((source) => ({ ...source })),
    });
    entry.player.on('error', () => this.retryLater(entry));
    entry.player.on('stateChanged', (data) => {
      if (data && data.newstate === 'playing') this.playing(entry);
    });
  }

  playing(entry) {
    if (this.entries.get(entry.index) !== entry) return;
    clearTimeout(entry.watchdog);
    entry.watchdog = null;
    entry.attempts = 0;
    if (entry.phase !== 'playing') {
      entry.phase = 'playing';
      this.onChange(entry.index);
    }
  }

  // No picture in time: tell the viewer and start over.
  noMedia(entry) {
    entry.watchdog = null;
    if (this.entries.get(entry.index) !== entry || entry.phase === 'playing') return;
    entry.phase = 'no-media';
    this.onChange(entry.index);
    this.restart(entry, Date.now());
  }

  // A live seat whose player failed (a WebRTC hiccup, LL-HLS a moment
  // behind) gets a fresh player soon (state.js playerRetryDelay: 250 ms,
  // then longer, up to every 3 s), as long as the seat still wants the same
  // sources. The failed player goes at once, so its error overlay never
  // shows while the next one is on its way.
  retryLater(entry) {
    if (entry.retry !== null || this.entries.get(entry.index) !== entry) return;
    if (entry.player) {
      try {
        entry.player.remove();
      } catch (e) {
        /* half-created: its element is replaced on restart */
      }
      entry.player = null;
    }
    entry.retry = setTimeout(() => {
      entry.retry = null;
      this.restart(entry);
    }, playerRetryDelay(entry.attempts));
  }

  restart(entry, since = entry.since) {
    if (this.entries.get(entry.index) !== entry) return;
    const phase = entry.phase === 'playing' ? 'loading' : entry.phase;
    this.removePlayer(entry.index);
    this.createPlayer(entry.index, entry.sources, entry.key, {
      attempts: entry.attempts + 1, since: entry.phase === 'playing' ? Date.now() : since, phase,
    });
    this.onChange(entry.index);
  }

  applyMute(entry) {
    const muted = !this.audible(entry.index);
    if (!entry.player || entry.muted === muted) return;
    entry.muted = muted;
    try {
      entry.player.setMute(muted);
      if (!muted) entry.player.play();
    } catch (e) {
      /* a player being torn down */
    }
  }

  removePlayer(index) {
    const entry = this.entries.get(index);
    if (!entry) return;
    this.entries.delete(index);
    if (entry.retry !== null) clearTimeout(entry.retry);
    if (entry.watchdog !== null) clearTimeout(entry.watchdog);
    if (entry.player) {
      try {
        entry.player.remove();
      } catch (e) {
        /* a half-created player may fail to remove; its element goes below */
      }
    }
    entry.box.remove();
  }

  removeAll() {
    for (const index of [...this.entries.keys()]) this.removePlayer(index);
  }

  // What a seat's player is doing: {phase: 'loading' | 'playing' |
  // 'no-media', mode: 'webrtc' | 'llhls' | null, latencyMs, fps} or null.
  status(index) {
    const entry = this.entries.get(index);
    if (!entry) return null;
    const reading = entry.reading || {};
    return { phase: entry.phase, mode: reading.mode ?? null, latencyMs: reading.latencyMs ?? null, fps: reading.fps ?? null };
  }

  // Refreshes every playing seat's mode and latency (called on a timer).
  async poll() {
    for (const entry of [...this.entries.values()]) {
      if (entry.phase !== 'playing' || !entry.player) continue;
      let reading = null;
      try {
        reading = await this.read(entry);
      } catch (e) {
        reading = null;
      }
      if (this.entries.get(entry.index) !== entry || !reading) continue;
      const before = JSON.stringify(entry.reading);
      entry.reading = reading;
      if (JSON.stringify(reading) !== before) this.onChange(entry.index);
    }
  }

  async read(entry) {
    const provider = entry.player.getProviderName();
    if (provider === 'webrtc') {
      const pc = peerConnectionFor(entry.player.getMediaElement());
      if (!pc) return { mode: 'webrtc', latencyMs: null, fps: null };
      const report = await pc.getStats();
      const r = receiverReading([...report.values()], entry.sample);
      entry.sample = r.sample;
      return { mode: 'webrtc', latencyMs: r.latencyMs, fps: r.fps };
    }
    if (provider === 'hls') {
      const hls = entry.player.getMseInstance();
      return { mode: 'llhls', latencyMs: hls ? hlsLatencyMs(hls.latency) : null, fps: null };
    }
    return { mode: provider || null, latencyMs: null, fps: null };
  }

  // For tests and debugging: which seats play what.
  describe() {
    return [...this.entries]
      .sort((x, y) => x[0] - y[0])
      .map(([index, e]) => ({
        seat: index,
        sources: e.sources.map((s) => ({ ...s })),
        given: e.given.slice(),
        phase: e.phase,
        muted: e.muted,
        mode: e.reading ? e.reading.mode : null,
        latencyMs: e.reading ? e.reading.latencyMs : null,
      }));
  }
}
