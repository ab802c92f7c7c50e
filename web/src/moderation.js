// The moderator's side of the page (`/r/<room>?mod`): the sign-in dialog,
// the room-wide lock buttons, and the seat commands (end a broadcast, lock,
// unlock). The secret is typed by the person and kept in memory only, so a
// reconnect can sign in again; it is never stored, logged or put in a URL.
// The server decides everything (proto/websocket.md, "Moderation").

import { commandErrorMessage, wantsModeration } from './state.js';
import { announce, showToast } from './ui.js';

const $ = (id) => document.getElementById(id);

export class Moderation {
  // command(type, fields): sends a room command, resolves with the reply.
  // onChange(): the moderator state changed (re-render).
  constructor({ command, onChange }) {
    this.command = command;
    this.onChange = onChange;
    this.wanted = wantsModeration(location.search);
    this.secret = null;
    this.active = false;
    $('moderator-button').addEventListener('click', () => {
      $('moderator-error').hidden = true;
      $('moderator-dialog').showModal();
    });
    $('moderator-cancel').addEventListener('click', () => $('moderator-dialog').close());
    $('moderator-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    $('mod-lock-all').addEventListener('click', () => this.run('lock'));
    $('mod-unlock-all').addEventListener('click', () => this.run('unlock'));
  }

  async submit() {
    const input = $('moderator-secret');
    const error = await this.signIn(input.value);
    if (error) {
      $('moderator-error').textContent = error;
      $('moderator-error').hidden = false;
      return;
    }
    input.value = '';
    $('moderator-dialog').close();
    announce(['You are the moderator of this room.']);
  }

  // '' when signed in, else the reason for the person.
  async signIn(secret) {
    let reply;
    try {
      reply = await this.command('moderate', { secret });
    } catch (e) {
      return commandErrorMessage('moderate', e);
    }
    if (!reply.ok) return commandErrorMessage('moderate', reply.error);
    this.secret = secret;
    this.active = true;
    this.onChange();
    return '';
  }

  // A new room connection is not a moderator until it signs in again.
  reconnected() {
    if (this.secret === null) return;
    this.active = false;
    this.signIn(this.secret);
  }

  // end_seat / lock / unlock; without a seat, lock and unlock the whole room.
  async run(command, index) {
    const fields = Number.isInteger(index) ? { seat: index } : {};
    try {
      const reply = await this.command(command, fields);
      if (!reply.ok) showToast(commandErrorMessage(command, reply.error, index));
    } catch (e) {
      showToast(commandErrorMessage(command, e, index));
    }
  }

  // What the page shows: the header button (before signing in) and the bar.
  render() {
    $('moderator-bar').hidden = !this.active;
    $('moderator-button').hidden = !this.wanted || this.active;
  }
}
