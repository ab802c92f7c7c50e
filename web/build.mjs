// Builds the page into web/dist: index.html plus content-hashed JS and CSS
// (with sourcemaps) under /assets/. Everything the page runs comes from
// node_modules at build time; nothing is loaded from a CDN at run time.
// Usage: node build.mjs [--outdir DIR]

import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argIndex = process.argv.indexOf('--outdir');
const outdir = argIndex > 0 ? path.resolve(process.argv[argIndex + 1]) : path.join(here, 'dist');
const assets = path.join(outdir, 'assets');

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
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  sourcemap: true,
  legalComments: 'external', // licenses go to *.LEGAL.txt beside the bundle
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  outdir: assets,
  metafile: true,
  logLevel: 'warning',
  plugins: [stripFlashLinks],
});

let js = null;
let css = null;
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (!info.entryPoint && !file.endsWith('.css')) continue;
  const url = '/assets/' + path.basename(file);
  if (file.endsWith('.js')) js = url;
  else if (file.endsWith('.css')) css = url;
}
if (!js || !css) throw new Error(`build produced no ${js ? 'CSS' : 'JS'} bundle`);

const template = await readFile(path.join(here, 'src/index.html'), 'utf8');
const html = template.replace('__JS__', js).replace('__CSS__', css);
await writeFile(path.join(outdir, 'index.html'), html);
await writeFile(path.join(outdir, 'build.json'), JSON.stringify({ js, css }, null, 2) + '\n');
console.log(`web: built ${path.relative(process.cwd(), outdir) || '.'} (${js}, ${css})`);
