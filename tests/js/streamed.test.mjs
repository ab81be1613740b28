// PrometheusClient.queryPods and queryRangePods in Node 20: the body is scanned while it
// arrives, and the report must be aggregatePodsFromBytes of the same body, bit for bit, however
// the body is cut into chunks (seeded, so every run sends the same cuts), with or without a
// Content-Length; bodies the stream scanner does not read (native histograms, other field
// orders, errors) give the whole-body answers; a body passing maxBytes is refused mid-stream;
// timeouts, aborts and dropped connections mid-body reject and leave no request hanging.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPrometheus } from '../harness/prometheus.mjs';
import { serve, noRequestLeft, closeServers } from './local-server.mjs';
import { mulberry32 } from '../../www/bench/prng.mjs';
import { exact } from './pages/exact.mjs';
import { initSync, buildQuery, aggregatePodsFromBytes, PrometheusClient, KubepromError } from '../../www/index.js';

const wasm = readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url)));
let prom;

before(async () => {
  initSync({ module: wasm });
  prom = await startPrometheus();
});

after(async () => {
  closeServers();
  await prom?.stop();
});

function rejects(kind, check = () => true) {
  return (e) => {
    assert.ok(e instanceof KubepromError, `not a KubepromError: ${e}`);
    assert.equal(e.kind, kind, e.message);
    return check(e) !== false;
  };
}

/** Writes `body` in chunks of 1 to `largest` bytes drawn from `random`, yielding between them. */
async function writeInChunks(res, body, random, largest) {
  for (let at = 0; at < body.length && !res.destroyed; ) {
    const len = 1 + Math.floor(random() * largest);
    if (!res.write(body.subarray(at, at + len))) await new Promise((ok) => res.once('drain', ok));
    at += len;
    if (random() < 0.2) await new Promise((ok) => setImmediate(ok));
  }
  res.end();
}

/**
 * A proxy to the harness Prometheus that answers with the upstream body cut into seeded chunks,
 * declaring its length or not; `last` is the body it last sent.
 */
async function chunkingProxy(seed, { largest, declareLength }) {
  const random = mulberry32(seed);
  const server = await serve(async (req, res) => {
    const upstream = await fetch(`${prom.url}${req.url}`);
    const body = Buffer.from(await upstream.arrayBuffer());
    server.last = { url: req.url, body };
    const headers = { 'content-type': 'application/json' };
    if (declareLength) headers['content-length'] = body.length;
    res.writeHead(upstream.status, headers);
    await writeInChunks(res, body, random, largest);
  });
  return server;
}

const OPTION_SETS = [
  {},
  { unit: 'MiB', stats: ['last', 'avg', 'min', 'max', 'p50', 'p95', 'p99'] },
  { stat: 'max', keepSeries: true },
  { top: 3, order: 'asc', unit: 'GiB' },
  { pods: [{ namespace: 'shop', pod: 'db-0' }, { namespace: 'nowhere', pod: 'x' }], stats: ['p95'] },
];

test('queryPods and queryRangePods: aggregatePodsFromBytes of the same body, in chunks of any size', async () => {
  const { anchor } = prom.expected;
  const memory = buildQuery({ metric: 'pod_memory_working_set' });
  const cpu = buildQuery({ metric: 'pod_cpu_usage' });
  let seed = 1;
  for (const largest of [1, 16, 700, 65536]) {
    for (const declareLength of [true, false]) {
      const proxy = await chunkingProxy(seed++, { largest, declareLength });
      const client = new PrometheusClient({ baseUrl: proxy.url });
      for (const opts of OPTION_SETS) {
        const calls = [
          ['/api/v1/query?', () => client.queryPods(memory, anchor, opts)],
          ['/api/v1/query_range?', () => client.queryRangePods(cpu, anchor - 3600, anchor, 60, opts)],
        ];
        for (const [path, call] of calls) {
          proxy.last = undefined;
          const report = await call();
          const { url, body } = proxy.last;
          assert.ok(url.startsWith(path), url);
          const what = `${url} in chunks of up to ${largest} bytes, length ${declareLength ? 'declared' : 'not declared'}, ${JSON.stringify(opts)}`;
          assert.equal(exact(report), exact(aggregatePodsFromBytes(body, opts)), what);
          assert.ok(report.totalPods > 3, what);
        }
      }
      await noRequestLeft(proxy);
    }
  }
});

