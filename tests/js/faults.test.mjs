// Faults and bad inputs through the wasm module in Node 20: the README's bad-inputs catalogue
// (each row, then a valid call that must still answer correctly), and PrometheusClient against
// the real Prometheus of the test harness behind a local misbehaving proxy: server stopped
// mid-request, slow responses past timeoutMs, aborts, 429/503 with Retry-After, Prometheus'
// own timeout/execution errors, partial responses with warnings. No request is left hanging:
// a request the client gave up on has its connection closed, on the server's side too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPrometheus } from '../harness/prometheus.mjs';
import { serve, noRequestLeft, closeServers } from './local-server.mjs';
import { initSync, buildQuery, parseResponse, PrometheusClient, KubepromError } from '../../www/index.js';
import { initSync as glueInstance } from '../../pkg/kubeprom.js';

const wasm = readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url)));
let prom;

/** Forwards a request to the harness Prometheus and returns its status and body. */
async function upstream(req, extraQuery = '') {
  const res = await fetch(`${prom.url}${req.url}${extraQuery}`);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** Bytes of the core module's wasm memory (the glue's initSync hands back the live instance). */
function wasmMemoryBytes() {
  return glueInstance({ module: wasm }).memory.buffer.byteLength;
}

const VALID = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p"},"value":[1,"2"]}]}}';

/** The module still answers correctly after whatever came before. */
function nextCallWorks() {
  const r = parseResponse(VALID);
  assert.equal(r.series[0].values[0], 2);
  assert.match(buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' }), /namespace="shop"/);
}

function rejects(kind, check = () => true) {
  return (e) => {
    assert.ok(e instanceof KubepromError, `not a KubepromError: ${e}`);
    assert.equal(e.kind, kind, e.message);
    assert.ok(e.message.length > 0);
    return check(e) !== false;
  };
}

before(async () => {
  initSync({ module: wasm });
  prom = await startPrometheus();
});

after(async () => {
  closeServers();
  await prom?.stop();
});

// ---------------------------------------------------------------------------------------------
// Bad inputs catalogue through the wasm module

test('bad inputs: empty body', () => {
  for (const body of ['', '  \n', new Uint8Array(0), new ArrayBuffer(0)]) {
    assert.throws(() => parseResponse(body), rejects('malformed', (e) => /empty/.test(e.message)));
    nextCallWorks();
  }
});

test('bad inputs: HTML 502/503 pages from proxies', () => {
  for (const [title, page] of [
    ['502 Bad Gateway', '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>'],
    ['503 Service Unavailable', '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>no healthy upstream</body></html>'],
  ]) {
    assert.throws(() => parseResponse(page), rejects('malformed', (e) => e.message.includes(title)));
    nextCallWorks();
  }
});

test('bad inputs: truncated JSON at every 1/16 of a real response', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  const promql = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  const res = await fetch(`${prom.url}/api/v1/query_range?query=${encodeURIComponent(promql)}&start=${prom.expected.anchor - 600}&end=${prom.expected.anchor}&step=60`);
  const body = new Uint8Array(await res.arrayBuffer());
  const whole = parseResponse(body);
  assert.equal(whole.series.length, 4);
  for (let i = 0; i < 16; i++) {
    const cut = body.slice(0, Math.floor((body.length * i) / 16));
    assert.throws(() => parseResponse(cut), rejects('malformed'), `${i}/16`);
    nextCallWorks();
  }
  assert.equal(parseResponse(body).series.length, 4);
  assert.ok(client);
});

test('bad inputs: wrong types', () => {
  for (const body of [
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}',
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"2"]}]}}',
    '{"status":"success","data":{"resultType":7,"result":[]}}',
    '{"status":true,"data":{"resultType":"vector","result":[]}}',
    '{"status":"success","data":{"resultType":"vector","result":[]},"warnings":"one"}',
    '42',
  ]) {
    assert.throws(() => parseResponse(body), rejects('malformed'), body);
    nextCallWorks();
  }
  // Not a body at all: a typed error too.
  for (const body of [42, null, undefined, {}, [VALID]]) {
    assert.throws(() => parseResponse(body), rejects('invalid_argument'));
    nextCallWorks();
  }
});

test('bad inputs: duplicate keys', () => {
  for (const body of [
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"a","pod":"b"},"value":[1,"1"]}]}}',
    '{"status":"success","status":"error","data":{"resultType":"vector","result":[]}}',
  ]) {
    assert.throws(() => parseResponse(body), rejects('malformed', (e) => /twice|duplicate/.test(e.message)));
    nextCallWorks();
  }
});

