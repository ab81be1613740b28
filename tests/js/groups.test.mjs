// aggregateGroups through the shim, on raw (unaggregated) series from the test harness's real
// Prometheus: Kueue queues by status, local queues under their renamed namespace, controllers by
// job and name, targets by job. Expected numbers come from the dataset's model (expected.json),
// never from kubeprom.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPrometheus } from '../harness/prometheus.mjs';
import { initSync, parseResponse, aggregateGroups, aggregatePodsReport, KubepromError } from '../../www/index.js';

const wasm = readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url)));
let prom;
let expected;

before(async () => {
  initSync({ module: wasm });
  prom = await startPrometheus();
  expected = prom.expected;
});
after(async () => {
  await prom?.stop();
});

async function instant(expr) {
  const url = `${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${expected.anchor}`;
  const res = await fetch(url);
  assert.equal(res.status, 200, `${expr}: HTTP ${res.status}`);
  return parseResponse(new Uint8Array(await res.arrayBuffer()));
}

const KUEUE_TARGET_LABELS = ['job', 'pod', 'service', 'endpoint', 'namespace', 'replica_role'];

test('pending workloads per cluster queue and status, from the leader replica', async () => {
  const result = await instant('kueue_pending_workloads{replica_role="leader"}');
  const report = aggregateGroups(result, { group: ['cluster_queue'], part: 'status', identity: KUEUE_TARGET_LABELS });
  const got = Object.fromEntries(report.groups.map((g) => [g.labels.cluster_queue, Object.fromEntries(g.parts.map((p) => [p.part, p.value]))]));
  assert.deepEqual(got, expected.kueue.pending);
  for (const g of report.groups) {
    const total = Object.values(expected.kueue.pending[g.key[0]]).reduce((a, b) => a + b, 0);
    assert.equal(g.value, total, `${g.key[0]} total`);
  }
  assert.deepEqual(report.unattributed, []);
  assert.equal(report.droppedDuplicates, 0);
});

test('the same queue scraped from two replicas with equal values counts once', async () => {
  // Both replicas' series, made equal: identity labels tell them apart, so one of each pair is dropped.
  const result = await instant('kueue_pending_workloads{replica_role="leader"} or label_replace(kueue_pending_workloads{replica_role="leader"}, "pod", "kueue-controller-manager-1", "pod", ".*")');
  assert.equal(result.series.length, 8);
  const report = aggregateGroups(result, { group: ['cluster_queue'], part: 'status', identity: KUEUE_TARGET_LABELS });
  assert.equal(report.droppedDuplicates, 4);
  assert.deepEqual(Object.fromEntries(report.groups.map((g) => [g.key[0], g.value])), { 'cq-cpu': 4, 'cq-gpu': 15 });
  // Without the target labels as identity, each replica counts: the double count the option prevents.
  const naive = aggregateGroups(result, { group: ['cluster_queue'], part: 'status' });
  assert.deepEqual(Object.fromEntries(naive.groups.map((g) => [g.key[0], g.value])), { 'cq-cpu': 8, 'cq-gpu': 30 });
});

test('local queues by their own namespace, renamed exported_namespace by the scrape', async () => {
  const result = await instant('kueue_local_queue_pending_workloads{replica_role="leader"}');
  const report = aggregateGroups(result, { group: [['exported_namespace', 'namespace'], 'name'], part: 'status', identity: KUEUE_TARGET_LABELS });
  const got = Object.fromEntries(report.groups.map((g) => [g.key.join('/'), Object.fromEntries(g.parts.map((p) => [p.part, p.value]))]));
  const want = Object.fromEntries(Object.entries(expected.kueue.localQueues).map(([k, lq]) => [k, lq.pending]));
  assert.deepEqual(got, want);
  assert.deepEqual(report.groups.map((g) => Object.keys(g.labels)), report.groups.map(() => ['exported_namespace', 'name']));
});