test('queryPods: the numbers the dataset was built with', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  const promql = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  const report = await client.queryPods(promql, prom.expected.anchor, { unit: 'MiB' });
  assert.equal(report.resultType, 'vector');
  assert.deepEqual(report.warnings, []);
  assert.equal(report.pods.length, 4);
  for (const p of report.pods) {
    assert.equal(p.value, prom.expected.pods[`shop/${p.pod}`].memoryWorkingSet / 1048576, p.pod);
  }
});

test('queryPods: bodies the stream scanner does not read get the whole-body answer', async () => {
  const sample = (labels, value) => `{"metric":${JSON.stringify(labels)},"value":[1700000000,"${value}"]}`;
  const a = { namespace: 'a', pod: 'p', container: 'app' };
  const b = { namespace: 'a', pod: 'q', container: 'app' };
  const bodies = {
    // A native histogram sample: the stream scanner gives up at its key.
    histogram: `{"status":"success","data":{"resultType":"vector","result":[${sample(a, '5')},{"metric":${JSON.stringify(b)},"histogram":[1700000000,{"count":"3","sum":"1.5","buckets":[[0,"0","1","3"]]}]}]}}`,
    // `data` before `status`: valid, in an order the stream scanner does not take.
    dataFirst: `{"data":{"resultType":"vector","result":[${sample(a, '5')},${sample(b, '7')}]},"status":"success"}`,
    // Warnings and infos after the data are read by the stream scanner itself.
    warnings: `{"status":"success","data":{"resultType":"vector","result":[${sample(a, '5')}]},"warnings":["partial: store down"],"infos":["i"]}`,
    // Padding past the slack the stream scanner waits for, then a key it does not read.
    late: `{"status":"success","data":{"resultType":"matrix","result":[${Array.from({ length: 400 }, (_, i) => `{"metric":{"namespace":"n","pod":"p${i}"},"values":[[1,"${i}"],[2,"${i + 0.5}"]]}`).join(',')},{"metric":{},"values":[[1,"1"]],"extra":1}]}}`,
  };
  const random = mulberry32(99);
  const server = await serve(async (req, res) => {
    const body = Buffer.from(bodies[new URL(req.url, 'http://x').searchParams.get('query')]);
    res.writeHead(200, { 'content-type': 'application/json' });
    await writeInChunks(res, body, random, 64);
  });
  const client = new PrometheusClient({ baseUrl: server.url });
  for (const [name, body] of Object.entries(bodies)) {
    const opts = { stats: ['last'], unit: 'KiB' };
    const want = (() => {
      try {
        return exact(aggregatePodsFromBytes(body, opts));
      } catch (e) {
        return `${e.kind}: ${e.message}`;
      }
    })();
    const got = await client.queryPods(name, undefined, opts).then(exact, (e) => `${e.kind}: ${e.message}`);
    assert.equal(got, want, name);
  }
  const report = await client.queryPods('warnings');
  assert.deepEqual([report.warnings, report.infos], [['partial: store down'], ['i']]);
  await noRequestLeft(server);
});

test("queryPods: errors are the client's own, with status and Retry-After", async () => {
  const server = await serve((req, res) => {
    const query = new URL(req.url, 'http://x').searchParams.get('query');
    if (query === 'bad') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"}');
    } else if (query === 'busy') {
      res.writeHead(503, { 'content-type': 'text/html', 'retry-after': '7' });
      res.end('<html><title>503</title></html>');
    } else if (query === 'forbidden') {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","message":"services \\"prometheus\\" is forbidden","reason":"Forbidden","code":403}');
    } else {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    }
  });
  const client = new PrometheusClient({ baseUrl: server.url });
  for (const query of ['bad', 'busy', 'forbidden', 'redirect']) {
    const byQuery = await client.query(query).then(() => 'no error', (e) => `${e.kind} ${e.status} ${e.retryAfter} ${e.message}`);
    const byPods = await client.queryPods(query).then(() => 'no error', (e) => `${e.kind} ${e.status} ${e.retryAfter} ${e.message}`);
    assert.notEqual(byPods, 'no error', query);
    assert.equal(byPods, byQuery, query);
  }
  await noRequestLeft(server);
});

