// Right-sizing through the npm package against a real Prometheus over 15 days of backfilled
// history (tests/data/history.mjs): the client's recommendResources, and planRecommendation's
// queries run by the caller, give the recommendations of the generator's model; bad input is a
// KubepromError. The method's own cases are in tests/right_sizing.rs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPrometheus } from '../harness/prometheus.mjs';
import { buildDashboards } from '../../deploy/generator/dashboards.mjs';
import { defaults } from '../../deploy/generator/options.mjs';
import {
  initSync, planRecommendation, recommendResources, rightSizingRules, parseResponse, PrometheusClient, KubepromError,
} from '../../www/index.js';

const wasm = readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url)));
let prom;

before(async () => {
  initSync({ module: wasm });
  prom = await startPrometheus({ dataset: 'history' });
});
after(async () => {
  await prom?.stop();
});

const spec = (kind, name) => ({ namespace: prom.expected.namespace, workload: { kind, name } });

/** Each container's quantities and current values as the model gives them. */
function wanted(key) {
  return Object.entries(prom.expected.workloads[key]).map(([container, e]) => ({
    container,
    cpuRequest: e.recommended?.cpuRequest,
    memory: e.recommended?.memory,
    current: [e.current.cpuRequest ?? undefined, e.current.memoryRequest ?? undefined, e.current.memoryLimit ?? undefined],
    oomKilled: e.oomKilled,
  }));
}
const shown = (r) => r.containers.map((c) => ({
  container: c.container,
  cpuRequest: c.cpuRequest.quantity,
  memory: c.memoryRequest.quantity,
  current: [c.cpuRequest.current, c.memoryRequest.current, c.memoryLimit.current],
  oomKilled: c.oomKilled,
}));

test('the client recommends for every container of each workload, as the model does', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  for (const [kind, name] of [['Deployment', 'api'], ['StatefulSet', 'cache'], ['Deployment', 'fresh']]) {
    const r = await client.recommendResources(spec(kind, name), prom.expected.anchor);
    assert.deepEqual(shown(r), wanted(`${kind}/${name}`), `${kind}/${name}`);
    assert.deepEqual(r.queries.map((q) => q.need), ['cpuUsage', 'cpuSamples', 'memoryPeak', 'oomKilled', 'cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit']);
  }
  const api = await client.recommendResources(spec('Deployment', 'api'), prom.expected.anchor);
  assert.deepEqual(api.containers.map((c) => c.status), ['under-provisioned', 'fine']);
  assert.equal(api.containers[0].kubectl, 'kubectl set resources deployment/api -n rs -c app --requests=cpu=500m,memory=816Mi --limits=memory=816Mi');
  const fresh = await client.recommendResources(spec('Deployment', 'fresh'), prom.expected.anchor);
  assert.equal(fresh.containers[0].status, 'not-enough-data');
  assert.equal(fresh.containers[0].kubectl, undefined);
});

test('planRecommendation\'s queries run by the caller give the same recommendation', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  const s = { ...spec('StatefulSet', 'cache'), cpuLimit: { requestTimes: 2 } };
  const { queries } = planRecommendation(s);
  const answers = Object.fromEntries(await Promise.all(queries.map(async (q) => [q.need, await client.query(q.promql, prom.expected.anchor)])));
  const mine = recommendResources(s, answers);
  assert.deepEqual(mine, await client.recommendResources(s, prom.expected.anchor));
  const redis = mine.containers[0];
  assert.equal(redis.cpuLimit.quantity, '600m', 'twice the 300m request');
  assert.equal(redis.memoryLimit.status, 'under-provisioned', 'killed at its limit');
});

test('a namespace is every workload\'s containers, each under its workload, as the model has them', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  const s = { namespace: prom.expected.namespace };
  const r = await client.recommendResources(s, prom.expected.anchor);
  const keys = Object.keys(prom.expected.workloads);
  // Sorted by workload name, then kind, then container.
  const sorted = [...keys].sort((a, b) => a.split('/')[1].localeCompare(b.split('/')[1]));
  assert.deepEqual([...new Set(r.containers.map((c) => `${c.workload.kind}/${c.workload.name}`))], sorted);
  for (const key of keys) {
    const [kind, name] = key.split('/');
    const mine = r.containers.filter((c) => c.workload.kind === kind && c.workload.name === name);
    assert.deepEqual(shown({ containers: mine }), wanted(key), key);
    const alone = await client.recommendResources(spec(kind, name), prom.expected.anchor);
    assert.deepEqual(mine, alone.containers, `${key}: as the workload's own recommendation`);
  }
  // The caller's own queries give the same, read from results kept in wasm.
  const { queries } = planRecommendation(s);
  const answers = Object.fromEntries(await Promise.all(queries.map(async (q) => [q.need, await client.query(q.promql, prom.expected.anchor)])));
  assert.deepEqual(recommendResources(s, answers), r);
});