test('reconcile rates per job and controller, results as parts', async () => {
  const result = await instant('rate(controller_runtime_reconcile_total[5m])');
  const report = aggregateGroups(result, { group: ['job', 'controller'], part: 'result' });
  let compared = 0;
  for (const [job, controllers] of Object.entries(expected.operators)) {
    for (const [controller, r] of Object.entries(controllers)) {
      const g = report.groups.find((x) => x.key[0] === job && x.key[1] === controller);
      assert.ok(g, `${job}/${controller} missing`);
      for (const result of ['success', 'error', 'requeue']) {
        const part = g.parts.find((p) => p.part === result);
        assert.ok(Math.abs(part.value - r[result]) < 1e-9, `${job}/${controller} ${result}: ${part.value} vs ${r[result]}`);
      }
      assert.ok(Math.abs(g.value - (r.success + r.error + r.requeue)) < 1e-9);
      compared++;
    }
  }
  assert.ok(compared >= 3, `compared ${compared} controllers`);
});

test('admission wait quantiles combine by their maximum over priority classes', async () => {
  // Two "priority classes": the real quantile and the same halved; the queue shows the larger.
  const q = 'histogram_quantile(0.95, sum by (cluster_queue, le) (rate(kueue_admission_wait_time_seconds_bucket{replica_role="leader"}[1h])))';
  const result = await instant(`label_replace(${q}, "priority_class", "high", "", "") or label_replace(${q} / 2, "priority_class", "low", "", "")`);
  const report = aggregateGroups(result, { group: ['cluster_queue'], combine: 'max' });
  for (const g of report.groups) {
    const want = expected.kueue.admissionWait[g.key[0]].p95;
    assert.ok(Math.abs(g.value - want) < 1e-6, `${g.key[0]}: ${g.value} vs ${want}`);
  }
  assert.equal(report.groups.length, Object.keys(expected.kueue.admissionWait).length);
});

test('pods are one grouping: the same numbers as aggregatePodsReport', async () => {
  const result = await instant('container_memory_working_set_bytes');
  const pods = aggregatePodsReport(result, { unit: 'MiB' });
  // aggregatePods also counts the pause container only as a last resort, which a plain grouping
  // does not know; on series without pause containers the two agree.
  const noPause = { ...result, series: result.series.filter((s) => s.labels.container !== 'POD') };
  const groups = aggregateGroups(noPause, { group: ['namespace', 'pod'], part: 'container', unit: 'MiB' });
  const podsNoPause = aggregatePodsReport(noPause, { unit: 'MiB' });
  assert.deepEqual(groups.groups.map((g) => [g.key.join('/'), g.value]), podsNoPause.pods.map((p) => [`${p.namespace}/${p.pod}`, p.value]));
  assert.equal(pods.pods.length, new Set(result.series.filter((s) => s.labels.pod).map((s) => `${s.labels.namespace}/${s.labels.pod}`)).size);
  assert.ok(pods.pods.length > 0);
  for (const p of pods.pods) {
    const want = expected.pods[`${p.namespace}/${p.pod}`];
    if (want) assert.ok(Math.abs(p.value - want.memoryWorkingSet / 2 ** 20) < 1e-6, `${p.pod}`);
  }
});

test('bad options are typed errors', async () => {
  const result = await instant('up');
  const bad = [
    {},
    { group: 'job' },
    { group: [1] },
    { group: [[]] },
    { group: ['a', 'b', 'c', 'd', 'e'] },
    { group: ['job'], part: 'job' },
    { group: ['job'], combine: 'avg' },
  ];
  for (const opts of bad) {
    assert.throws(() => aggregateGroups(result, opts), (e) => e instanceof KubepromError && e.kind === 'invalid_argument', JSON.stringify(opts));
  }
});

test('targets by job, instances as parts: instance is then no scrape identity', async () => {
  const result = await instant('up');
  const report = aggregateGroups(result, { group: ['job'], part: 'instance' });
  for (const [job, ups] of Object.entries(expected.up)) {
    const g = report.groups.find((x) => x.key[0] === job);
    assert.ok(g, `${job} missing`);
    assert.equal(g.parts.length, ups.length, `${job}: one part per instance`);
    assert.equal(g.value, ups.reduce((a, b) => a + b, 0), `${job}: targets up`);
  }
});
