// Builds the bundle into a temporary directory and checks that nothing in it
// would load from another host at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