test('queryPods: a body without Content-Length is refused as soon as it passes maxBytes', async () => {
  let written = 0;
  const row = (i) => `{"metric":{"namespace":"n","pod":"p${i}"},"value":[1,"${i}"]},`;
  const server = await serve(async (req, res) => {
    written = 0;
    res.writeHead(200, { 'content-type': 'application/json' });
    const head = '{"status":"success","data":{"resultType":"vector","result":[';
    res.write(head);
    written += head.length;
    // About 250 MB if nobody stops it; the client must stop it after about 1 MB. What the server
    // counts as written includes what loopback's socket buffers hold (several MB when tuned up).
    for (let i = 0; i < 4000 && !res.destroyed; i++) {
      const chunk = Array.from({ length: 1000 }, (_, j) => row(i * 1000 + j)).join('');
      written += chunk.length;
      if (!res.write(chunk)) {
        await new Promise((ok) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            ok();
          };
          res.on('drain', done).on('close', done);
        });
      }
    }
    if (!res.destroyed) res.end('{"metric":{},"value":[1,"1"]}]}}');
  });
  const client = new PrometheusClient({ baseUrl: server.url, maxBytes: 1_000_000 });
  await assert.rejects(
    client.queryPods('up'),
    rejects('too_large', (e) => /maxBytes \(1000000\)/.test(e.message) && e.status === 200),
  );
  await noRequestLeft(server);
  assert.ok(written < 30_000_000, `the server wrote ${written} bytes before the client hung up`);
});

test('queryPods: a timeout, an abort or a dropped connection mid-body rejects and closes the request', async () => {
  const head = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p"},"value":[1,"2"]},';
  // The body stops halfway: only the client's timer, its caller's abort or the drop ends it.
  const stalling = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(head);
    if (new URL(req.url, 'http://x').searchParams.get('query') === 'drop') setTimeout(() => res.destroy(), 50);
  });
  const client = new PrometheusClient({ baseUrl: stalling.url, timeoutMs: 300 });
  await assert.rejects(client.queryPods('stall'), rejects('timeout', (e) => /300 ms/.test(e.message)));
  await noRequestLeft(stalling);
  const controller = new AbortController();
  const patient = new PrometheusClient({ baseUrl: stalling.url, timeoutMs: 60000 });
  const pending = patient.queryRangePods('stall', 0, 60, 15, {}, { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(pending, rejects('aborted'));
  await noRequestLeft(stalling);
  await assert.rejects(patient.queryPods('drop'), rejects('network'));
  await noRequestLeft(stalling);
});

test('queryPods: bad pod options fail before any request is sent', async () => {
  let hits = 0;
  const server = await serve((req, res) => {
    hits++;
    res.end('{"status":"success","data":{"resultType":"vector","result":[]}}');
  });
  const client = new PrometheusClient({ baseUrl: server.url });
  await assert.rejects(client.queryPods('up', undefined, { maxBytes: 10 }), rejects('invalid_argument', (e) => /client's own maxBytes/.test(e.message)));
  await assert.rejects(client.queryPods('up', undefined, { unit: 'parsecs' }), rejects('invalid_argument', (e) => /unknown unit/.test(e.message)));
  await assert.rejects(client.queryPods('up', undefined, { sats: ['p95'] }), rejects('invalid_argument', (e) => /unknown field `sats`/.test(e.message)));
  await assert.rejects(client.queryRangePods('up', 10, 0, 15), rejects('invalid_argument'));
  assert.equal(hits, 0);
  const empty = await client.queryPods('up');
  assert.deepEqual([empty.pods, empty.totalPods, hits], [[], 0, 1]);
});
