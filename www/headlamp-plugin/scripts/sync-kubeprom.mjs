#!/usr/bin/env node
/*
 * Refreshes node_modules/kubeprom from the repository root.
 *
 * kubeprom is a `file:../..` dependency installed as a copy (.npmrc install-links=true): a
 * symlink would put the shim outside node_modules, where the vitest run of `headlamp-plugin
 * test` transforms it with the node polyfills of @kinvolk/headlamp-plugin 0.14, which inject an
 * unresolvable `unenv` import into any module that mentions `global` (the wasm-bindgen glue
 * does). A copy is only as new as the last `npm install`, so build and test scripts call this
 * first to pick up a rebuilt core.
 *
 * The plugin does not lint PromQL, so it takes the core built without the linter
 * (`npm run build:lite` at the root, target/pkg-lite: about a quarter of the size, and the .wasm
 * is inlined into main.js) when that build exists, else the default build (pkg/).
 * KUBEPROM_PKG=<dir relative to the root> picks one explicitly.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const target = resolve(here, '../node_modules/kubeprom');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const files = ['package.json', ...(manifest.files ?? [])];

const pkgDir =
  process.env.KUBEPROM_PKG ??
  (existsSync(join(root, 'target/pkg-lite/kubeprom_bg.wasm')) ? 'target/pkg-lite' : 'pkg');
// Files under pkg/ come from the chosen build; the glue and the .wasm always travel together.
const source = file =>
  file.startsWith('pkg/') ? join(root, pkgDir, file.slice(4)) : join(root, file);

let copied = 0;
const missing = [];
for (const file of files) {
  const from = source(file);
  const to = join(target, file);
  if (!existsSync(from)) {
    missing.push(from);
    continue;
  }
  if (existsSync(to) && readFileSync(from).equals(readFileSync(to))) continue;
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied++;
}
if (missing.length) {
  console.error(
    `kubeprom: missing ${missing.join(
      ', '
    )}; run \`npm run build:lite\` (or \`npm run build\`) in ${root}.`
  );
  process.exit(1);
}
const wasm = statSync(join(target, 'pkg/kubeprom_bg.wasm')).size;
console.log(
  `kubeprom: core from ${pkgDir} (${Math.round(wasm / 1024)} KiB wasm)` +
    (copied ? `, refreshed ${copied} file(s) in node_modules/kubeprom` : '')
);
