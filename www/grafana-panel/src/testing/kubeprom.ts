import { readFileSync } from 'fs';
import * as kubeprom from 'kubeprom';
import type { Kubeprom } from '../kubeprom/types';

let loaded = false;

/** The real kubeprom core for tests: the same module the plugin bundles, instantiated from its bytes. */
export function realKubeprom(): Kubeprom {
  if (!loaded) {
    kubeprom.initSync(
      { module: readFileSync(require.resolve('kubeprom/kubeprom_bg.wasm')) },
      { lint: readFileSync(require.resolve('kubeprom/kubeprom_lint_bg.wasm')) }
    );
    loaded = true;
  }
  return kubeprom;
}
