// The JS shim in Node 20: loading, KubepromError, typed arrays, and PrometheusClient against the
// real Prometheus of the test harness and local misbehaving servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startPrometheus, freePort } from '../harness/prometheus.mjs';
import {
  initSync, buildQuery, parseResponse, aggregatePods, aggregatePodsReport, listMetrics, listProfiles,
  PrometheusClient, KubepromError, initLintSync, lintQuery, parseMatcherLines, checkUsage,
} from '../../www/index.js';

const wasm = readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url)));
const lintWasm = readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_lint_bg.wasm', import.meta.url)));
let prom;
const servers = [];

/** A local HTTP server for one test; closed after all tests. */
async function serve(handler) {
  const server = createServer(handler);
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}`;
}

before(async () => {
  initSync({ module: wasm });
  const port = await freePort();
  prom = await startPrometheus({ port, scrapeConfigs: [{ job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }] });
});

after(async () => {
  for (const s of servers) s.close();
  await prom?.stop();
});

test('errors are KubepromError with a kind, and the module keeps working', () => {
  assert.throws(() => buildQuery({ metric: 'nope' }), (e) => e instanceof KubepromError && e instanceof Error && e.kind === 'invalid_argument' && /metric/.test(e.message));
  assert.throws(() => parseResponse('<html><title>503 Service Unavailable</title></html>'), (e) => e.kind === 'malformed' && /503 Service Unavailable/.test(e.message));
  assert.throws(() => parseResponse(42), (e) => e.kind === 'invalid_argument');
  assert.match(buildQuery({ metric: 'pod_cpu_usage' }), /rate\(container_cpu_usage_seconds_total/);
  // Optional fields given as undefined mean their defaults.
  assert.equal(buildQuery({ metric: 'pod_cpu_usage', variables: undefined, window: undefined }), buildQuery({ metric: 'pod_cpu_usage' }));
  assert.ok(listMetrics().some((m) => m.id === 'pod_memory_working_set' && m.unit === 'bytes' && m.source === 'cadvisor'));
  assert.deepEqual(listProfiles(), ['kube-prometheus-stack', 'plain', 'multi-cluster']);
});

test('parseResponse takes strings, Uint8Array and ArrayBuffer and returns Float64Array', () => {
  const text = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p","container":"c"},"value":[1.5,"-Inf"]}]}}';
  const bytes = new TextEncoder().encode(text);
  for (const body of [text, bytes, bytes.buffer]) {
    const r = parseResponse(body);
    assert.equal(r.resultType, 'vector');
    assert.ok(r.series[0].values instanceof Float64Array);
    assert.equal(r.series[0].values[0], -Infinity);
    assert.equal(r.series[0].timestamps[0], 1.5);
  }
  assert.throws(() => parseResponse(bytes, { maxBytes: 10 }), (e) => e.kind === 'too_large');
});

test('client: query, aggregate and queryRange against real Prometheus', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  const promql = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  const pods = aggregatePods(await client.query(promql, prom.expected.anchor), { unit: 'MiB' });
  for (const p of pods) {
    assert.equal(p.value, prom.expected.pods[`shop/${p.pod}`].memoryWorkingSet / 1048576, p.pod);
    assert.equal(p.unit, 'MiB');
  }
  assert.equal(pods.length, 4);
  const range = await client.queryRange(promql, prom.expected.anchor - 600, prom.expected.anchor, 60);
  assert.equal(range.resultType, 'matrix');
  const withSeries = aggregatePods(range, { stat: 'max', keepSeries: true });
  assert.equal(withSeries[0].timestamps.length, 11);
  await assert.rejects(client.query('sum('), (e) => e instanceof KubepromError && e.kind === 'bad_data' && e.status === 400);
});

test("custom metrics: an application's own series per pod against real Prometheus, each scrape once", async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  const orders = prom.expected.orders;
  const depth = buildQuery({ metric: { series: 'orders_queue_depth', unit: 'count', kind: 'gauge' }, namespace: 'shop' });
  const pods = aggregatePods(await client.query(depth, prom.expected.anchor));
  assert.deepEqual(Object.fromEntries(pods.map((p) => [`${p.namespace}/${p.pod}`, p.value])), Object.fromEntries(Object.entries(orders).map(([k, o]) => [k, o.queueDepth])));
  const processed = buildQuery({ metric: { series: 'orders_processed_total', unit: 'ops/s', kind: 'rate', scope: 'container', matchers: { job: 'shop/web' } }, container: 'app', namespace: 'shop' });
  for (const p of aggregatePods(await client.query(processed, prom.expected.anchor))) {
    assert.ok(Math.abs(p.value - orders[`${p.namespace}/${p.pod}`].processedPerSecond) < 1e-9, `${p.pod}: ${p.value}`);
  }
  const refused = (metric, field) => assert.throws(() => buildQuery({ metric, namespace: 'shop' }), (e) => e.kind === 'invalid_argument' && e.message.includes(field), field);
  refused({ series: 'x', unit: 'count', kind: 'gauge', scop: 'pod' }, 'scop');
  refused({ series: 'x', unit: 'count', kind: 'histogram' }, 'histogram');
  refused({ series: '', unit: 'count', kind: 'gauge' }, 'metric.series');
  refused({ unit: 'count', kind: 'gauge' }, 'series');
  // Settings' matcher lines, read by the core for both plugins.
  assert.deepEqual(parseMatcherLines(' job = shop/web \n\ntier=a=b'), { job: 'shop/web', tier: 'a=b' });
  assert.throws(() => parseMatcherLines('job=a\noops'), (e) => e.kind === 'invalid_argument' && e.message === 'matchers: line 2: "oops" is not label=value');
  assert.throws(() => parseMatcherLines(3), (e) => e.kind === 'invalid_argument');
});

test('checkUsage: Prometheus against metrics-server, with the likely cause of a disagreement', () => {
  const MiB = 1048576;
  const ms = [{ container: 'app', cpu: 0.25, memory: 200 * MiB }, { container: 'sidecar', cpu: 0.05, memory: 50 * MiB }];
  const same = checkUsage([{ container: 'app', cpu: 0.26, memory: 200 * MiB }, { container: 'sidecar', cpu: 0.05, memory: 50 * MiB }], ms);
  assert.equal(same.agree, true);
  assert.deepEqual([same.causes, same.messages, same.summary], [[], [], []]);
  // The pod-level cgroup summed in: twice the pod, and a container metrics-server does not list.
  const doubled = checkUsage([...ms, { container: '', cpu: 0.3, memory: 250 * MiB }], ms);
  assert.equal(doubled.agree, false);
  assert.deepEqual(doubled.causes, [
    { kind: 'doubleCount', resource: 'cpu' },
    { kind: 'doubleCount', resource: 'memory' },
    { kind: 'containersOnlyInPrometheus', containers: [''] },
  ]);
  assert.deepEqual(doubled.summary, ['CPU: Prometheus 600m, metrics-server 300m', 'memory: Prometheus 500 MiB, metrics-server 250 MiB']);
  assert.equal(doubled.comparisons[1].difference, 250 * MiB);
  assert.equal(doubled.messages.length, 3);
  // No value on a side: NaN, not zero.
  assert.ok(Number.isNaN(checkUsage([], ms).comparisons[0].prometheus));
  assert.equal(checkUsage(ms, ms, { relative: 0 }).agree, true);
  assert.throws(() => checkUsage(ms, ms, { relative: -1 }), (e) => e.kind === 'invalid_argument' && /tolerance\.relative/.test(e.message));
  assert.throws(() => checkUsage(ms, ms, { relativ: 0.1 }), (e) => e.kind === 'invalid_argument' && /relativ/.test(e.message));
  assert.throws(() => checkUsage('x', ms), (e) => e.kind === 'invalid_argument' && /prometheus/.test(e.message));
});

test('client: targets say which jobs are scraped', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  let targets = [];
  // Prometheus scrapes itself every 5 s; a loaded machine may take several intervals.
  for (let i = 0; i < 300 && !targets.some((t) => t.health === 'up'); i++) {
    targets = await client.targets();
    await new Promise((ok) => setTimeout(ok, 200));
  }
  const self = targets.find((t) => t.job === 'prometheus');
  assert.ok(self, JSON.stringify(targets));
  assert.equal(self.health, 'up');
  assert.match(self.scrapeUrl, /127\.0\.0\.1/);
  assert.ok(self.lastScrape > prom.expected.anchor - 3600);
});

test('client: a target label named __proto__ is a label like any other', async () => {
  const body = JSON.stringify({ status: 'success', data: { activeTargets: [{
    discoveredLabels: {}, labels: { job: 'app', ['__proto__']: 'polluted', instance: 'a:1' },
    scrapePool: 'app', scrapeUrl: 'http://a:1/metrics', globalUrl: 'http://a:1/metrics',
    lastError: '', lastScrape: '2026-12-01T00:00:00Z', lastScrapeDuration: 0.01, health: 'up',
  }], droppedTargets: [] } });
  const base = await serve((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); });
  const [target] = await new PrometheusClient({ baseUrl: base }).targets();
  assert.ok(Object.hasOwn(target.labels, '__proto__'), 'an own property');
  assert.equal(target.labels.__proto__, 'polluted');
  assert.equal(Object.getPrototypeOf(target.labels), Object.prototype);
  assert.deepEqual(Object.keys(target.labels).sort(), ['__proto__', 'instance', 'job']);
});

test("client: Headlamp's service proxy path, 403 and 503", async () => {
  const target = new URL(prom.url);
  const prefix = '/clusters/main/api/v1/namespaces/monitoring/services/prometheus-k8s:9090/proxy';
  const origin = await serve(async (req, res) => {
    if (req.url.startsWith('/clusters/restricted/')) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'services "prometheus-k8s:9090" is forbidden: User "bob" cannot get resource "services/proxy" in API group "" in the namespace "monitoring"', reason: 'Forbidden', code: 403 }));
    } else if (req.url.startsWith('/clusters/busy/')) {
      res.writeHead(503, { 'retry-after': '12', 'content-type': 'text/html' });
      res.end('<html><head><title>503 Service Temporarily Unavailable</title></head></html>');
    } else if (req.url.startsWith(prefix)) {
      const upstream = await fetch(`${target.origin}${req.url.slice(prefix.length)}`);
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  const client = PrometheusClient.headlampServiceProxy({ cluster: 'main', namespace: 'monitoring', service: 'prometheus-k8s', port: 9090, origin });
  assert.equal(client.baseUrl, `${origin}${prefix}`);
  const r = await client.query(buildQuery({ metric: 'pod_restarts', pod: 'db-0' }), prom.expected.anchor);
  assert.equal(r.series[0].values[0], prom.expected.pods['shop/db-0'].restarts);
  const restricted = PrometheusClient.headlampServiceProxy({ cluster: 'restricted', namespace: 'monitoring', service: 'prometheus-k8s', port: 9090, origin });
  await assert.rejects(restricted.query('up'), (e) => e.kind === 'http' && e.status === 403 && /services\/proxy/.test(e.message));
  const busy = PrometheusClient.headlampServiceProxy({ cluster: 'busy', namespace: 'monitoring', service: 'prometheus-k8s', port: 9090, origin });
  await assert.rejects(busy.query('up'), (e) => e.kind === 'malformed' && e.status === 503 && e.retryAfter === 12);
});

test('client: timeouts, aborts and dead servers reject with their kind', async () => {
  const hanging = await serve(() => { /* never answers */ });
  // The server never answers, so only the client's own timer can end the request.
  const slow = new PrometheusClient({ baseUrl: hanging, timeoutMs: 300 });
  await assert.rejects(slow.query('up'), (e) => e.kind === 'timeout' && /300 ms/.test(e.message));
  const controller = new AbortController();
  const patient = new PrometheusClient({ baseUrl: hanging, timeoutMs: 60000 });
  const pending = patient.query('up', undefined, { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(pending, (e) => e.kind === 'aborted');
  const port = await freePort();
  await assert.rejects(new PrometheusClient({ baseUrl: `http://127.0.0.1:${port}` }).query('up'), (e) => e.kind === 'network' && /ECONNREFUSED/.test(e.message));
  // A redirect is not followed: the client only talks to its base URL.
  const redirecting = await serve((req, res) => { res.writeHead(302, { location: 'http://127.0.0.1:1/' }); res.end(); });
  await assert.rejects(new PrometheusClient({ baseUrl: redirecting }).query('up'), (e) => e.kind === 'http' && e.status === 302);
});

