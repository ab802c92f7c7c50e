// Builds the page into web/dist: index.html plus content-hashed JS and CSS
// (with sourcemaps) under /assets/. Everything the page runs comes from
// node_modules at build time; nothing is loaded from a CDN at run time.
//
// The entry (app-<hash>.js) holds only what the first paint needs; OvenPlayer,
// hls.js and OvenLiveKit are dynamic imports that esbuild splits into
// chunks/ loaded on first need (src/vendor.js). build.json lists the initial
// files (the entry and what it imports statically) so the budget test
// (test/dist.test.js) can weigh exactly what a first visit downloads.
//
// --test-hooks builds in `window.ovenspace` (src/testhooks.js) for the
// browser tests; the production build has none of it.
// Usage: node build.mjs [--outdir DIR] [--test-hooks]

import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argIndex = process.argv.indexOf('--outdir');
const outdir = argIndex > 0 ? path.resolve(process.argv[argIndex + 1]) : path.join(here, 'dist');
const assets = path.join(outdir, 'assets');
const testHooks = process.argv.includes('--test-hooks');

// OvenPlayer's error texts for its (unused) Flash provider embed an image
// from Adobe's site. The page never uses Flash, but a URL that would load
// from another host has no place in the bundle, so those links are cut out
// at build time.
const stripFlashLinks = {
  name: 'strip-flash-links',
  setup(build) {
    build.onLoad({ filter: /ovenplayer[\\/]dist[\\/]ovenplayer\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const stripped = text.replace(/<\/br><a href='http:\/\/www\.adobe\.com\/go\/getflashplayer'[^"]*?<\/a>/g, '');
      return { contents: stripped, loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: path.join(here, 'src/main.js') },
  absWorkingDir: here, // metafile paths are relative to web/, wherever the build runs from
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  sourcemap: true,
  legalComments: 'external', // licenses go to *.LEGAL.txt beside the bundle
  splitting: true,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: '[name]-[hash]',
  define: { __OVS_TEST_HOOKS__: String(testHooks) },
  outdir: assets,
  metafile: true,
  logLevel: 'warning',
  plugins: [stripFlashLinks],
});

const outputs = result.metafile.outputs;
const urlOf = (file) => '/assets/' + path.relative(assets, path.resolve(here, file)).split(path.sep).join('/');
let entry = null;
let css = null;
for (const [file, info] of Object.entries(outputs)) {
  if (file.endsWith('.js') && info.entryPoint === 'src/main.js') entry = file;
  else if (file.endsWith('.css') && !file.includes('/chunks/')) css = urlOf(file);
}
if (!entry || !css) throw new Error(`build produced no ${entry ? 'CSS' : 'JS'} bundle`);

// The entry and everything it imports statically, transitively: what the
// browser fetches before the page can run. Dynamic imports are the lazy part.
const initial = [];
const lazy = new Set();
const visit = (file) => {
  if (initial.includes(file)) return;
  initial.push(file);
  for (const imp of outputs[file].imports || []) {
    if (imp.kind === 'import-statement') visit(imp.path);
    else if (imp.kind === 'dynamic-import') lazy.add(imp.path);
  }
};
visit(entry);
const js = urlOf(entry);

const template = await readFile(path.join(here, 'src/index.html'), 'utf8');
// The entry's static chunks are announced up front so the browser fetches
// them in parallel with the entry instead of after parsing it.
const preload = initial.slice(1).map((f) => `<link rel="modulepreload" href="${urlOf(f)}">`).join('\n');
const html = template.replace('__JS__', js).replace('__CSS__', css).replace('__PRELOAD__', preload);
await writeFile(path.join(outdir, 'index.html'), html);
const manifest = {
  js,
  css,
  initial: initial.map(urlOf),
  lazy: [...lazy].filter((f) => !initial.includes(f)).map(urlOf),
  testHooks,
};
await writeFile(path.join(outdir, 'build.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`web: built ${path.relative(process.cwd(), outdir) || '.'} (${js}, ${css}${testHooks ? ', with test hooks' : ''})`);
