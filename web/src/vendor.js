// The third-party players, bundled from npm (no CDN at run time).
// OvenPlayer's LL-HLS provider looks for hls.js as the global `Hls`, so it is
// installed on window before any player is created.

import * as ovenPlayerModule from 'ovenplayer';
import OvenLiveKit from 'ovenlivekit/src/OvenLiveKit.js';
import Hls from 'hls.js';

// ovenplayer ships a UMD bundle; depending on the interop it arrives as the
// namespace itself or under `default`.
function pickOvenPlayer(mod) {
  for (const candidate of [mod, mod.default, mod.default && mod.default.default]) {
    if (candidate && typeof candidate.create === 'function') return candidate;
  }
  throw new Error('OvenPlayer did not load');
}

export const OvenPlayer = pickOvenPlayer(ovenPlayerModule);
export { OvenLiveKit, Hls };

if (typeof window !== 'undefined') window.Hls = Hls;
