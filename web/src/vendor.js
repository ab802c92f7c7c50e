// The third-party players, bundled from npm (no CDN at run time) but loaded
// only when first needed, so the first paint needs none of them: OvenPlayer
// when a seat is live, hls.js when a viewer plays LL-HLS, OvenLiveKit when
// someone shares. esbuild puts each behind a dynamic import into its own
// chunk (build.mjs, splitting). A failed load is forgotten so that the next
// call tries again (a flaky network must not break playback for good).

let ovenPlayer = null;
let hls = null;
let ovenLiveKit = null;
let hlsReady = false;

function once(load, forget) {
  return load().catch((error) => {
    forget();
    throw error;
  });
}

// ovenplayer ships a UMD bundle; depending on the interop it arrives as the
// namespace itself or under `default`.
function pickOvenPlayer(mod) {
  for (const candidate of [mod, mod.default, mod.default && mod.default.default]) {
    if (candidate && typeof candidate.create === 'function') return candidate;
  }
  throw new Error('OvenPlayer did not load');
}

export function loadOvenPlayer() {
  ovenPlayer ??= once(
    () => import('ovenplayer').then(pickOvenPlayer),
    () => (ovenPlayer = null),
  );
  return ovenPlayer;
}

// OvenPlayer's LL-HLS provider looks for hls.js as the global `Hls` when it
// starts, so it is installed on window before such a player is created.
export function loadHls() {
  hls ??= once(
    () => import('hls.js').then((mod) => {
      const Hls = mod.default || mod;
      window.Hls = Hls;
      hlsReady = true;
      return Hls;
    }),
    () => (hls = null),
  );
  return hls;
}

export function isHlsLoaded() {
  return hlsReady;
}

export function loadOvenLiveKit() {
  ovenLiveKit ??= once(
    () => import('ovenlivekit/src/OvenLiveKit.js').then((mod) => mod.default || mod),
    () => (ovenLiveKit = null),
  );
  return ovenLiveKit;
}
