// Serves the demo page and the kubeprom module on 127.0.0.1, with the bundled dataset's
// Prometheus behind /prometheus (started here unless --prometheus URL is given).
//   node www/demo/serve.mjs [--port 8080] [--prometheus http://127.0.0.1:9090]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrometheus } from '../../tests/harness/prometheus.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const args = process.argv.slice(2);
const arg = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };
// Only what the page needs is served.
const PUBLIC = ['www/', 'pkg/'];

let prom;
let upstream = arg('--prometheus');
if (!upstream) {
  prom = await startPrometheus();
  upstream = prom.url;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/') {
    res.writeHead(302, { location: '/www/demo/' });
    return res.end();
  }
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204);
    return res.end();
  }
  if (url.pathname.startsWith('/prometheus/')) {
    try {
      const r = await fetch(upstream + url.pathname.slice('/prometheus'.length) + url.search);
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      return res.end(Buffer.from(await r.arrayBuffer()));
    } catch (e) {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end(`<html><head><title>502 Bad Gateway</title></head><body>${e.message}</body></html>`);
    }
  }
  let path = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  if (path.endsWith('/') || path === 'www/demo') path = join(path, 'index.html');
  if (!PUBLIC.some((p) => path.startsWith(p))) {
    res.writeHead(404);
    return res.end('not found');
  }
  try {
    const body = await readFile(join(root, path));
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      // The CSP plugins run under: no eval, wasm compilation allowed.
      'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'",
    });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end('not found');
  }
});

const port = Number(arg('--port') ?? 8080);
server.listen(port, '127.0.0.1', () => {
  console.log(`kubeprom demo: http://127.0.0.1:${server.address().port}/www/demo/  (Prometheus: ${upstream})`);
});
const stop = async () => {
  server.close();
  await prom?.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
