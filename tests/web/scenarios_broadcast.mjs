// The broadcaster's controls while live, with real WebRTC media: the page
// publishes through OvenLiveKit as usual, and the signalling socket (OME's
// WebRTC ingest protocol: request_offer, offer, answer, candidate) is
// answered by the test, which hands the offer/answer to a second page whose
// RTCPeerConnection receives the media as OME's ingest would. So every check
// reads what really arrives at the receiving end: frames keep coming across a
// camera or screen switch (replaceTrack, same connection), sound energy stops
// when the microphone is muted, the bitrate collapses when the camera is
// turned off. What this cannot check without a real OME: OME's own handling of
// a replaced track (the output stream keeps playing for viewers); the test
// says so in its output.

import { assert, assertEqual, ScriptedRoom, seat, waitFor, waitKind } from './helpers.mjs';
import { axeCheck } from './scenarios_page.mjs';

// Runs in the receiving page: a recvonly offer with every candidate in it.
async function ingestOffer() {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  window.ingest = { pc };
  // Chromium measures received sound only while something plays it out.
  pc.addEventListener('track', (ev) => {
    if (ev.track.kind !== 'audio') return;
    const audio = document.createElement('audio');
    audio.srcObject = new MediaStream([ev.track]);
    audio.volume = 0.01;
    document.body.appendChild(audio);
    audio.play().catch(() => {});
  });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 3000);
  });
  return { type: 'offer', sdp: pc.localDescription.sdp };
}

// Runs in the receiving page: what arrived over `ms` milliseconds.
async function ingestSample(ms) {
  const read = async () => {
    const out = {};
    for (const s of (await window.ingest.pc.getStats()).values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'video') Object.assign(out, { vBytes: s.bytesReceived, frames: s.framesDecoded || 0, width: s.frameWidth, height: s.frameHeight });
      if (s.type === 'inbound-rtp' && s.kind === 'audio') Object.assign(out, { energy: s.totalAudioEnergy || 0 });
    }
    return out;
  };
  const a = await read();
  await new Promise((r) => setTimeout(r, ms));
  const b = await read();
  return {
    videoKbps: Math.round(((b.vBytes - a.vBytes) * 8) / ms),
    frames: b.frames - a.frames,
    totalFrames: b.frames,
    width: b.width,
    height: b.height,
    energy: b.energy - a.energy,
  };
}

// Runs in the sending page: a peer with the fake camera and microphone,
// offering to send them (what OME offers a WebRTC player).
async function sourceOffer() {
  const media = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const pc = new RTCPeerConnection();
  for (const track of media.getTracks()) pc.addTrack(track, media);
  window.source = { pc };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 3000);
  });
  return { type: 'offer', sdp: pc.localDescription.sdp };
}

