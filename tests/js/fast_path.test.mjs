// aggregatePodsFromBytes (the fast path) against parseResponse + aggregatePodsReport through the
// shim: the same pods, numbers bit for bit (NaN, ±Inf, -0 included), warnings and error kinds, on
// the bench inputs, on the harness Prometheus' answers to every catalog query, and on odd bodies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPrometheus, freePort } from '../harness/prometheus.mjs';
import { generate } from '../../www/bench/generate.mjs';
import { initSync, buildQuery, listMetrics, parseResponse, aggregatePods, aggregatePodsReport, aggregatePodsFromBytes, PrometheusClient } from '../../www/index.js';
import { keptIdOf, keptStats } from '../../pkg/kubeprom_unpack.js';
import { bits } from './pages/exact.mjs';

const wasm = readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url)));
let prom;

before(async () => {
  initSync({ module: wasm });
  prom = await startPrometheus({ port: await freePort() });
});

after(async () => {
  await prom?.stop();
});

/** A canonical text of a report where every number is its bits. */
function canonical(report) {
  return JSON.stringify({
    pods: report.pods.map((p) => ({
      namespace: p.namespace,
      pod: p.pod,
      value: bits(p.value),
      unit: p.unit,
      containers: p.containers.map((c) => [c.container, bits(c.value)]),
      stats: p.stats && Object.entries(p.stats).map(([stat, v]) => [stat, bits(v)]),
      timestamps: p.timestamps && [...p.timestamps].map(bits),
      values: p.values && [...p.values].map(bits),
    })),
    unattributed: report.unattributed,
    droppedDuplicates: report.droppedDuplicates,
    skippedSamples: report.skippedSamples,
    totalPods: report.totalPods,
  });
}

const outcome = (f) => {
  try {
    return { ok: f() };
  } catch (e) {
    return { kind: e.kind, message: e.message };
  }
};

const OPTIONS = [{}, { stat: 'p95', keepSeries: true }, { stat: 'avg', unit: 'MiB' }, { stat: 'max', unit: 'millicores' }, { unit: 'parsecs' }];

function assertSame(what, body, opts = {}, parseOpts = {}) {
  const plain = outcome(() => {
    const result = parseResponse(body, parseOpts);
    const report = aggregatePodsReport(result, opts);
    return { report: canonical(report), resultType: result.resultType, warnings: result.warnings, infos: result.infos };
  });
  const fast = outcome(() => {
    const report = aggregatePodsFromBytes(body, { ...opts, ...parseOpts });
    return { report: canonical(report), resultType: report.resultType, warnings: report.warnings, infos: report.infos };
  });
  assert.deepEqual(fast, plain, `${what} ${JSON.stringify(opts)}`);
  return plain;
}

test('bench inputs: bit-identical per-pod values', () => {
  const paths = generate();
  for (const [name, path] of Object.entries(paths)) {
    const bytes = readFileSync(path);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const r = assertSame(name, buffer, { stat: 'p95', keepSeries: true });
    assert.ok(r.ok && JSON.parse(r.ok.report).pods.length > 0, name);
    assertSame(`${name} as Uint8Array`, new Uint8Array(buffer), { stat: 'avg', unit: 'MiB' });
    assertSame(`${name} over maxBytes`, buffer, {}, { maxBytes: buffer.byteLength - 1 });
  }
});

test('every harness Prometheus answer to the catalog: bit-identical', async () => {
  const anchor = prom.expected.anchor;
  const queries = listMetrics().map((m) => buildQuery({ metric: m.id }));
  queries.push('{__name__=~".+"}', 'container_memory_working_set_bytes', 'up', '1', '"s"', 'sum(', 'vector(0) / 0');
  let answers = 0;
  for (const q of queries) {
    const e = encodeURIComponent(q);
    for (const path of [`/api/v1/query?query=${e}&time=${anchor}`, `/api/v1/query_range?query=${e}&start=${anchor - 3600}&end=${anchor}&step=60`]) {
      const body = await (await fetch(`${prom.url}${path}`)).arrayBuffer();
      for (const opts of OPTIONS) assertSame(path, body, opts);
      answers++;
    }
  }
  assert.ok(answers >= 2 * queries.length);
});

