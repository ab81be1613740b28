/*
 * Merged by Vite into the configuration `headlamp-plugin build` passes it (Vite loads the
 * project's vite.config.* unless told not to).
 *
 * The node polyfills in @kinvolk/headlamp-plugin 0.14 (vite-plugin-node-polyfills 0.23) inject
 * `import "unenv/polyfill/globalthis"` into any module that mentions `global`, but do not depend
 * on unenv, so the build fails. kubeprom's wasm-bindgen glue mentions `global` when it looks up
 * the global object. Every browser has `globalThis`, so the alias points at a module that
 * exports it.
 */
import { fileURLToPath } from 'url';

export default {
  resolve: {
    alias: [
      {
        find: 'unenv/polyfill/globalthis',
        replacement: fileURLToPath(new URL('./build/globalthis.mjs', import.meta.url)),
      },
    ],
  },
};