export function register(scenario, { shot, webDir }) {
  scenario('a viewer\'s seat stats with real WebRTC playback: mode, frame rate, latency from getStats', ['room'], async (env) => {
    console.log('  note: no real OME here: OvenPlayer plays from a browser peer speaking OME\'s playback signalling; '
      + 'the LL-HLS latency (hls.js) needs a real LL-HLS origin and is not checked by this scenario');
    const playPort = env.ome.webrtcPort; // the room's OME port, answered by the test
    const room = new ScriptedRoom({
      publishPort: playPort,
      seats: [{ index: 0, state: 'live', source: 'WebRTC', video: { codec: 'VP8', width: 640, height: 480 } }],
    });
    const source = await env.context.newPage();
    await source.goto(`${env.room.base}/healthz`); // a secure (loopback) origin may use the camera
    const page = await env.context.newPage();
    await room.attach(page);
    await page.routeWebSocket((url) => url.port === String(playPort), (ws) => {
      let chain = Promise.resolve();
      ws.onMessage((text) => {
        const msg = JSON.parse(text);
        chain = chain.then(async () => {
          if (msg.command === 'request_offer') {
            const sdp = await source.evaluate(sourceOffer);
            ws.send(JSON.stringify({ command: 'offer', id: 3, peer_id: 0, sdp, candidates: [] }));
          } else if (msg.command === 'answer') {
            await source.evaluate((answer) => window.source.pc.setRemoteDescription(answer), msg.sdp);
          } else if (msg.command === 'candidate') {
            for (const c of msg.candidates || []) await source.evaluate((cand) => window.source.pc.addIceCandidate(cand), c);
          }
        }).catch((e) => console.log(`  playback signalling: ${e.message}`));
      });
    });
    await page.goto(`${env.room.base}/r/main`);
    await page.waitForFunction(() => window.ovenspace && window.ovenspace.status() === 'open');
    const player = await waitFor('playing over WebRTC with a latency reading', async () => {
      const p = (await page.evaluate(() => window.ovenspace.players()))[0];
      return p && p.phase === 'playing' && p.mode === 'webrtc' && Number.isFinite(p.latencyMs) && p;
    }, 30000);
    assert(player.latencyMs >= 0 && player.latencyMs < 2000, `a loopback latency (${player.latencyMs} ms)`);
    const badges = seat(page, 0).locator('.seat-stats');
    await waitFor('stats line', async () => {
      const text = (await badges.locator('.badge:not(:empty)').allTextContents()).join(' | ');
      return /WebRTC \| VP8 \| 640x480 \| \d+ fps \| playing WebRTC \| latency \d+ ms/.test(text) && text;
    }, 10000);
    assert(await seat(page, 0).locator('.stage-note').isHidden(), 'no "no picture" notice while playing');
    assert(await page.evaluate(() => typeof window.Hls === 'undefined'), 'hls.js never loaded for a WebRTC viewer');
    await shot(page, 'viewer-stats-webrtc');
    await page.close();
    await source.close();
  });

  scenario('broadcaster controls while live: mute, camera off, switch mic, camera <-> screen, health, degraded warning (real WebRTC)', ['room'], async (env) => {
    console.log('  note: no real OME here: the media goes to a browser peer speaking OME\'s ingest signalling; '
      + 'OME\'s own handling of replaced tracks (viewers keep playing) is not checked by this scenario');
    const publishPort = env.ome.webrtcPort; // the room's OME port, answered by the test
    const room = new ScriptedRoom({ publishPort });
    const page = await env.context.newPage();
    const ingest = await env.context.newPage();
    await ingest.goto('about:blank');
    await ingest.mouse.click(5, 5); // a user gesture: the receiver may play sound
    await room.attach(page);
    const sockets = [];
    await page.routeWebSocket((url) => url.port === String(publishPort), (ws) => {
      const entry = { url: ws.url(), messages: [] };
      sockets.push(entry);
      let chain = Promise.resolve(); // one message at a time: no candidate before the answer
      ws.onMessage((text) => {
        const msg = JSON.parse(text);
        entry.messages.push(msg.command);
        chain = chain.then(async () => {
          if (msg.command === 'request_offer') {
            const sdp = await ingest.evaluate(ingestOffer);
            ws.send(JSON.stringify({ command: 'offer', id: 7, peer_id: 0, sdp, candidates: [] }));
          } else if (msg.command === 'answer') {
            await ingest.evaluate((answer) => window.ingest.pc.setRemoteDescription(answer), msg.sdp);
          } else if (msg.command === 'candidate') {
            for (const c of msg.candidates || []) await ingest.evaluate((cand) => window.ingest.pc.addIceCandidate(cand), c);
          }
        }).catch((e) => console.log(`  ingest signalling: ${e.message}`));
      });
    });
    await page.goto(`${env.room.base}/r/main`);
    await page.waitForFunction(() => window.ovenspace && window.ovenspace.status() === 'open');

    await seat(page, 0).locator('.participate').click();
    await waitFor('camera preview', () => page.$eval('#camera-preview', (v) => v.videoWidth > 0));
    await page.locator('#share-start').click();
    await page.locator('#share-dialog').waitFor({ state: 'hidden' });
    await waitFor('media arriving at the ingest', async () => (await ingest.evaluate(ingestSample, 500)).frames > 0, 20000);
    room.setSeat(0, { state: 'live', mine: true, source: 'WebRTC', video: { codec: 'H264', width: 640, height: 480 } });
    const tile = seat(page, 0);
    await tile.locator('.live-controls').waitFor({ state: 'visible' });
    await axeCheck(page, webDir, 'a live broadcaster tile');

    // Health: sending bitrate, frame rate, resolution of what goes out.
    await waitFor('health figures', async () => /bit\/s · \d+ fps · \d+x\d+/.test(await tile.locator('.health-figures').textContent()), 10000);
    assert(!(await tile.locator('.health').evaluate((e) => e.classList.contains('degraded'))), 'healthy at first');
    await shot(page, 'broadcaster-live-health');

    // Microphone: muted means no sound energy arrives; unmuted, it comes back.
    const before = await ingest.evaluate(ingestSample, 1500);
    assert(before.energy > 0, `sound arrives before muting (${before.energy})`);
    await tile.locator('.mic').click();
    assertEqual(await tile.locator('.mic').getAttribute('aria-pressed'), 'true', 'mic button shows muted');
    await waitFor('silence at the ingest', async () => (await ingest.evaluate(ingestSample, 1500)).energy < before.energy / 50, 10000);
    await tile.locator('.mic').click();
    await waitFor('sound back', async () => (await ingest.evaluate(ingestSample, 1500)).energy > before.energy / 5, 10000);

    // Camera off: black frames need almost no bits; on again: the picture is back.
    const videoOn = await ingest.evaluate(ingestSample, 1500);
    await tile.locator('.camera').click();
    assert(/camera is off/.test(await tile.locator('.stage-note').textContent()), 'the tile says the camera is off');
    await waitFor('video bitrate collapses', async () => (await ingest.evaluate(ingestSample, 1500)).videoKbps < videoOn.videoKbps / 4, 15000);
    await tile.locator('.camera').click();
    await waitFor('video bitrate back', async () => (await ingest.evaluate(ingestSample, 1500)).videoKbps > videoOn.videoKbps / 3, 15000);

    // Switch camera and microphone in the devices dialog: the same connection
    // keeps delivering frames (no new signalling socket, no new publish).
    await tile.locator('.devices').click();
    await page.locator('#devices-dialog').waitFor({ state: 'visible' });
    await axeCheck(page, webDir, 'the devices dialog');
    const cams = await page.$$eval('#live-camera-select option', (os) => os.map((o) => o.value));
    const mics = await page.$$eval('#live-mic-select option', (os) => os.map((o) => o.value));
    const trackId = () => page.evaluate(() => window.ovenspace.broadcastTracks());
    const t0 = await trackId();
    // Choosing the camera in use again changes nothing.
    await page.$eval('#live-camera-select', (s) => s.dispatchEvent(new Event('change')));
    assertEqual((await trackId()).video, t0.video, 'the same camera again keeps its track');
    console.log(`  note: ${cams.length} camera(s) here; camera to camera is not checked: in this test browser a `
      + 'second fake camera opened while publishing delivers no frames to the sender (not understood yet); '
      + 'camera to screen and back below replaces the video track both ways');
    if (mics.length > 1) {
      const current = await page.$eval('#live-mic-select', (s) => s.value);
      await page.selectOption('#live-mic-select', mics.find((m) => m !== current));
      await waitFor('new microphone track sent', async () => (await trackId()).audio !== t0.audio);
    }
    await page.keyboard.press('Escape');
    await page.locator('#devices-dialog').waitFor({ state: 'hidden' });
    // The receiver decodes again from the next key frame of the new track.
    const afterSwitch = await waitFor('frames keep arriving after the device switch', async () => {
      const s = await ingest.evaluate(ingestSample, 1000);
      return s.frames > 0 && s;
    }, 15000);

    // Camera -> screen -> camera, in the running connection.
    const camSize = [afterSwitch.width, afterSwitch.height];
    await tile.locator('.screen-switch').click();
    await waitFor('sending the screen', async () => (await page.evaluate(() => window.ovenspace.broadcast().source)) === 'screen');
    await waitFor('screen frames at the ingest', async () => {
      const s = await ingest.evaluate(ingestSample, 1000);
      return s.frames > 0 && (s.width !== camSize[0] || s.height !== camSize[1]);
    }, 20000);
    await tile.locator('.screen-switch').click();
    await waitFor('camera again', async () => (await page.evaluate(() => window.ovenspace.broadcast().source)) === 'camera');
    await waitFor('camera frames at the ingest', async () => {
      const s = await ingest.evaluate(ingestSample, 1000);
      return s.frames > 0 && s.width === camSize[0] && s.height === camSize[1];
    }, 20000);
    assertEqual(sockets.length, 1, 'one signalling connection throughout: no re-publish');
    assert(!room.commands.some((c) => c.type === 'release'), 'the seat was never released');

    // A congested network: the tile warns, clearly.
    assert(await page.evaluate(() => window.ovenspace.limitSendBitrate(20000)), 'bitrate capped');
    await waitFor('degraded warning', () => tile.locator('.health').evaluate((e) => e.classList.contains('degraded')), 20000);
    const warning = await tile.locator('.health-warning').textContent();
    assert(/network limits|Almost nothing|lower quality/.test(warning), `warning says why (${warning})`);
    await shot(page, 'broadcaster-live-degraded');

    await tile.locator('.leave').click();
    await waitKind(page, 0, 'free');
    assertEqual(await page.evaluate(() => window.ovenspace.media()), { publishers: 0, liveTracks: 0 }, 'nothing held after Leave');
    await ingest.close();
    await page.close();
  });
}
