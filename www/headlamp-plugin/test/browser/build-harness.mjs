/*
 * Builds the harness page (harness.tsx + Headlamp's plugin library) into test/browser/.build/.
 * The plugin itself is not part of this bundle: the page fetches dist/main.js at run time.
 */
import react from '@vitejs/plugin-react';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';
import { build } from 'vite';
import svgr from 'vite-plugin-svgr';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildHarness() {
  await build({
    configFile: false,
    root: here,
    base: '/harness/',
    logLevel: 'error',
    // Headlamp's library reads process.env in a few places; the node polyfill plugin of
    // headlamp-plugin 0.14 injects unresolvable unenv imports, so define what is read instead.
    define: { global: 'globalThis', 'process.env': '{"NODE_ENV":"production"}' },
    plugins: [svgr({ include: '**/*.svg', svgrOptions: { titleProp: true, ref: true } }), react()],
    resolve: {
      alias: [],
    },
    build: {
      outDir: join(here, '.build'),
      emptyOutDir: true,
      sourcemap: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 100000,
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  await buildHarness();
  console.log(`harness built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
