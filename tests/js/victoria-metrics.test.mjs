// PrometheusClient against a real VictoriaMetrics (Debian's victoria-metrics): the same per-pod
// numbers as expected.json through every read path, and its errors (errorType "422" for all of
// them) given the kinds Prometheus gives the same failures, with its own word kept. The
// dashboard queries run against it in dashboards.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startVictoriaMetrics } from '../harness/victoria-metrics.mjs';
import {
  initSync, buildQuery, aggregatePods, aggregatePodsFromBytes, PrometheusClient, KubepromError,
} from '../../www/index.js';

const wasm = readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url)));
let vm;

before(async () => {
  initSync({ module: wasm });
  vm = await startVictoriaMetrics();
});
after(async () => {
  await vm?.stop();
});

const shop = () => Object.values(vm.expected.pods).filter((p) => p.namespace === 'shop');
const close = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);

test('per-pod memory and CPU through query, queryPods and queryRangePods', async () => {
  const client = new PrometheusClient({ baseUrl: vm.url });
  const { anchor } = vm.expected;
  const memory = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  const cpu = buildQuery({ metric: 'pod_cpu_usage', namespace: 'shop' });
  const want = shop();
  assert.equal(want.length, 4);
  const pods = aggregatePods(await client.query(memory, anchor), { unit: 'MiB' });
  assert.deepEqual(pods.map((p) => p.pod).sort(), want.map((p) => p.pod).sort());
  for (const p of pods) assert.equal(p.value, vm.expected.pods[`shop/${p.pod}`].memoryWorkingSet / 1048576, p.pod);
  const streamed = await client.queryPods(cpu, anchor);
  assert.equal(streamed.pods.length, want.length);
  for (const p of streamed.pods) close(p.value, vm.expected.pods[`shop/${p.pod}`].cpu, p.pod);
  const range = await client.queryRangePods(cpu, anchor - 600, anchor, 60, { stats: ['max'] });
  assert.equal(range.resultType, 'matrix');
  for (const p of range.pods) close(p.stats.max, vm.expected.pods[`shop/${p.pod}`].cpu, p.pod);
});

test('a query VictoriaMetrics cannot parse is bad_data, a resource limit is execution', async () => {
  const client = new PrometheusClient({ baseUrl: vm.url });
  const refused = (kind) => (e) => e instanceof KubepromError && e.kind === kind && e.errorType === '422' && e.status === 422;
  await assert.rejects(client.query('sum('), refused('bad_data'));
  await assert.rejects(client.query('no_such_function(up)'), refused('bad_data'));
  await assert.rejects(client.queryPods('sum(', vm.expected.anchor), refused('bad_data'));
  // A day at one point per second: past its -search.maxPointsPerTimeseries (30,000).
  await assert.rejects(client.query('max_over_time(up[1d:1s])', vm.expected.anchor), refused('execution'));
  // The same body given to the parsers has the same kind and word.
  const body = await (await fetch(`${vm.url}/api/v1/query?query=sum(`)).arrayBuffer();
  assert.throws(() => aggregatePodsFromBytes(body), (e) => e.kind === 'bad_data' && e.errorType === '422' && /unexpected token/.test(e.message));
});
