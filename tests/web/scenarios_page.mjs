// Browser scenarios of the page itself (issue 13): the rough edges, the
// spotlight, encoder details on demand, and accessibility (axe-core, keyboard,
// aria-live). They run against the real room service serving the page; the
// room socket is answered by ScriptedRoom where a scenario needs seats in
// states (live, unreachable media) that only a media server could produce.

import path from 'node:path';
import { readFileSync } from 'node:fs';
import { assert, assertEqual, encoderFields, ScriptedRoom, seat, seatKind, sleep, waitFor, waitKind } from './helpers.mjs';

// axe-core's WCAG 2 A/AA rules; any serious or critical violation fails.
export async function axeCheck(page, webDir, label) {
  const source = readFileSync(path.join(webDir, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Injected through the DevTools protocol, not a <script>, so a strict
  // Content-Security-Policy on the page does not block it.
  await page.evaluate(`${source}\n;0`);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assertEqual(bad, [], `axe: serious/critical violations on ${label}`);
  return result.length;
}

const live = (index, extra = {}) => ({
  index, state: 'live', source: 'WebRTC', video: { codec: 'H264', width: 1280, height: 720, framerate: 30 }, ...extra,
});

async function scriptedPage(env, room, url = `${env.room.base}/r/main`) {
  const page = await env.context.newPage();
  page.consoleErrors = [];
  page.on('pageerror', (err) => page.consoleErrors.push(`pageerror: ${err.message}`));
  await room.attach(page);
  await page.goto(url);
  await page.waitForFunction(() => window.ovenspace && window.ovenspace.status() === 'open');
  return page;
}

export function register(scenario, { openPage, shot, webDir }) {
  scenario('rough edges: Start waits for the media server, clear messages, no-media notice, unknown room, footer', ['room'], async (env) => {
    const deadPort = env.ome.webrtcPort; // the room's OME port: nothing listens there
    const room = new ScriptedRoom({ publishPort: deadPort, media: { reachable: false, stale: true, version: '0.20.0' } });
    const page = await scriptedPage(env, room);
    await waitFor('unreachable banner', async () => /unreachable/.test(await page.locator('#banner').textContent()));
    await seat(page, 0).locator('.participate').click();
    await page.locator('#share-dialog').waitFor({ state: 'visible' });
    await waitFor('camera preview', () => page.$eval('#camera-preview', (v) => v.videoWidth > 0));
    assert(await page.locator('#share-start').isDisabled(), 'Start sharing disabled while the media server is unreachable');
    assert(/unreachable right now/.test(await page.locator('#share-note').textContent()), 'the reason is shown');
    room.send({ type: 'media', media: { reachable: true, stale: false, version: '0.20.0' } });
    await waitFor('Start enabled once the media server is back', () => page.locator('#share-start').isEnabled());
    assert(await page.locator('#share-note').isHidden(), 'no reason left');
    await page.locator('#share-cancel').click();
    await waitKind(page, 0, 'free');

    // Messages show at the top, clear of the seats' controls.
    room.refuseNextClaim = { code: 'seat_taken', message: 'Seat 4 is taken' };
    await seat(page, 3).locator('.participate').click();
    await page.locator('#toast').waitFor({ state: 'visible' });
    const toast = await page.locator('#toast').boundingBox();
    const lastRow = await seat(page, 3).locator('.seat-info').boundingBox();
    assert(toast.y + toast.height < lastRow.y, 'the message does not cover the bottom row');
    await page.locator('#toast-close').click();
    assert(await page.locator('#toast').isHidden(), 'Dismiss hides the message');

    // A live seat whose media never comes says so, and keeps retrying.
    room.setSeat(1, live(1, { source: 'WebRTC', video: { codec: 'H264', width: 1920, height: 1080, framerate: 29.97 } }));
    await waitFor('no-media notice', async () => /No picture from this seat yet/.test(await seat(page, 1).locator('.stage-note').textContent()), 15000);
    assert(await seat(page, 1).locator('.stage-note').isVisible(), 'notice visible');
    const tries = await page.evaluate(() => window.ovenspace.players()[0].phase);
    assertEqual(tries, 'no-media', 'the player is in its no-media phase');
    // Nothing in the footer is cut at 1280 px.
    const cut = await seat(page, 1).locator('.seat-info .badge, .seat-name, .watchers, .protocol').evaluateAll((els) =>
      els.filter((e) => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1).map((e) => e.className + ':' + e.textContent));
    assertEqual(cut, [], 'footer items cut');
    const badges = await seat(page, 1).locator('.seat-stats .badge:not(:empty)').allTextContents();
    assertEqual(badges.slice(0, 4), ['WebRTC', 'H264', '1920x1080', '30 fps'], 'source, codec, resolution, frame rate');
    await shot(page, 'rough-edges-no-media');
    await page.close();

    // /r/<unknown>: a page that says so and links to the rooms.
    const lost = await env.context.newPage();
    await lost.goto(`${env.room.base}/r/nosuchroom`);
    await lost.locator('#room-missing').waitFor({ state: 'visible' });
    assert(/nosuchroom/.test(await lost.locator('#room-missing-title').textContent()), 'names the room');
    await lost.locator('#room-missing a[href="/"]').click();
    await lost.locator('#room-picker').waitFor({ state: 'visible' });
    assert(await lost.locator('#room-list a').count() >= 1, 'the room list is one click away');
    await lost.close();
  });

  scenario('spotlight: click to enlarge, strip, sound follows, per-seat mute, full screen, phone', ['room'], async (env) => {
    const deadPort = env.ome.webrtcPort; // the room's OME port (its CSP allows it)
    const room = new ScriptedRoom({ publishPort: deadPort, seatCount: 6, seats: [live(0), live(1), live(2, { source: 'RTMP' })] });
    const page = await scriptedPage(env, room);
    await waitFor('three players', async () => (await page.evaluate(() => window.ovenspace.players())).length === 3);
    const muted = async () => Object.fromEntries((await page.evaluate(() => window.ovenspace.players())).map((p) => [p.seat, p.muted]));
    assertEqual(await muted(), { 0: true, 1: true, 2: true }, 'everything muted without a spotlight');

    await seat(page, 1).locator('.stage').click({ position: { x: 30, y: 30 } });
    await waitFor('seat 2 in the spotlight', async () => (await page.evaluate(() => window.ovenspace.spotlight())) === 1);
    const box = (i) => seat(page, i).boundingBox();
    const [spot, a, b, c] = await Promise.all([box(1), box(0), box(2), box(3)]);
    assert(spot.width > 3 * a.width, `the spotlight is large (${spot.width} vs ${a.width})`);
    assert(spot.y < a.y && a.y === b.y && b.y === c.y, 'the others form a strip below it');
    await waitFor('sound follows the spotlight', async () => JSON.stringify(await muted()) === JSON.stringify({ 0: true, 1: false, 2: true }));
    // Per-seat mute: seat 1 unmuted by hand, kept when the spotlight moves.
    await seat(page, 0).locator('.mute').click();
    await waitFor('seat 1 unmuted', async () => (await muted())[0] === false);
    await seat(page, 2).locator('.spotlight').focus();
    await page.keyboard.press('Enter');
    await waitFor('spotlight moved by keyboard', async () => (await page.evaluate(() => window.ovenspace.spotlight())) === 2);
    await waitFor('sound moved with it', async () => JSON.stringify(await muted()) === JSON.stringify({ 0: false, 1: true, 2: false }));
    await shot(page, 'spotlight');
    // Full screen: double click on the picture, or its button.
    await seat(page, 2).locator('.stage').dblclick({ position: { x: 30, y: 30 } });
    await waitFor('full screen', () => page.evaluate(() => document.fullscreenElement && document.fullscreenElement.closest('.seat').dataset.seat === '2'));
    await page.evaluate(() => document.exitFullscreen());
    await waitFor('left full screen', () => page.evaluate(() => document.fullscreenElement === null));
    await seat(page, 2).locator('.fullscreen').click();
    await waitFor('full screen by button', () => page.evaluate(() => document.fullscreenElement !== null));
    await page.evaluate(() => document.exitFullscreen());
    // A seat that stops leaves the spotlight; the grid comes back.
    room.setSeat(2, { state: 'free' });
    await waitFor('spotlight cleared', async () => (await page.evaluate(() => window.ovenspace.spotlight())) === null);
    assert(await page.locator('#spotlight-bar').isHidden(), 'no spotlight bar');
    // Phone: the spotlight fills the width, the strip wraps below.
    await page.setViewportSize({ width: 390, height: 844 });
    await seat(page, 0).locator('.spotlight').click();
    await waitFor('phone spotlight', async () => (await page.evaluate(() => window.ovenspace.spotlight())) === 0);
    const phoneSpot = await box(0);
    assert(phoneSpot.width > 340 && phoneSpot.width <= 390, `spotlight fills a phone (${phoneSpot.width})`);
    const scrollX = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert(scrollX, 'no sideways scrolling on a phone');
    await shot(page, 'spotlight-phone');
    await page.locator('#spotlight-exit').click();
    await waitFor('all seats again', async () => (await page.evaluate(() => window.ovenspace.spotlight())) === null);
    await page.close();
  });

  scenario('encoder details on demand: reopen, show/hide the key, copy, OBS hint, long URLs wrap', ['room'], async (env) => {
    const publishPort = env.ome.webrtcPort; // the room's OME port, answered by the test
    const room = new ScriptedRoom({ publishPort });
    const page = await scriptedPage(env, room);
    await env.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.room.base });
    await seat(page, 2).locator('.participate').click();
    await page.locator('#share-dialog').waitFor({ state: 'visible' });
    await page.locator('.tab[data-mode="encoder"]').click();
    const claim = await page.evaluate(() => window.ovenspace.claim());
    const token = claim.publish.rtmp.key.split('token=')[1];
    room.setSeat(2, { state: 'live', mine: true, source: 'RTMP', video: { codec: 'H264', width: 640, height: 360 } });
    await page.locator('#share-dialog').waitFor({ state: 'hidden', timeout: 5000 });
    // The encoder stops: the seat is still ours and the details still open.
    room.setSeat(2, { state: 'reserved', mine: true });
    await waitFor('back to waiting', async () => (await seat(page, 2).getAttribute('data-live')) === 'false');
    assert(await seat(page, 2).locator('.encoder-details').isVisible(), 'Encoder details on the held seat');
    await seat(page, 2).locator('.encoder-details').click();
    await page.locator('#encoder-dialog').waitFor({ state: 'visible' });
    const enc = encoderFields(page, '#encoder-dialog');
    assertEqual(await enc.value('rtmp-server'), claim.publish.rtmp.server, 'RTMP server');
    assertEqual(await enc.value('rtmp-key'), claim.publish.rtmp.key, 'stream key');
    assertEqual(await enc.value('srt'), claim.publish.srt, 'SRT URL');
    assertEqual(await enc.value('whip'), claim.publish.whip, 'WHIP URL');
    for (const id of ['rtmp-key', 'srt', 'whip']) assert(!(await enc.shown(id)).includes(token), `${id} hidden at first`);
    await page.locator('#encoder-dialog .reveal').click();
    assertEqual(await enc.shown('rtmp-key'), claim.publish.rtmp.key, 'shown on request');
    assertEqual(await page.locator('#encoder-dialog .reveal').getAttribute('aria-pressed'), 'true', 'toggle state');
    await page.locator('#encoder-dialog [data-field="rtmp-key"] .copy').click();
    await waitFor('copied', async () => (await page.evaluate(() => navigator.clipboard.readText())) === claim.publish.rtmp.key);
    await page.locator('#encoder-dialog .reveal').click();
    assert(!(await enc.shown('rtmp-key')).includes(token), 'hidden again');
    await page.locator('#encoder-dialog .obs-hint summary').click();
    assert(/Stream Key/.test(await page.locator('#encoder-dialog .obs-hint').textContent()), 'OBS hint says which field goes where');
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.locator('#encoder-dialog code').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).length);
    assertEqual(overflow, 0, 'long URLs wrap inside the dialog on a phone');
    await page.locator('#encoder-dialog .reveal').click();
    await shot(page, 'encoder-details-phone');
    await page.keyboard.press('Escape');
    await page.locator('#encoder-dialog').waitFor({ state: 'hidden' });
    assertEqual(await seatKind(page, 2), 'mine', 'closing the details keeps the seat');
    await page.close();
  });

  scenario('accessibility: axe on the page and every dialog, keyboard only, focus trapped, aria-live', ['room'], async (env) => {
    const page = await openPage(env.context, `${env.room.base}/r/main`);
    let total = await axeCheck(page, webDir, 'the main page');
    // Keyboard only: Tab reaches a Participate button, Enter takes the seat.
    let reached = null;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => (document.activeElement.classList.contains('participate') ? document.activeElement.closest('.seat').dataset.seat : null));
    }
    assert(reached !== null, 'a Participate button is reachable with Tab');
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert(ring !== 'none', `keyboard focus is visible (outline ${ring})`);
    await page.keyboard.press('Enter');
    await page.locator('#share-dialog').waitFor({ state: 'visible' });
    await waitFor('camera preview', () => page.$eval('#camera-preview', (v) => v.videoWidth > 0));
    total += await axeCheck(page, webDir, 'the share dialog (camera)');
    // Focus stays in the dialog however far one tabs.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const inside = await page.evaluate(() => document.getElementById('share-dialog').contains(document.activeElement));
      assert(inside, `focus left the dialog after ${i + 1} Tab presses`);
    }
    await page.locator('.tab[data-mode="encoder"]').click();
    total += await axeCheck(page, webDir, 'the share dialog (encoder)');
    await page.keyboard.press('Escape');
    await page.locator('#share-dialog').waitFor({ state: 'hidden' });
    await waitKind(page, Number(reached), 'free');
    await page.locator('#about-button').click();
    total += await axeCheck(page, webDir, 'the About dialog');
    await page.keyboard.press('Escape');
    assert(await page.locator('#about-dialog').isHidden(), 'Escape closes About');
    await page.close();

    // Live seats, the encoder details and the spotlight, scripted.
    const deadPort = env.ome.webrtcPort; // the room's OME port (its CSP allows it)
    const room = new ScriptedRoom({ publishPort: deadPort, seats: [live(0)] });
    const p2 = await scriptedPage(env, room);
    total += await axeCheck(p2, webDir, 'a page with a live seat');
    await seat(p2, 0).locator('.spotlight').click();
    total += await axeCheck(p2, webDir, 'the spotlight');
    room.setSeat(2, live(2));
    await waitFor('announced', async () => /Seat 3 is live\./.test(await p2.locator('#announcer').textContent()));
    assertEqual(await p2.locator('#announcer').getAttribute('aria-live'), 'polite', 'a polite live region');
    room.setSeat(2, { state: 'free' });
    await waitFor('announced free', async () => /Seat 3 stopped broadcasting/.test(await p2.locator('#announcer').textContent()));
    await seat(p2, 1).locator('.participate').click();
    await p2.locator('.tab[data-mode="encoder"]').click();
    room.setSeat(1, { state: 'live', mine: true, source: 'RTMP' });
    await p2.locator('#share-dialog').waitFor({ state: 'hidden', timeout: 5000 });
    await seat(p2, 1).locator('.encoder-details').click();
    await p2.locator('#encoder-dialog .obs-hint summary').click();
    total += await axeCheck(p2, webDir, 'the Encoder details dialog');
    await p2.keyboard.press('Escape');
    await p2.close();

    const lost = await env.context.newPage();
    await lost.goto(`${env.room.base}/r/nosuchroom`);
    await lost.locator('#room-missing').waitFor({ state: 'visible' });
    total += await axeCheck(lost, webDir, 'the unknown-room page');
    await lost.goto(`${env.room.base}/`);
    await lost.locator('#room-picker').waitFor({ state: 'visible' });
    total += await axeCheck(lost, webDir, 'the room picker');
    await lost.close();
    console.log(`  axe: no serious or critical violations; ${total} minor/moderate finding(s) in all`);
  });
}
