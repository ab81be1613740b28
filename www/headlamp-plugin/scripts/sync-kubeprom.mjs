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
 * The plugin does not lint PromQL and inlines the core's .wasm into main.js, so it takes the
 * smallest complete core: `target/pkg-lite` (`npm run build:lite`) while the default build still
 * carried the linter inside the core, `pkg/` (`npm run build`) once the linter is a separate
 * module. KUBEPROM_PKG=<dir relative to the root> picks one explicitly.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const target = resolve(here, '../node_modules/kubeprom');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const files = ['package.json', ...(manifest.files ?? [])];

// A build folder is usable when it has every generated file the manifest lists (the core and,
// once the linter is a module of its own, its glue and .wasm). Of the usable ones, the smallest
// core wins: the default build since the linter moved out of the core, the lite build before.
const generated = files.filter(f => f.startsWith('pkg/')).map(f => f.slice(4));
const complete = dir => generated.every(f => existsSync(join(root, dir, f)));
const coreSize = dir => statSync(join(root, dir, 'kubeprom_bg.wasm')).size;
const pkgDir =
  process.env.KUBEPROM_PKG ??
  ['pkg', 'target/pkg-lite'].filter(complete).sort((a, b) => coreSize(a) - coreSize(b))[0] ??
  'pkg';
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