test('aggregatePodsReport tells what it left out', () => {
  const r = parseResponse(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [
    { metric: { namespace: 'a', pod: 'p', container: 'c', instance: 'ksm-1' }, value: [1, '3'] },
    { metric: { namespace: 'a', pod: 'p', container: 'c', instance: 'ksm-2' }, value: [1, '3'] },
    { metric: { job: 'x' }, value: [1, '1'] },
  ] } }));
  const report = aggregatePodsReport(r);
  assert.equal(report.pods[0].value, 3);
  assert.equal(report.droppedDuplicates, 1);
  assert.deepEqual(report.unattributed, [{ job: 'x' }]);
});

test('kueue: visibility response to summaries and exposition through the shim', async () => {
  const { kueuePendingReport, kueuePendingSummary, toExposition } = await import('../../www/index.js');
  const dir = new URL('../data/kueue/', import.meta.url);
  const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'));
  for (const [file, want] of Object.entries(expected.fixtures)) {
    const body = readFileSync(new URL(file, dir));
    const opts = { now: expected.now, clusterQueue: want.clusterQueue };
    const report = kueuePendingReport(new Uint8Array(body), opts);
    assert.ok(report.summaries.length >= 1, file);
    const text = toExposition(kueuePendingSummary(body.toString('utf8'), opts));
    for (const line of want.exposition) assert.ok(text.includes(`${line}\n`), `${file}: missing ${line}`);
  }
  assert.throws(() => kueuePendingSummary('{"kind":"PendingWorkloadsSummary"'), (e) => e instanceof KubepromError && e.kind === 'malformed');
  assert.throws(() => toExposition([{ clusterQueue: 'x' }]), (e) => e.kind === 'invalid_argument');
});