test('bad inputs: huge numbers', () => {
  const r = parseResponse('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1e400"]},{"metric":{},"value":[18446744073709551616,"-1e400"]}]}}');
  assert.deepEqual([...r.series.map((s) => s.values[0])], [Infinity, -Infinity]);
  assert.equal(r.series[1].timestamps[0], 18446744073709551616);
  assert.throws(() => parseResponse('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e400,"1"]}]}}'), rejects('malformed'));
  nextCallWorks();
});

test('bad inputs: 1e6-deep nesting', () => {
  const depth = 1_000_000;
  // Where kubeprom reads values, serde_json's recursion limit (128) refuses deep nesting...
  for (const body of [
    `{"status":"success","data":{"resultType":"vector","result":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    `{"status":"success","data":{"resultType":"vector","result":[{"metric":${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)},"value":[1,"1"]}]}}`,
    `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":${'['.repeat(depth)}}]}}`,
  ]) {
    assert.throws(() => parseResponse(body), rejects('malformed'));
    nextCallWorks();
  }
  // ...and a field it ignores is skipped without recursing, so deep but valid JSON there is fine.
  const ignored = `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"7"],"x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}]}}`;
  assert.equal(parseResponse(ignored).series[0].values[0], 7);
  nextCallWorks();
});

test('bad inputs: 200 MB body over maxBytes is too_large', () => {
  const series = '{"metric":{"namespace":"a","pod":"p"},"value":[1,"2"]},';
  const count = Math.floor((200 << 20) / series.length);
  const text = `{"status":"success","data":{"resultType":"vector","result":[${series.repeat(count)}${series.slice(0, -1)}]}}`;
  const bytes = new TextEncoder().encode(text);
  assert.ok(bytes.length >= 200 << 20);
  const max = 64 << 20;
  const memoryBefore = wasmMemoryBytes();
  assert.throws(() => parseResponse(bytes, { maxBytes: max }), rejects('too_large', (e) => e.message.includes(String(bytes.length))));
  // A copy of the body would have grown wasm memory by 200 MB: refused before copying.
  assert.ok(wasmMemoryBytes() - memoryBefore < max, 'the body was copied into wasm memory');
  assert.throws(() => parseResponse(text, { maxBytes: max }), rejects('too_large'));
  assert.throws(() => parseResponse(bytes.buffer, { maxBytes: max }), rejects('too_large'));
  nextCallWorks();
});

test('bad inputs: invalid UTF-8 in label values', () => {
  const head = new TextEncoder().encode('{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"caf');
  const tail = new TextEncoder().encode('"},"value":[1,"1"]}]}}');
  for (const bad of [[0xe9], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xc3]]) {
    const body = new Uint8Array([...head, ...bad, ...tail]);
    assert.throws(() => parseResponse(body), rejects('malformed'), JSON.stringify(bad));
    nextCallWorks();
  }
  // A lone surrogate in a JS string is not valid UTF-8 either; it arrives replaced, not refused.
  const r = parseResponse('{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"a\ud800"},"value":[1,"1"]}]}}');
  assert.equal(r.series[0].labels.pod, 'a\ufffd');
  nextCallWorks();
});

// ---------------------------------------------------------------------------------------------
// Faults: real Prometheus behind a misbehaving proxy

test('faults: the server stops mid-response, or before answering', async () => {
  const halfway = await serve(async (req, res) => {
    const { body } = await upstream(req);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.write(body.subarray(0, body.length >> 1));
    setTimeout(() => res.destroy(), 50);
  });
  const client = new PrometheusClient({ baseUrl: halfway.url, timeoutMs: 10000 });
  const promql = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  await assert.rejects(client.query(promql, prom.expected.anchor), rejects('network'));
  await noRequestLeft(halfway);
  const stopping = await serve((req) => {
    // The process "dies": every connection is dropped and the server stops listening.
    req.socket.destroy();
    stopping.close();
  });
  await assert.rejects(new PrometheusClient({ baseUrl: stopping.url }).query('up'), rejects('network'));
  await assert.rejects(new PrometheusClient({ baseUrl: stopping.url }).query('up'), rejects('network', (e) => /ECONNREFUSED/.test(e.message)));
  nextCallWorks();
});

