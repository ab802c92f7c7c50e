// One OvenPlayer per live seat that is not this page's own. `sync` is called
// with the seat views after every state change and creates, re-creates
// (sources or protocol changed) or removes players so that exactly the live
// seats play. Every removal goes through `removePlayer`, which releases the
// player and its element.

import { OvenPlayer } from './vendor.js';
import { playerSources } from './state.js';

const RETRY_MS = 3000;

export class Players {
  // hostFor(index) returns the element a seat's player lives in.
  constructor(hostFor) {
    this.hostFor = hostFor;
    this.entries = new Map(); // index -> {player, key, sources, retry}
  }

  sync(views) {
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
      if (entry && entry.key === key) continue;
      if (entry) this.removePlayer(index);
      this.createPlayer(index, sources, key);
    }
  }

  createPlayer(index, sources, key) {
    const host = this.hostFor(index);
    if (!host) return;
    const box = document.createElement('div');
    box.className = 'player-box';
    host.appendChild(box);
    const entry = { player: null, key, sources, box, retry: null };
    this.entries.set(index, entry);
    try {
      entry.player = OvenPlayer.create(box, {
        autoStart: true,
        autoFallback: true,
        mute: true,
        controls: true,
        showBigPlayButton: false,
        expandFullScreenUI: true,
        // OvenPlayer rewrites the source objects it is given (llhls -> hls):
        // give it copies so ours stay as the room described them.
        sources: sources.map((source) => ({ ...source })),
      });
      entry.player.on('error', () => this.retryLater(index, entry));
    } catch (e) {
      console.warn('ovenspace: player for seat', index + 1, 'failed:', e && e.message);
      this.retryLater(index, entry);
    }
  }

  // A live seat whose stream is not playable yet (OME still preparing the
  // LL-HLS playlist, a WebRTC hiccup) gets a fresh player a bit later, as
  // long as the seat still wants the same sources.
  retryLater(index, entry) {
    if (entry.retry !== null) return;
    entry.retry = setTimeout(() => {
      entry.retry = null;
      if (this.entries.get(index) !== entry) return;
      this.removePlayer(index);
      this.createPlayer(index, entry.sources, entry.key);
    }, RETRY_MS);
  }

  removePlayer(index) {
    const entry = this.entries.get(index);
    if (!entry) return;
    this.entries.delete(index);
    if (entry.retry !== null) clearTimeout(entry.retry);
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

  // For tests and debugging: which seats play what.
  describe() {
    return [...this.entries]
      .sort((x, y) => x[0] - y[0])
      .map(([index, e]) => ({ seat: index, sources: e.sources.map((s) => ({ ...s })) }));
  }
}
