// Right-sizing through the npm package against a real Prometheus over 15 days of backfilled
// history (tests/data/history.mjs): the client's recommendResources, and planRecommendation's
// queries run by the caller, give the recommendations of the generator's model; bad input is a
// KubepromError. The method's own cases are in tests/right_sizing.rs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPrometheus } from '../harness/prometheus.mjs';
import {
  initSync, planRecommendation, recommendResources, PrometheusClient, KubepromError,
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

test('bad input is a typed error before any request', async () => {
  const client = new PrometheusClient({ baseUrl: prom.url });
  const refused = (what, call, field) => assert.throws(call, (e) => e instanceof KubepromError && e.kind === 'invalid_argument' && e.message.includes(field), what);
  refused('no workload', () => planRecommendation({ namespace: 'rs' }), 'workload');
  refused('a percentile over 1', () => planRecommendation({ ...spec('Deployment', 'api'), cpuPercentile: 95 }), 'cpuPercentile');
  refused('a step longer than the window', () => planRecommendation({ ...spec('Deployment', 'api'), window: '1h', step: '2h' }), 'step');
  refused('an unknown option', () => planRecommendation({ ...spec('Deployment', 'api'), percentile: 0.9 }), 'percentile');
  refused('an answer missing', () => recommendResources(spec('Deployment', 'api'), {}), 'answers.cpuUsage');
  await assert.rejects(client.recommendResources({ ...spec('Deployment', 'api'), memoryBuffer: -1 }), (e) => e instanceof KubepromError && e.kind === 'invalid_argument' && e.message.includes('memoryBuffer'));
});
