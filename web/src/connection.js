// The room WebSocket: one socket per page, reconnects with backoff, resyncs
// from a fresh snapshot after a drop or a seq gap, matches command replies by
// id. The state itself lives in state.js; this file only moves frames.

import { backoffDelay, initialState, reduce } from './state.js';

export class RoomConnection {
  // url: the ws(s):// URL of /ws?room=<id>
  // onState(state): called after every applied frame
  // onStatus(status, detail): 'connecting' | 'open' | 'reconnecting'
  // onOpen(): after each snapshot that follows a (re)connect
  // onServerError(error): an `error` frame not tied to a command
  constructor({ url, onState, onStatus, onOpen, onServerError, WebSocketImpl, timers, backoff } = {}) {
    this.url = url;
    this.onState = onState || (() => {});
    this.onStatus = onStatus || (() => {});
    this.onOpen = onOpen || (() => {});
    this.onServerError = onServerError || (() => {});
    this.WebSocketImpl = WebSocketImpl || globalThis.WebSocket;
    this.timers = timers || { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) };
    this.backoff = backoff || {};
    this.state = initialState();
    this.socket = null;
    this.attempt = 0; // failed connects since the last snapshot
    this.retryTimer = null;
    this.nextId = 1;
    this.pending = new Map(); // id -> {resolve, reject}
    this.closed = false;
    this.synced = false; // a snapshot arrived on the current socket
  }

  start() {
    this.closed = false;
    this.open();
  }

  stop() {
    this.closed = true;
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.dropSocket();
  }

  // Sends a command; resolves with the reply (ok or not), rejects only when
  // the socket is down or goes down before the reply.
  command(type, fields = {}) {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1 || !this.synced) {
      return Promise.reject(Object.assign(new Error('disconnected'), { code: 'disconnected' }));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        socket.send(JSON.stringify({ type, id, ...fields }));
      } catch (e) {
        this.pending.delete(id);
        reject(Object.assign(new Error('disconnected'), { code: 'disconnected' }));
      }
    });
  }

  open() {
    this.synced = false;
    this.onStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let socket;
    try {
      socket = new this.WebSocketImpl(this.url);
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onmessage = (ev) => this.handleMessage(socket, ev.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending();
      this.scheduleReconnect();
    };
    socket.onerror = () => {}; // onclose follows and does the work
  }

  handleMessage(socket, data) {
    if (this.socket !== socket) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return; // the server only sends JSON; ignore garbage rather than crash
    }
    if (frame.type === 'reply') {
      const entry = this.pending.get(frame.id);
      if (entry) {
        this.pending.delete(frame.id);
        entry.resolve(frame);
      }
      return;
    }
    if (frame.type === 'error') {
      this.onServerError(frame.error || {});
      return;
    }
    const { state, resync } = reduce(this.state, frame);
    if (resync) {
      // Frames were lost: the cheapest correct recovery is a new socket,
      // whose first frame is a fresh snapshot.
      this.dropSocket();
      this.scheduleReconnect(0);
      return;
    }
    this.state = state;
    if (frame.type === 'snapshot' && !this.synced) {
      this.synced = true;
      this.attempt = 0;
      this.onStatus('open');
      this.onState(this.state);
      this.onOpen();
      return;
    }
    this.onState(this.state);
  }

  dropSocket() {
    const socket = this.socket;
    this.socket = null;
    this.synced = false;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      try {
        socket.close();
      } catch (e) {
        /* already closed */
      }
    }
    this.failPending();
  }

  failPending() {
    const pending = this.pending;
    this.pending = new Map();
    for (const { reject } of pending.values()) {
      reject(Object.assign(new Error('disconnected'), { code: 'disconnected' }));
    }
  }

  scheduleReconnect(delayOverride) {
    if (this.closed || this.retryTimer !== null) return;
    const delay = delayOverride ?? backoffDelay(this.attempt, this.backoff);
    this.attempt += 1;
    this.onStatus('reconnecting', { delay });
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }
}

// The /ws URL for a room, on the page's own host. `viewerId` (optional) keeps
// this browser on one OME edge across reconnects and reloads.
export function socketUrl(location, roomId, viewerId) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const viewer = viewerId ? `&viewer=${encodeURIComponent(viewerId)}` : '';
  return `${scheme}//${location.host}/ws?room=${encodeURIComponent(roomId)}${viewer}`;
}

// A random id for this browser, kept in localStorage (a fresh one per page
// when storage is unavailable). Not a secret: it only picks a playback edge.
export function viewerId(storage, random = () => Math.random()) {
  const make = () => Math.floor(random() * 2 ** 48).toString(36).padStart(10, '0');
  try {
    let id = storage.getItem('ovenspace-viewer');
    if (!id || !/^[a-z0-9]{1,64}$/.test(id)) {
      id = make();
      storage.setItem('ovenspace-viewer', id);
    }
    return id;
  } catch {
    return make();
  }
}
