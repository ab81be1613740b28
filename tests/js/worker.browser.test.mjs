// kubeprom's worker mode (www/worker.js) in headless Chromium against the harness Prometheus:
// every answer bit for bit what the same call gives on the page's thread, errors with the same
// kind, aborts reaching the worker's request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startPrometheus, freePort } from '../harness/prometheus.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
let prom;
let server;
let origin;

before(async () => {
  prom = await startPrometheus({ port: await freePort() });
  server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/hang/')) return; // never answers: only an abort ends it
    if (url.pathname.startsWith('/prom/')) {
      const upstream = await fetch(`${prom.url}${req.url.slice('/prom'.length)}`);
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    const path = normalize(url.pathname);
    if (!['/www/', '/pkg/', '/tests/js/pages/'].some((p) => path.startsWith(p)) || !existsSync(join(root, path))) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(readFileSync(join(root, path)));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server?.closeAllConnections?.();
  server?.close();
  await prom?.stop();
});

test('worker mode answers every call as the page thread does', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const logs = [];
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/tests/js/pages/worker.html?anchor=${prom.expected.anchor}`);
    await page.waitForFunction(() => window.__result, null, { timeout: 60000 });
    const r = await page.evaluate(() => window.__result);
    assert.equal(r.failed, undefined, `${r.failed}\n${logs.join('\n')}`);
    assert.equal(r.sameQuery, true);
    assert.equal(r.baseUrl, true);
    assert.equal(r.rangeResult, true, 'queryRange: the same result, bit for bit');
    assert.equal(r.typedArrays, true, 'samples arrive as Float64Array');
    assert.equal(r.rangePods, true, 'aggregatePods: the same pods, stats and series');
    assert.equal(r.fromBytes, true, 'aggregatePodsFromBytes: the same report');
    assert.equal(r.rangePodsInWorker, true, 'queryRangePods: aggregatePodsReport of queryRange, in one step');
    assert.equal(r.podsInWorker, true, 'queryPods: the same for an instant query');
    assert.equal(r.bodyKept, true, "the caller's buffer is copied, not taken");
    // The harness model's shop pods, at the sum of their containers.
    const want = Object.entries(prom.expected.pods)
      .filter(([key]) => key.startsWith('shop/'))
      .map(([key, p]) => [key.slice(5), p.memoryWorkingSet / 1048576])
      .sort();
    assert.deepEqual(r.pods.sort(), want);
    assert.equal(r.badSpec[0], r.badSpec[1], 'the same KubepromError from the worker');
    assert.match(r.badSpec[0], /^true invalid_argument /);
    assert.equal(r.missing[0], r.missing[1]);
    assert.match(r.missing[0], /^true /);
    assert.match(r.aborted, /^true aborted /);
    assert.match(r.uncloneable, /^true invalid_argument cannot send to the kubeprom worker/);
  } finally {
    await browser.close();
  }
});
