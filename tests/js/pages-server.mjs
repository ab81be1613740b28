// Shared by the browser tests that open pages under tests/js/pages/: a loopback server for the
// repository's www/, pkg/ and tests/js/pages/ (nothing else), with a hook for the test's own
// routes. Not a test file itself.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const SERVED = ['/www/', '/pkg/', '/tests/js/pages/'];

/**
 * Starts the server; `route(req, res, url)` answers first and returns true when it did.
 * `headers` go on every file response. Resolves to { origin, close() }.
 */
export async function servePages({ route = async () => false, headers = {} } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (await route(req, res, url)) return;
    const path = normalize(url.pathname);
    if (!SERVED.some((p) => path.startsWith(p)) || !existsSync(join(root, path))) {
      res.writeHead(404, headers);
      res.end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(readFileSync(join(root, path)));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