test('faults: slow responses past timeoutMs time out, slow headers and slow bodies alike', async () => {
  // Past the timeout neither proxy finishes on its own (the headers of `up` never come; the
  // body stalls halfway), so the outcome never depends on how busy the machine is. Other
  // queries get their headers after 2 s.
  const slowHeaders = await serve(async (req, res) => {
    const { status, body } = await upstream(req);
    if (new URL(req.url, 'http://x').searchParams.get('query') === 'up') return;
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    }, 2000);
  });
  const slowBody = await serve(async (req, res) => {
    const { status, body } = await upstream(req);
    res.writeHead(status, { 'content-type': 'application/json' });
    let i = 0;
    const drip = setInterval(() => {
      if (res.destroyed || i >= body.length >> 1) return clearInterval(drip);
      res.write(body.subarray(i, i + 8));
      i += 8;
    }, 100);
  });
  for (const server of [slowHeaders, slowBody]) {
    const client = new PrometheusClient({ baseUrl: server.url, timeoutMs: 400 });
    const closed = new Promise((ok) => server.once('request', (req, res) => res.on('close', () => ok(res.writableFinished))));
    await assert.rejects(client.query('up', prom.expected.anchor), rejects('timeout', (e) => /400 ms/.test(e.message)));
    // The client hung up before the server finished answering: its timer ended the request.
    assert.equal(await closed, false, 'the response was complete before the client gave up');
    await noRequestLeft(server);
  }
  // The same proxy within the timeout answers.
  const patient = new PrometheusClient({ baseUrl: slowHeaders.url, timeoutMs: 60000 });
  const r = await patient.query(buildQuery({ metric: 'pod_restarts', pod: 'db-0' }), prom.expected.anchor);
  assert.equal(r.series[0].values[0], prom.expected.pods['shop/db-0'].restarts);
});

test('faults: aborted requests reject at once and close their connection', async () => {
  const hanging = await serve(() => { /* never answers */ });
  const client = new PrometheusClient({ baseUrl: hanging.url, timeoutMs: 60000 });
  const controller = new AbortController();
  const pending = client.query('up', undefined, { signal: controller.signal });
  await new Promise((ok) => setTimeout(ok, 100));
  // The server never answers: only the abort can settle the request.
  controller.abort();
  await assert.rejects(pending, rejects('aborted'));
  await noRequestLeft(hanging);
  // An already aborted signal never sends anything.
  let hits = 0;
  const counting = await serve((req, res) => { hits++; res.end(VALID); });
  await assert.rejects(new PrometheusClient({ baseUrl: counting.url }).query('up', undefined, { signal: AbortSignal.abort() }), rejects('aborted'));
  assert.equal(hits, 0);
  // Abort during a slow body too.
  const dripping = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"status":"success",');
  });
  const c2 = new AbortController();
  const p2 = new PrometheusClient({ baseUrl: dripping.url }).query('up', undefined, { signal: c2.signal });
  setTimeout(() => c2.abort(), 200);
  await assert.rejects(p2, rejects('aborted'));
  await noRequestLeft(dripping);
});

test('faults: 429 and 503 with Retry-After', async () => {
  const limited = await serve((req, res) => {
    if (req.url.includes('mimir')) {
      res.writeHead(429, { 'retry-after': '5', 'content-type': 'text/plain' });
      res.end('the request has been rejected because the tenant exceeded the request rate limit, set to 10 req/s with burst 20');
    } else if (req.url.includes('date')) {
      res.writeHead(503, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' });
      res.end('Service Unavailable');
    } else {
      res.writeHead(503, { 'retry-after': '30', 'content-type': 'application/json' });
      res.end('{"status":"error","errorType":"unavailable","error":"too many queries in flight"}');
    }
  });
  const client = new PrometheusClient({ baseUrl: limited.url });
  await assert.rejects(client.query('mimir'), rejects('malformed', (e) => e.status === 429 && e.retryAfter === 5 && /429/.test(e.message) && /rate limit/.test(e.message)));
  await assert.rejects(client.query('up'), rejects('unavailable', (e) => e.status === 503 && e.retryAfter === 30 && /too many queries/.test(e.message)));
  // An HTTP-date Retry-After is not read as seconds; the status is still there.
  await assert.rejects(client.query('date'), rejects('malformed', (e) => e.status === 503 && e.retryAfter === undefined));
  await noRequestLeft(limited);
});

test("faults: Prometheus' own timeout and execution errors", async () => {
  // A proxy that lowers the query timeout, as a loaded Prometheus or a query frontend would.
  const tight = await serve(async (req, res) => {
    const { status, body } = await upstream(req, '&timeout=0.000000001');
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  const promql = buildQuery({ metric: 'pod_cpu_usage', namespace: 'shop' });
  await assert.rejects(
    new PrometheusClient({ baseUrl: tight.url }).queryRange(promql, prom.expected.anchor - 3600, prom.expected.anchor, 15),
    rejects('timeout', (e) => e.status === 503 && /timed out|timeout/i.test(e.message)),
  );
  // many-to-many matching is an execution error of the real Prometheus.
  const direct = new PrometheusClient({ baseUrl: prom.url });
  await assert.rejects(
    direct.query('kube_pod_info * on (namespace) group_left () kube_pod_info', prom.expected.anchor),
    rejects('execution', (e) => e.status === 422 && /many/.test(e.message)),
  );
  await noRequestLeft(tight);
});

test('faults: partial responses keep every warning (Thanos/Mimir style)', async () => {
  const warnings = ['No StoreAPIs matched for this query', 'store 10.0.0.7:10901: context deadline exceeded'];
  const thanos = await serve(async (req, res) => {
    const { status, body } = await upstream(req);
    const doc = JSON.parse(body);
    doc.warnings = warnings;
    doc.infos = ['PromQL info: metric might not be a counter'];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  });
  const client = new PrometheusClient({ baseUrl: thanos.url });
  const promql = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  const r = await client.query(promql, prom.expected.anchor);
  assert.deepEqual(r.warnings, warnings);
  assert.deepEqual(r.infos, ['PromQL info: metric might not be a counter']);
  assert.equal(r.series.length, 4, 'the partial data is still there');
  const range = await client.queryRange(promql, prom.expected.anchor - 300, prom.expected.anchor, 60);
  assert.deepEqual(range.warnings, warnings);
  // And straight from parseResponse.
  assert.deepEqual(parseResponse(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] }, warnings })).warnings, warnings);
});

