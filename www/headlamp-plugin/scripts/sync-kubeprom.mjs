#!/usr/bin/env node
/*
 * Refreshes node_modules/kubeprom from the repository root.
 *
 * kubeprom is a `file:../..` dependency installed as a copy (.npmrc install-links=true): a
 * symlink would put the shim outside node_modules, where the vitest run of `headlamp-plugin
 * test` transforms it with the node polyfills of @kinvolk/headlamp-plugin 0.14, which inject an
 * unresolvable `unenv` import into any module that mentions `global` (the wasm-bindgen glue
 * does). A copy is only as new as the last `npm install`, so build and test scripts call this
 * first to pick up a rebuilt shim (`npm run build` at the repository root).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const target = resolve(here, '../node_modules/kubeprom');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const files = ['package.json', ...(manifest.files ?? [])];

let copied = 0;
const missing = [];
for (const file of files) {
  const from = join(root, file);
  const to = join(target, file);
  if (!existsSync(from)) {
    missing.push(file);
    continue;
  }
  if (existsSync(to) && readFileSync(from).equals(readFileSync(to))) continue;
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied++;
}
if (missing.length) {
  console.error(
    `kubeprom: ${missing.join(', ')} missing in ${root}; run \`npm run build\` there first.`
  );
  process.exit(1);
}
if (copied) console.log(`kubeprom: refreshed ${copied} file(s) in node_modules/kubeprom`);
