// Builds the bundle into a temporary directory and checks that nothing in it
// would load from another host at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// URLs that are in the bundle but are never fetched by the page, each with why.
const ALLOWED = new Map([
  ['https://github.com/AirenSoft/OvenSpace', 'header link to the project (a navigation the user clicks)'],
  ['https://github.com/OvenMediaLabs/OvenPlayer', "OvenPlayer's own context-menu About entry (a click opens it)"],
  ['https://github.com/zloirock/core-js', 'core-js version metadata string'],
  ['https://github.com/zloirock/core-js/blob/v3.40.0/LICENSE', 'core-js license metadata string'],
  ['http://www.w3.org/ns/ttml', 'XML namespace name in hls.js subtitle parsing'],
  ['https://aomedia.org/emsg/ID3', 'emsg scheme identifier in hls.js'],
  ['https://a', 'URL-parsing feature test in a polyfill'],
  ['https://a/c', 'URL-parsing feature test in a polyfill'],
  ['https://x', 'URL-parsing feature test in a polyfill'],
  ['https://a/c%20d?a=1&c=3', 'URL-parsing feature test in a polyfill'],
  ['https://a@b', 'URL-parsing feature test in a polyfill'],
  ['https://a#', 'URL-parsing feature test in a polyfill'],
  ['http://www.w3.org/ns/ttml#styling', 'XML namespace name in hls.js subtitle parsing'],
]);

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

test('the built bundle references no other host', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'ovs-web-'));
  try {
    execFileSync(process.execPath, [path.join(web, 'build.mjs'), '--outdir', out], { stdio: 'pipe' });
    const shipped = files(out).filter((f) => /\.(js|css|html)$/.test(f));
    assert.ok(shipped.some((f) => f.endsWith('index.html')), 'index.html built');
    assert.ok(shipped.some((f) => /app-[A-Z0-9]+\.js$/.test(f)), 'hashed JS built');
    assert.ok(shipped.some((f) => /app-[A-Z0-9]+\.css$/.test(f)), 'hashed CSS built');
    assert.ok(files(out).some((f) => f.endsWith('.js.map')), 'sourcemap built');
    const found = new Set();
    for (const f of shipped) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/https?:\/\/[^\s"'`<>)\\]+/g)) found.add(m[0].replace(/[.,;]+$/, ''));
    }
    const foreign = [...found].filter((u) => !ALLOWED.has(u) && !/^https?:\/\/(localhost|127\.0\.0\.1)([:/]|$)/.test(u));
    assert.deepEqual(foreign, [], 'URLs to other hosts in the bundle');
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=["']https?:/, 'no external script tags');
    assert.doesNotMatch(html, /<link[^>]+href=["']https?:/, 'no external stylesheets');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the bundle uses the minified or module OvenLiveKit, not an eval build', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'ovs-web-'));
  try {
    execFileSync(process.execPath, [path.join(web, 'build.mjs'), '--outdir', out], { stdio: 'pipe' });
    for (const f of files(out).filter((x) => x.endsWith('.js'))) {
      assert.doesNotMatch(readFileSync(f, 'utf8'), /eval\(/, `${path.basename(f)} calls eval`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

// What a first visit downloads before the seat grid can show: the entry and
// its static imports (build.json `initial`), weighed gzip-compressed as a
// server or proxy would send them.
export const INITIAL_JS_BUDGET_GZIP = 150 * 1024;

function build(extra = []) {
  const out = mkdtempSync(path.join(tmpdir(), 'ovs-web-'));
  execFileSync(process.execPath, [path.join(web, 'build.mjs'), '--outdir', out, ...extra], { stdio: 'pipe' });
  const manifest = JSON.parse(readFileSync(path.join(out, 'build.json'), 'utf8'));
  const read = (url) => readFileSync(path.join(out, url.replace(/^\//, '')), 'utf8');
  return { out, manifest, read };
}

test('initial JavaScript stays under the budget; the players are separate chunks', () => {
  const { out, manifest, read } = build();
  try {
    const gz = manifest.initial.reduce((sum, url) => sum + gzipSync(read(url)).length, 0);
    console.log(`initial JS: ${manifest.initial.length} file(s), ${(gz / 1024).toFixed(1)} KiB gzip (budget ${INITIAL_JS_BUDGET_GZIP / 1024} KiB)`);
    assert.ok(gz < INITIAL_JS_BUDGET_GZIP, `initial JS is ${gz} bytes gzip`);
    assert.equal(manifest.initial[0], manifest.js, 'the entry comes first');
    const initialText = manifest.initial.map(read).join('\n');
    // Each heavy library is in a lazily loaded chunk, not in the first download.
    // (markers: strings only that library's code contains)
    for (const [name, marker] of [['OvenPlayer', 'op-wrapper'], ['hls.js', 'MANIFEST_LOADED'], ['OvenLiveKit', 'request_offer']]) {
      assert.ok(!initialText.includes(marker), `${name} is not in the initial JS`);
      assert.ok(manifest.lazy.some((url) => read(url).includes(marker)), `${name} is in a lazy chunk`);
    }
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    for (const url of manifest.lazy) assert.ok(!html.includes(url), `${url} is not preloaded`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the production bundle has no test hooks; the test build has them', () => {
  const prod = build();
  const withHooks = build(['--test-hooks']);
  try {
    const all = (b) => [...b.manifest.initial, ...b.manifest.lazy].map(b.read).join('\n');
    for (const hook of ['dropConnection', 'limitSendBitrate', 'lastResume']) {
      assert.ok(!all(prod).includes(hook), `${hook} is not in the production bundle`);
      assert.ok(all(withHooks).includes(hook), `${hook} is in the test build`);
    }
    assert.equal(prod.manifest.testHooks, false);
    assert.equal(withHooks.manifest.testHooks, true);
  } finally {
    rmSync(prod.out, { recursive: true, force: true });
    rmSync(withHooks.out, { recursive: true, force: true });
  }
});
