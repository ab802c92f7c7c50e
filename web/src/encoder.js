// The encoder details of a held seat (RTMP server and stream key, SRT URL,
// WHIP URL): each with a copy button; values that carry the seat token are
// masked until the holder presses "Show keys"; an OBS hint says which field
// goes where. Rendered into the share dialog's Live Encoder pane and into the
// "Encoder details" dialog the holder can open from the seat at any time.

import { maskToken } from './state.js';

const FIELDS = [
  { id: 'rtmp-server', label: 'RTMP server', get: (p) => p.rtmp && p.rtmp.server, secret: false },
  { id: 'rtmp-key', label: 'Stream key', get: (p) => p.rtmp && p.rtmp.key, secret: true },
  { id: 'srt', label: 'SRT URL', get: (p) => p.srt, secret: true },
  { id: 'whip', label: 'WHIP URL', get: (p) => p.whip, secret: true },
];

const OBS_HINT = `
  <summary>Using OBS?</summary>
  <ul>
    <li><b>RTMP</b>: Settings → Stream → Service <i>Custom…</i>; paste the <i>RTMP server</i> into Server and the <i>Stream key</i> into Stream Key.</li>
    <li><b>SRT</b>: Service <i>Custom…</i>; paste the whole <i>SRT URL</i> into Server and leave Stream Key empty.</li>
    <li><b>WHIP</b> (OBS 30 or later): Service <i>WHIP</i>; paste the <i>WHIP URL</i> into Server and leave Bearer Token empty.</li>
  </ul>
  <p>Then press Start Streaming in OBS: your seat goes live when the stream arrives.</p>`;

export class EncoderDetails {
  constructor(container) {
    this.container = container;
    this.publish = null;
    this.revealed = false;
    container.classList.add('encoder-details');
    container.innerHTML = `
      <div class="fields"></div>
      <div class="encoder-tools">
        <button type="button" class="btn reveal" aria-pressed="false">Show keys</button>
      </div>
      <details class="obs-hint">${OBS_HINT}</details>`;
    this.fieldsEl = container.querySelector('.fields');
    this.revealButton = container.querySelector('.reveal');
    this.revealButton.addEventListener('click', () => this.setRevealed(!this.revealed));
    this.rows = FIELDS.map((f) => this.createRow(f));
  }

  createRow(field) {
    const row = document.createElement('div');
    row.className = 'field';
    row.dataset.field = field.id;
    const label = document.createElement('span');
    label.className = 'field-label';
    label.textContent = field.label;
    const code = document.createElement('code');
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'btn copy';
    copy.textContent = 'Copy';
    copy.setAttribute('aria-label', `Copy ${field.label}`);
    copy.addEventListener('click', () => this.copy(field, code, copy));
    row.append(label, code, copy);
    this.fieldsEl.appendChild(row);
    return { field, code, copy };
  }

  // publish: normalized URLs of the claim (state.normalizePublish) or null.
  // Every new claim starts with the keys hidden.
  show(publish, { resetReveal = true } = {}) {
    this.publish = publish || {};
    if (resetReveal) this.revealed = false;
    this.render();
  }

  setRevealed(revealed) {
    this.revealed = revealed;
    this.render();
  }

  render() {
    this.revealButton.textContent = this.revealed ? 'Hide keys' : 'Show keys';
    this.revealButton.setAttribute('aria-pressed', String(this.revealed));
    for (const { field, code, copy } of this.rows) {
      const value = field.get(this.publish || {}) || null;
      code.dataset.value = value || '';
      code.textContent = value ? (field.secret && !this.revealed ? maskToken(value) : value) : 'not available yet';
      copy.disabled = !value;
    }
  }

  // The real value, whatever is shown (tests and the copy button).
  value(id) {
    const row = this.rows.find((r) => r.field.id === id);
    return row ? row.code.dataset.value : '';
  }

  async copy(field, code, button) {
    const text = code.dataset.value;
    if (!text) return;
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch (e) {
      // Clipboard API refused (no permission, http page): show the value and
      // select it for a manual copy.
      if (field.secret && !this.revealed) this.setRevealed(true);
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    button.textContent = ok ? 'Copied' : 'Press Ctrl+C';
    setTimeout(() => {
      button.textContent = 'Copy';
    }, 1500);
  }
}
