/*
 * Loads the kubeprom WebAssembly core once per page.
 *
 * Headlamp fetches a plugin's main.js as text and runs it with `new Function`, so the plugin
 * cannot learn the URL it was served from (plugins/, user-plugins/ or static-plugins/<dir>/),
 * and a .wasm file next to main.js has no address the plugin could compute. Vite's library
 * build instead inlines the `new URL('kubeprom_bg.wasm', import.meta.url)` of kubeprom's
 * generated loader as a `data:` URL, so the .wasm travels inside main.js and `init()` without
 * arguments fetches it from there (compiled asynchronously, which Chromium requires for modules
 * of this size on the main thread). Headlamp sets no Content-Security-Policy; a deployment that
 * adds one needs `connect-src data:` and `script-src 'wasm-unsafe-eval'`.
 */
import init from 'kubeprom';

let ready: Promise<void> | undefined;
let loaded = false;

/** Resolves once the kubeprom functions can be called; rejects if the module cannot load. */
export function kubepromReady(): Promise<void> {
  if (!ready) {
    // The plugin never lints PromQL: skip the linter module (the shim then never fetches it).
    ready = init(undefined, { lint: false }).then(() => {
      loaded = true;
    });
    // Let a later call retry after a failed load.
    ready.catch(() => {
      ready = undefined;
    });
  }
  return ready;
}

/** Whether kubeprom has been loaded (synchronous check for render paths). */
export function kubepromLoaded(): boolean {
  return loaded;
}

/** For tests and hosts that initialised the module themselves with `initSync`. */
export function markKubepromLoaded(): void {
  loaded = true;
  ready = Promise.resolve();
}