test('faults: many concurrent requests against failing servers all settle', async () => {
  const flaky = await serve((req, res) => {
    const n = Number(new URL(req.url, 'http://x').searchParams.get('query').slice(1));
    if (n % 4 === 0) res.destroy();
    else if (n % 4 === 1) { res.writeHead(502, { 'content-type': 'text/html' }); res.end('<html><title>502 Bad Gateway</title></html>'); }
    else if (n % 4 === 2) { /* hang */ }
    else { res.writeHead(200, { 'content-type': 'application/json' }); res.end(VALID); }
  });
  // Long enough that a loaded machine still answers the other three kinds before it.
  const client = new PrometheusClient({ baseUrl: flaky.url, timeoutMs: 10000 });
  const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => client.query(`q${i}`)));
  const kinds = results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.kind));
  for (let i = 0; i < 40; i++) assert.equal(kinds[i], ['network', 'malformed', 'timeout', 'ok'][i % 4], `request ${i}`);
  await noRequestLeft(flaky);
  nextCallWorks();
});

/** Slots of the core module's externref table holding a value (wasm-bindgen nulls freed ones). */
function externrefsInUse() {
  const table = glueInstance({ module: wasm }).__wbindgen_externrefs;
  let n = 0;
  for (let i = 0; i < table.length; i++) if (table.get(i) !== null && table.get(i) !== undefined) n++;
  return { n, length: table.length };
}

test('faults: requests without options and errors without a cause leave no externref slot behind', async () => {
  const answering = await serve((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(VALID); });
  const hanging = await serve(() => { /* never answers */ });
  const client = new PrometheusClient({ baseUrl: answering.url });
  const hasty = new PrometheusClient({ baseUrl: hanging.url, timeoutMs: 50 });
  const round = async () => {
    await client.query('up');
    await assert.rejects(hasty.query('up'), rejects('timeout'));
    const controller = new AbortController();
    const pending = client.query('up', undefined, { signal: controller.signal });
    controller.abort();
    await pending.catch(() => {});
  };
  await round();
  const before = externrefsInUse();
  for (let i = 0; i < 200; i++) await round();
  const after = externrefsInUse();
  // A slot lost per call would show as 200 or more; nothing Rust owns outlives a round.
  assert.ok(after.length - before.length < 50, `externref table grew from ${before.length} to ${after.length}`);
  assert.ok(after.n - before.n < 50, `slots in use grew from ${before.n} to ${after.n}`);
  await noRequestLeft(hanging);
});

test('faults: a response over the client maxBytes is too_large, refused from Content-Length before its body is read', async () => {
  const big = Buffer.from(`{"status":"success","data":{"resultType":"vector","result":[${'{"metric":{"pod":"p"},"value":[1,"1"]},'.repeat(60000)}{"metric":{},"value":[1,"1"]}]}}`);
  let bodiesSent = 0;
  const server = await serve((req, res) => {
    if (req.url.includes('chunked')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(big);
      return;
    }
    // Headers only; the body waits until the test releases it, so a client that waited for the
    // body could only time out. too_large therefore came from the header alone.
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': big.length });
    res.flushHeaders();
    held.push(() => { if (!res.destroyed) { bodiesSent++; res.end(big); } });
  });
  const held = [];
  const client = new PrometheusClient({ baseUrl: server.url, maxBytes: 1 << 20, timeoutMs: 10000 });
  await assert.rejects(client.query('up'), rejects('too_large', (e) => e.status === 200 && e.message.includes(String(big.length))));
  assert.equal(bodiesSent, 0);
  for (const release of held) release();
  await noRequestLeft(server);
  await assert.rejects(client.query('chunked'), rejects('too_large'));
  assert.ok(big.length > 1 << 20);
  assert.equal((await new PrometheusClient({ baseUrl: server.url }).query('chunked')).series.length, 60001);
});