test('stats: several statistics in one call, each equal to a call with that stat', () => {
  const names = ['last', 'avg', 'min', 'max', 'p50', 'p95', 'p99'];
  for (const [name, path] of Object.entries(generate())) {
    const bytes = readFileSync(path);
    const report = aggregatePodsFromBytes(bytes, { stats: names, unit: 'MiB' });
    assert.equal(report.pods[0].values, undefined, 'no series unless keepSeries');
    const result = parseResponse(bytes);
    for (const stat of names) {
      const plain = aggregatePodsReport(result, { stat, unit: 'MiB' }).pods.map((p) => bits(p.value));
      assert.deepEqual(report.pods.map((p) => bits(p.stats[stat])), plain, `${name} ${stat}`);
    }
  }
});

test('odd bodies: the same values or the same error kind and message', () => {
  const bodies = [
    '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"namespace":"a","pod":"p","container":"c"},"values":[[1,"NaN"],[2,"+Inf"],[3,"-0"],[4,"1e400"],[5,"0.30000000000000004"]]},{"metric":{"namespace":"a","pod":"p"},"values":[[1,"5"]]}]},"warnings":["partial"],"infos":["i"]}',
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a\\"b","pod":"\\u00e9"},"value":[1.5,"-Inf"]},{"metric":{"job":"x"},"value":[1,"2"]}]}}',
    '{"status":"error","errorType":"bad_data","error":"parse error"}',
    '<html><head><title>502 Bad Gateway</title></head></html>',
    '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]',
    '{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}',
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1","a":"2"},"value":[1,"1"]}]}}',
    '',
  ];
  for (const body of bodies) {
    for (const opts of OPTIONS) {
      assertSame(body.slice(0, 60), body, opts);
      assertSame(body.slice(0, 60), new TextEncoder().encode(body).buffer, opts);
    }
  }
  const bad = outcome(() => aggregatePodsFromBytes(42));
  assert.equal(bad.kind, 'invalid_argument');
  assert.equal(outcome(() => aggregatePodsFromBytes(bodies[0], { stat: 'p42' })).kind, 'invalid_argument');
  assertSame('unknown unit', bodies[0], { unit: 'parsecs' });
});

test('top pods and a page of pods are what sorting and filtering every pod in JS gives', () => {
  const paths = generate();
  for (const name of ['vector-50000', 'matrix-200']) {
    const body = readFileSync(paths[name]);
    for (const opts of [{ stat: 'last' }, { stat: 'p95', stats: ['avg', 'max'] }]) {
      const all = aggregatePodsFromBytes(body, opts);
      assert.equal(all.totalPods, all.pods.length);
      // The order the option promises, written plainly: value descending, NaN last, then names.
      const rank = (a, b) => (Number.isNaN(a.value) - Number.isNaN(b.value)) || (b.value - a.value) || a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod);
      const sorted = [...all.pods].sort(rank);
      for (const n of [0, 1, 20, all.pods.length + 5]) {
        const top = aggregatePodsFromBytes(body, { ...opts, top: n });
        assert.equal(top.totalPods, all.pods.length, `${name} top ${n}: total`);
        assert.equal(canonical(top), canonical({ ...all, pods: sorted.slice(0, n) }), `${name} top ${n} ${JSON.stringify(opts)}`);
        assert.deepEqual(top.pods.map((p) => p.stats), sorted.slice(0, n).map((p) => p.stats));
      }
      const asc = aggregatePodsFromBytes(body, { ...opts, top: 5, order: 'asc' });
      const ascending = [...all.pods].sort((a, b) => (Number.isNaN(a.value) - Number.isNaN(b.value)) || (a.value - b.value) || a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod));
      assert.equal(canonical(asc), canonical({ ...all, pods: ascending.slice(0, 5) }), `${name} bottom 5`);
      const page = [all.pods[all.pods.length - 1], all.pods[0], all.pods[Math.floor(all.pods.length / 2)]].map(({ namespace, pod }) => ({ namespace, pod }));
      const picked = aggregatePodsFromBytes(body, { ...opts, pods: [...page, { namespace: 'nowhere', pod: 'none' }] });
      const want = all.pods.filter((p) => page.some((q) => q.namespace === p.namespace && q.pod === p.pod));
      assert.equal(want.length, 3);
      assert.equal(canonical(picked), canonical({ ...all, pods: want }), `${name} page`);
    }
  }
});

