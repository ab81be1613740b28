// kubeprom's worker mode (www/worker.js) in headless Chromium against the harness Prometheus:
// every answer bit for bit what the same call gives on the page's thread, errors with the same
// kind, aborts reaching the worker's request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPrometheus, freePort } from '../harness/prometheus.mjs';
import { launchChromium } from './demo-server.mjs';
import { servePages } from './pages-server.mjs';

let prom;
let pages;

before(async () => {
  prom = await startPrometheus({ port: await freePort() });
  pages = await servePages({
    route: async (req, res, url) => {
      if (url.pathname.startsWith('/hang/')) return true; // never answers: only an abort ends it
      if (url.pathname.startsWith('/victoria-metrics/')) {
        // VictoriaMetrics' answer to a query it cannot parse, as it words it.
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: '422', error: 'unknown func "foo"' }));
        return true;
      }
      if (!url.pathname.startsWith('/prom/')) return false;
      const upstream = await fetch(`${prom.url}${req.url.slice('/prom'.length)}`);
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return true;
    },
  });
});

after(async () => {
  pages?.close();
  await prom?.stop();
});

test('worker mode answers every call as the page thread does', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const logs = [];
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(`${pages.origin}/tests/js/pages/worker.html?anchor=${prom.expected.anchor}`);
    await page.waitForFunction(() => window.__result, null, { timeout: 60000 });
    const r = await page.evaluate(() => window.__result);
    assert.equal(r.failed, undefined, `${r.failed}\n${logs.join('\n')}`);
    assert.equal(r.sameQuery, true);
    assert.equal(r.baseUrl, true);
    assert.equal(r.rangeResult, true, 'queryRange: the same result, bit for bit');
    assert.equal(r.typedArrays, true, 'samples arrive as Float64Array');
    assert.equal(r.rangePods, true, 'aggregatePods: the same pods, stats and series');
    assert.equal(r.fromBytes, true, 'aggregatePodsFromBytes: the same report');
    assert.equal(r.rangePodsInWorker, true, "queryRangePods: aggregatePodsFromBytes of the body, as the page's own client gives it");
    assert.equal(r.podsInWorker, true, 'queryPods: the same for an instant query, and aggregatePodsReport of query');
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
    assert.equal(r.statusCodeKind[0], r.statusCodeKind[1], 'the same kind, status and errorType from the worker');
    assert.equal(r.statusCodeKind[0], 'true bad_data unknown func "foo" status 422 errorType 422');
    assert.match(r.uncloneable, /^true invalid_argument cannot send to the kubeprom worker/);
    assert.equal(r.lintSame, true, 'lintQuery, lintDashboard and lintRules: the same findings from the worker');
    // Each found something (rate over a gauge; the rule's `for` is no duration), so the
    // comparison above compared findings, not empty lists.
    for (const found of r.lintFindings) assert.match(found, /rate-on-gauge/);
    assert.match(r.lintFindings[2], /rule-duration-invalid/);
    assert.equal(r.lintBadFile[0], r.lintBadFile[1], 'the same error for a dashboard that is no JSON');
    assert.match(r.lintBadFile[0], /^true invalid_argument dashboard: invalid JSON/);
  } finally {
    await browser.close();
  }
});
