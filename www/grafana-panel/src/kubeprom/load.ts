import init, * as kubeprom from 'kubeprom';
import { initLint } from 'kubeprom';
import type { Kubeprom } from './types';

let loading: Promise<Kubeprom> | undefined;

/**
 * Instantiates the kubeprom core and its linter module once per page.
 *
 * webpack emits `kubeprom_bg.wasm` and `kubeprom_lint_bg.wasm` as assets of the plugin (the `new URL(..., import.meta.url)`
 * pattern) and resolves the URL against the plugin's public path, which the scaffold sets from the
 * module's own address (`public/plugins/<plugin id>/` by default). The module is compiled with
 * WebAssembly.instantiateStreaming, so no `eval` is involved; Grafana's CSP only needs to allow
 * WebAssembly compilation (`'wasm-unsafe-eval'`, or the `'unsafe-eval'` its default template has).
 */
export function loadKubeprom(): Promise<Kubeprom> {
  if (!loading) {
    const core = new URL('kubeprom/kubeprom_bg.wasm', import.meta.url);
    const linter = new URL('kubeprom/kubeprom_lint_bg.wasm', import.meta.url);
    // The linter only adds the notices: if it fails to load, the panel still draws its numbers
    // (lintQuery then throws `unsupported`, which the panel reports as a notice).
    loading = Promise.all([
      init({ module_or_path: core }, { lint: false }),
      initLint({ module_or_path: linter }).catch(() => undefined),
    ]).then(() => kubeprom);
    // A failed load (offline, blocked by a proxy) may be retried by the next panel render.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