test('bad input is a typed error before any request', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  const refused = (what, call, field) => assert.throws(call, (e) => e instanceof KubepromError && e.kind === 'invalid_argument' && e.message.includes(field), what);
  refused('no namespace', () => planRecommendation({ workload: { kind: 'Deployment', name: 'api' } }), 'namespace');
  refused('an empty workload name', () => planRecommendation({ namespace: 'rs', workload: { kind: 'Deployment', name: '' } }), 'workload.name');
  refused('a percentile over 1', () => planRecommendation({ ...spec('Deployment', 'api'), cpuPercentile: 95 }), 'cpuPercentile');
  refused('a step longer than the window', () => planRecommendation({ ...spec('Deployment', 'api'), window: '1h', step: '2h' }), 'step');
  refused('an unknown option', () => planRecommendation({ ...spec('Deployment', 'api'), percentile: 0.9 }), 'percentile');
  refused('an answer missing', () => recommendResources(spec('Deployment', 'api'), {}), 'answers.cpuUsage');
  await assert.rejects(client.recommendResources({ ...spec('Deployment', 'api'), memoryBuffer: -1 }), (e) => e instanceof KubepromError && e.kind === 'invalid_argument' && e.message.includes('memoryBuffer'));
});

test('the right-sizing rules record, for every workload container, what the model recommends', async () => {
  const { records } = rightSizingRules();
  const evaluate = async (record) => {
    const { expr } = records.find((r) => r.record === record);
    const url = `${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${prom.expected.anchor}`;
    const result = parseResponse(await (await fetch(url)).arrayBuffer());
    return Object.fromEntries(result.series.map((s) => [`${s.labels.workload_kind}/${s.labels.workload}/${s.labels.container}`, s.values[s.values.length - 1]]));
  };
  const [cpu, memory, history, cpuRequest, memoryRequest] = await Promise.all(records.map((r) => evaluate(r.record)));
  const MiB = 1024 * 1024;
  const close = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);
  for (const [workload, containers] of Object.entries(prom.expected.workloads)) {
    for (const [container, e] of Object.entries(containers)) {
      const key = `${workload}/${container}`;
      close(cpu[key], Math.max(e.cpuUsage, 0.01), `${key} cpu`);
      // The rules leave out the OOM floor (the pod alerts report OOM kills).
      close(memory[key], Math.max(e.memoryPeak * 1.15, 100 * MiB), `${key} memory`);
      // Steps of the 5m grid with usage: within a step of the model's history.
      assert.ok(Math.abs(history[key] - e.historyDays * 86400) <= 600, `${key} history: got ${history[key]}, want ${e.historyDays * 86400}`);
      if (e.current.cpuRequest === null) assert.equal(cpuRequest[key], undefined, key);
      else close(cpuRequest[key], e.current.cpuRequest, `${key} cpu request`);
      if (e.current.memoryRequest === null) assert.equal(memoryRequest[key], undefined, key);
      else close(memoryRequest[key], e.current.memoryRequest, `${key} memory request`);
    }
  }
  // The canary's pod is api-like by name and its own workload by ownership.
  assert.ok(Object.keys(cpu).some((k) => k.startsWith('Deployment/api-canary/')), Object.keys(cpu).join(' '));
});

test('the Workloads dashboard\'s right-sizing panel reads those series per workload container', async () => {
  const { records } = rightSizingRules({ profile: defaults.profile });
  const { queries } = buildDashboards(defaults);
  const panel = queries.filter((q) => q.handwritten?.startsWith('rightSizing.'));
  assert.deepEqual(panel.map((q) => q.handwritten.split(' ')[1]).sort(), records.map((r) => r.record).sort());
  const viaPanel = {};
  for (const q of panel) {
    // The recorded series as the rules would have written them: their expressions in place of
    // the selector, whose matchers are the dashboard's variables (the dataset has one namespace).
    const { record, expr } = records.find((r) => r.record === q.handwritten.split(' ')[1]);
    const selector = `${record}{cluster=~"$cluster", namespace=~"$namespace"}`;
    assert.ok(q.expr.includes(selector), q.expr);
    const promql = q.expr.replace(selector, `(${expr})`);
    const url = `${prom.url}/api/v1/query?query=${encodeURIComponent(promql)}&time=${prom.expected.anchor}`;
    const result = parseResponse(await (await fetch(url)).arrayBuffer());
    viaPanel[q.refId] = Object.fromEntries(result.series.map((s) => [`${s.labels.workload_kind}/${s.labels.workload}/${s.labels.container}`, s.values[0]]));
  }
  const MiB = 1024 * 1024;
  for (const [workload, containers] of Object.entries(prom.expected.workloads)) {
    for (const [container, e] of Object.entries(containers)) {
      const key = `${workload}/${container}`;
      const near = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${key} ${what}: got ${got}, want ${want}`);
      near(viaPanel.B[key], Math.max(e.cpuUsage, 0.01), 'CPU recommended');
      near(viaPanel.D[key], Math.max(e.memoryPeak * 1.15, 100 * MiB), 'memory recommended');
      if (e.current.cpuRequest !== null) near(viaPanel.A[key], e.current.cpuRequest, 'CPU request');
      if (e.current.memoryRequest !== null) near(viaPanel.C[key], e.current.memoryRequest, 'memory request');
      assert.ok(Math.abs(viaPanel.E[key] - e.historyDays * 86400) <= 600, `${key} history`);
    }
  }
});
