// The moderator and the per-seat audience, end to end: the real room service
// (moderator secret in its config, never in the page), the real gateway and
// the OME stand-in, whose players the gateway counts through OME's
// per-stream statistics at its poll rate.

import { axeCheck } from './scenarios_page.mjs';
import { assert, assertEqual, encoderFields, seat, seatKind, waitFor, waitKind } from './helpers.mjs';

export function register(scenario, { openPage, shot, webDir, waitForPlayback, moderatorSecret }) {
  scenario('moderator: sign in on /r/<room>?mod, end a broadcast (kick), lock seats and the room; per-seat viewers', ['room', 'gateway', 'standin'], async (env) => {
    const holder = await openPage(env.context, `${env.room.base}/r/main`);
    const viewer = await openPage(env.context, `${env.room.base}/r/main`);
    await waitForPlayback(holder);

    // A live seat from an encoder; three players on it in OME.
    await seat(holder, 2).locator('.participate').click();
    await holder.locator('.tab[data-mode="encoder"]').click();
    const key = await encoderFields(holder, '#share-encoder').value('rtmp-key');
    const claim = await holder.evaluate(() => window.ovenspace.claim());
    await env.standin.publish({ protocol: 'rtmp', stream: claim.stream, query: key.split('?')[1] });
    await waitKind(viewer, 2, 'live', 15000);
    for (let i = 0; i < 3; i++) await env.standin.play({ stream: claim.stream });
    await waitFor('3 watching seat 3', async () => (await seat(viewer, 2).locator('.watchers').textContent()) === '3 watching', 15000);

    // Nothing of moderation without ?mod; the secret is not in the page.
    assert(await viewer.locator('#moderator-button').isHidden(), 'no Moderator button without ?mod');
    assert(await viewer.locator('.mod-tools').first().isHidden(), 'no moderator tools for viewers');
    const html = await (await fetch(`${env.room.base}/r/main?mod`)).text();
    assert(!html.includes(moderatorSecret), 'the secret is not in the page');

    const mod = await openPage(env.context, `${env.room.base}/r/main?mod`);
    await mod.locator('#moderator-button').click();
    await mod.locator('#moderator-dialog').waitFor({ state: 'visible' });
    await axeCheck(mod, webDir, 'the moderator dialog');
    await mod.fill('#moderator-secret', 'not-the-secret-at-all');
    await mod.locator('#moderator-submit').click();
    await waitFor('wrong secret refused', async () => /not the moderator secret/.test(await mod.locator('#moderator-error').textContent()));
    await mod.fill('#moderator-secret', moderatorSecret);
    await mod.locator('#moderator-submit').click();
    await mod.locator('#moderator-bar').waitFor({ state: 'visible' });
    assert(await mod.locator('#moderator-dialog').isHidden(), 'dialog closed after signing in');
    assertEqual(await mod.evaluate(() => document.getElementById('moderator-secret').value), '', 'the secret field is cleared');

    // Lock one seat: everyone sees it, nobody can take it.
    await seat(mod, 4).locator('.mod-lock').click();
    await waitFor('seat 5 locked for the viewer', () => seat(viewer, 4).locator('.lock-chip').isVisible());
    assert(await seat(viewer, 4).locator('.participate').isHidden(), 'no Participate on a locked seat');
    assert(/Locked by the moderator/.test(await seat(viewer, 4).locator('.seat-state').textContent()), 'says why');
    await shot(mod, 'moderator-view');
    await axeCheck(mod, webDir, 'the moderator view');

    // End the live broadcast: the gateway kicks it in OME, the holder is told.
    await seat(mod, 2).locator('.mod-end').click();
    await waitKind(viewer, 2, 'free', 10000);
    assert(/ended by the moderator/i.test(await seat(viewer, 2).locator('.seat-state').textContent()), 'viewers see who ended it');
    await waitFor('holder told', async () => /moderator ended your broadcast on seat 3/.test(await holder.locator('#toast').textContent()));
    await waitFor('stream gone from OME', async () => !(await env.standin.streams()).streams.some((s) => s.stream === claim.stream), 10000);
    await waitFor('announced', async () => /moderator ended the broadcast on seat 3/.test(await viewer.locator('#announcer').textContent()));

    // The whole room: lock all, unlock all.
    await mod.locator('#mod-lock-all').click();
    await waitFor('every seat locked', async () => (await viewer.locator('.seat .lock-chip:visible').count()) === 9);
    await mod.locator('#mod-unlock-all').click();
    await waitFor('every seat unlocked', async () => (await viewer.locator('.seat .lock-chip:visible').count()) === 0);
    assertEqual(await seatKind(viewer, 4), 'free', 'seat 5 free again');

    // Logged without the secret.
    const log = env.room.proc.log;
    assert(/moderator: wrong secret from conn \d+ in room main/.test(log), 'a wrong secret is logged');
    assert(/moderator: conn \d+ ended seat 2 in room main/.test(log), 'the end is logged');
    assert(/moderator: conn \d+ locked all seats in room main/.test(log), 'the room lock is logged');
    assert(!log.includes(moderatorSecret), 'the secret is never logged');
    for (const p of [holder, viewer, mod]) await p.close();
  });
}