test('the documented path takes the same options: stats, top, order and a page give what the fast path gives', () => {
  const paths = generate();
  for (const name of ['vector-50000', 'matrix-200']) {
    const body = readFileSync(paths[name]);
    const result = parseResponse(body);
    const everyPod = aggregatePodsReport(result, {}).pods;
    const page = [everyPod[7], everyPod[0]].map(({ namespace, pod }) => ({ namespace, pod }));
    for (const opts of [
      { stats: ['last', 'avg', 'max', 'p95'] },
      { stat: 'p95', stats: ['min', 'p50'], keepSeries: true, unit: 'MiB' },
      { stats: ['avg'], top: 20 },
      { top: 3, order: 'asc', stat: 'max' },
      { pods: page, stats: ['p99'] },
      { pods: page, top: 1 },
    ]) {
      const what = `${name} ${JSON.stringify(opts)}`;
      const report = aggregatePodsReport(result, opts);
      assert.equal(canonical(report), canonical(aggregatePodsFromBytes(body, opts)), what);
      assert.equal(report.totalPods, everyPod.length, what);
      assert.equal(canonical({ ...report, pods: aggregatePods(result, opts) }), canonical(report), what);
    }
    // Each statistic equals the value of a call with that stat, as for the fast path.
    const stats = aggregatePods(result, { stats: ['avg', 'p95'] });
    for (const stat of ['avg', 'p95']) {
      assert.deepEqual(stats.map((p) => bits(p.stats[stat])), aggregatePods(result, { stat }).map((p) => bits(p.value)), `${name} ${stat}`);
    }
    assert.equal(stats[0].values, undefined, 'no series unless keepSeries');
  }
  const body = readFileSync(paths['matrix-200']);
  const wrong = outcome(() => aggregatePods(parseResponse(body), { maxBytes: 10 }));
  assert.equal(wrong.kind, 'invalid_argument');
  assert.match(wrong.message, /maxBytes/);
  assert.equal(outcome(() => aggregatePods(parseResponse(body), { top: 2, order: 'sideways' })).kind, 'invalid_argument');
});

test('the client keeps its results in wasm too: query and queryRange aggregate as the fast path reads their bodies', async () => {
  const anchor = prom.expected.anchor;
  const client = new PrometheusClient({ baseUrl: prom.url });
  const queries = ['pod_cpu_usage', 'pod_memory_working_set', 'pod_restarts'].map((metric) => buildQuery({ metric }));
  queries.push('container_memory_working_set_bytes');
  for (const q of queries) {
    const e = encodeURIComponent(q);
    const asks = [
      [() => client.query(q, anchor), `/api/v1/query?query=${e}&time=${anchor}`],
      [() => client.queryRange(q, anchor - 3600, anchor, 60), `/api/v1/query_range?query=${e}&start=${anchor - 3600}&end=${anchor}&step=60`],
    ];
    for (const [ask, path] of asks) {
      const result = await ask();
      const id = keptIdOf(result);
      assert.ok(keptStats().ids.includes(id), `${path}: kept in wasm`);
      const body = await (await fetch(`${prom.url}${path}`)).arrayBuffer();
      for (const opts of OPTIONS.slice(0, 4)) {
        assert.equal(canonical(aggregatePodsReport(result, opts)), canonical(aggregatePodsFromBytes(body, opts)), `${path} ${JSON.stringify(opts)}`);
      }
      assert.ok(result.series.length > 0, path);
      assert.ok(!keptStats().ids.includes(id), `${path}: freed once read`);
    }
  }
});
