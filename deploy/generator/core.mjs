// Loads the kubeprom core (www/index.js + the built wasm) once, for the generator and its tests.
// Every PromQL string the generator writes comes from here.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as kubeprom from '../../www/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let loaded = false;

/** The initialised kubeprom module (run `npm run build` at the repository root first). */
export function core() {
  if (!loaded) {
    const wasm = join(root, 'pkg/kubeprom_bg.wasm');
    let bytes;
    try {
      bytes = readFileSync(wasm);
    } catch (e) {
      throw new Error(`${wasm} is missing: run \`npm run build\` at the repository root first (${e.message})`);
    }
    // The linter is a second module since the core was split; tests lint every query with it.
    const lint = join(root, 'pkg/kubeprom_lint_bg.wasm');
    kubeprom.initSync({ module: bytes }, existsSync(lint) ? { lint: readFileSync(lint) } : {});
    loaded = true;
  }
  return kubeprom;
}
