// `window.ovenspace`: read-only views of the page and a few fault injectors
// for the browser tests (tests/web/e2e.mjs). Built in only by
// `node build.mjs --test-hooks`; the production bundle has none of it
// (test/dist.test.js checks).

export function installTestHooks(app) {
  window.ovenspace = Object.freeze({ ...app });
}