test('the linter is a separate module: lintQuery explains until it is loaded, and the core never needed it', () => {
  assert.throws(() => lintQuery('up'), (e) => e instanceof KubepromError && e.kind === 'unsupported' && /linter module/.test(e.message));
  assert.equal(buildQuery({ metric: 'pod_restarts', namespace: 'shop' }).includes('kube_pod_container_status_restarts_total'), true);
  assert.throws(() => initLintSync(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])), WebAssembly.CompileError);
  assert.throws(() => lintQuery('up'), (e) => e.kind === 'unsupported');
  initLintSync(lintWasm);
  assert.deepEqual(lintQuery('up'), []);
  // The two modules share the KubepromError class.
  assert.throws(() => lintQuery(42), (e) => e instanceof KubepromError && e.kind === 'invalid_argument');
});

test('lintQuery finds the double count with UTF-16 positions and a fix that lints clean', () => {
  const query = '# ünïcödé 🙂\nsum by (pod) (container_memory_working_set_bytes{namespace="shop"})';
  const findings = lintQuery(query, { scrapeInterval: '30s' });
  const f = findings.find((x) => x.rule === 'cadvisor-double-count');
  assert.ok(f, JSON.stringify(findings));
  assert.equal(query.slice(f.start, f.end).startsWith('container_memory_working_set_bytes'), true, query.slice(f.start, f.end));
  assert.ok(f.fix.includes('container!=""'));
  assert.ok(!lintQuery(f.fix).some((x) => x.rule === 'cadvisor-double-count'));
  assert.equal(lintQuery('sum(')[0].rule, 'parse-error');
  assert.deepEqual(lintQuery(buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' })), []);
  assert.throws(() => lintQuery('up', { scrapeInterval: 'soon' }), (e) => e.kind === 'invalid_argument');
});

test('Prometheus 3 names are quoted and lint clean, classic names stay bare, and Prometheus 2 refuses the quoted form with bad_data', async () => {
  const promql = buildQuery({
    metric: 'pod_memory_working_set',
    namespace: 'shop',
    selector: { 'http.status': 'x"y' },
    by: ['k8s.pod.name', 'namespace'],
  });
  assert.match(promql, /"http\.status"="x\\"y"/);
  assert.match(promql, /^sum by \("k8s\.pod\.name", namespace\)/);
  assert.match(promql, /namespace="shop"/);
  assert.deepEqual(lintQuery(promql).filter((f) => f.rule === 'parse-error'), []);
  assert.throws(() => buildQuery({ metric: 'pod_cpu_usage', selector: { '': 'x' } }), (e) => e.kind === 'invalid_argument' && /selector/.test(e.message));
  // The Debian Prometheus of this suite is 2.42, which predates quoted names.
  const client = new PrometheusClient({ baseUrl: prom.url });
  await assert.rejects(client.query(promql, prom.expected.anchor), (e) => e.kind === 'bad_data');
});

test('parseQuantity reads Kubernetes quantities in their base unit and refuses the rest', async () => {
  const { parseQuantity } = await import('../../www/index.js');
  assert.equal(parseQuantity('250m'), 0.25);
  assert.equal(parseQuantity('1234567n'), 0.001234567);
  assert.equal(parseQuantity('200Mi'), 200 * 1048576);
  assert.equal(parseQuantity('123456Ki'), 123456 * 1024);
  assert.equal(parseQuantity('1E'), 1e18);
  assert.equal(parseQuantity('1E3'), 1000);
  for (const bad of ['', '1x', '1 Mi', '1e', 42]) {
    assert.throws(() => parseQuantity(bad), (e) => e instanceof KubepromError && e.kind === 'invalid_argument', String(bad));
  }
});

test('formatValue, formatDuration and parseDuration: the text every plugin shows', async () => {
  const { formatValue, formatDuration, parseDuration } = await import('../../www/index.js');
  // Each expectation written from the rules in index.d.ts, not read off the output.
  const cases = [
    [0.25, 'cores', '250m'],
    [1500, 'millicores', '1500m'],
    [12.5, 'cores', '12.5 cores'],
    [12000, 'MiB', '11.7 GiB'],
    [250, 'MiB', '250 MiB'],
    [1.5 * 1048576, 'bytes/s', '1.5 MiB/s'],
    [0.5, 'ops/s', '0.5/s'],
    [75, 'seconds', '1m 15s'],
    [3600, 'seconds', '1h'],
    [0.125, 'ratio', '12.5%'],
    [3, 'count', '3'],
    [NaN, 'MiB', '—'],
    [-Infinity, 'cores', '-Inf'],
    [42.123, undefined, '42.1'],
    [7, 'parsecs', '7 parsecs'],
  ];
  for (const [value, unit, text] of cases) assert.equal(formatValue(value, unit), text, `${value} ${unit}`);
  assert.equal(formatDuration(3900), '1h 5m');
  assert.equal(formatDuration(0.25), '250ms');
  assert.throws(() => formatValue(1, 42), (e) => e instanceof KubepromError && e.kind === 'invalid_argument');
  assert.equal(parseDuration('1m30s'), 90);
  assert.equal(parseDuration(' 500ms '), 0.5);
  assert.equal(parseDuration('1d'), 86400);
  for (const bad of ['', '30', '1m1h', '1.5s', '0s', '5x', 7]) {
    assert.throws(() => parseDuration(bad), (e) => e instanceof KubepromError && e.kind === 'invalid_argument', String(bad));
  }
});

test('a misspelt option is an error naming it, never silently ignored', async () => {
  const { aggregatePodsFromBytes, aggregateGroups, kueuePendingSummary } = await import('../../www/index.js');
  const body = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p","container":"c"},"value":[1,"2"]}]}}';
  const result = parseResponse(body);
  const refused = (f, key) => {
    assert.throws(f, (e) => e instanceof KubepromError && e.kind === 'invalid_argument' && e.message.includes(`unknown field \`${key}\``), key);
  };
  // A typo in `namespace` would otherwise query every namespace.
  refused(() => buildQuery({ metric: 'pod_cpu_usage', namspace: 'shop' }), 'namspace');
  refused(() => aggregatePods(result, { keepseries: true }), 'keepseries');
  refused(() => aggregatePodsReport(result, { Stat: 'max' }), 'Stat');
  refused(() => aggregatePodsFromBytes(body, { maxbytes: 10 }), 'maxbytes');
  refused(() => aggregateGroups(result, { group: ['namespace'], parts: 'container' }), 'parts');
  refused(() => parseResponse(body, { max_bytes: 10 }), 'max_bytes');
  refused(() => new PrometheusClient({ baseUrl: prom.url, timeout: 5 }), 'timeout');
  refused(() => PrometheusClient.headlampServiceProxy({ cluster: 'c', namespace: 'm', service: 's', port: 9090, timeout: 5 }), 'timeout');
  refused(() => kueuePendingSummary('{"items":[]}', { clusterqueue: 'cq' }), 'clusterqueue');
  refused(() => lintQuery('up', { scrapeinterval: '30s' }), 'scrapeinterval');
  // Options read by hand check their types as the serde readers do.
  for (const f of [() => parseResponse(body, { maxBytes: 'big' }), () => parseResponse(body, 5), () => lintQuery('up', { scrapeInterval: 30 }), () => lintQuery('up', 'often')]) {
    assert.throws(f, (e) => e instanceof KubepromError && e.kind === 'invalid_argument');
  }
  assert.equal(parseResponse(body, { maxBytes: undefined }).series.length, 1);
  assert.deepEqual(lintQuery('up', { scrapeInterval: undefined }), lintQuery('up'));
  // The message lists what is read, so the fix is in the error.
  assert.throws(() => aggregatePods(result, { keepseries: true }), /expected one of .*`keepSeries`/);
  // Keys that are read, and keys set to undefined (absent for every reader), still work.
  assert.equal(aggregatePods(result, { keepSeries: false, unit: undefined, pods: [{ namespace: 'a', pod: 'p' }] }).length, 1);
  assert.equal(aggregateGroups(result, { group: ['namespace'], part: 'container', combine: 'sum', stat: 'last' }).groups.length, 1);
  assert.match(buildQuery({ metric: 'pod_cpu_usage', namespace: 'shop', workload: undefined }), /namespace="shop"/);
});
