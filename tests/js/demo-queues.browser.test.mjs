// The demo's "Queues and operators" view in headless Chromium against the harness Prometheus:
// Kueue numbers equal the dataset model's (expected.json), the Spark operator shows as down,
// and the visibility panel shows what the sample response says, computed here from the fixture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { startDemo, launchChromium, pageWithErrors, root, openDemo } from './demo-server.mjs';

let demo;
let browser;
let page;
let errors;

before(async () => {
  demo = await startDemo();
  browser = await launchChromium();
  ({ page, errors } = await pageWithErrors(browser));
  await openDemo(page, demo.url);
  // Open the view from the keyboard, as the tabs pattern says.
  await page.focus('#tab-pods');
  await page.keyboard.press('ArrowRight');
  await page.locator('#view-queues[data-loaded="true"]').waitFor({ timeout: 30000 });
  mkdirSync(`${root}/tests/artifacts`, { recursive: true });
  await page.screenshot({ path: `${root}/tests/artifacts/demo-queues.png`, fullPage: true });
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
const value = async (row, field) => Number(await page.locator(`${row} td[data-field="${field}"]`).getAttribute('data-value'));

test('the queues tab is selected and the pods view hidden', async () => {
  assert.equal(await page.getAttribute('#tab-queues', 'aria-selected'), 'true');
  assert.equal(await page.isHidden('#view-pods'), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-queues');
});

test('cluster queues: pending by status, wait p95 and admissions as the dataset model says', async () => {
  const { pending, admissionWait, admittedPerSecond } = demo.expected.kueue;
  // One row per queue, in key order, named by its header cell.
  const rows = await page.$$eval('#cluster-queues tbody tr', (trs) => trs.map((tr) => [tr.dataset.clusterQueue, tr.cells[0].textContent]));
  assert.deepEqual(rows, Object.keys(pending).sort().map((cq) => [cq, cq]));
  for (const [cq, byStatus] of Object.entries(pending)) {
    const row = `#cluster-queues tr[data-cluster-queue="${cq}"]`;
    for (const [status, n] of Object.entries(byStatus)) {
      assert.equal(await page.textContent(`${row} td[data-field="${status}"]`), String(n), `${cq} ${status}`);
    }
    assert.ok(close(await value(row, 'wait-p95'), admissionWait[cq].p95), `${cq} p95`);
    assert.ok(close(await value(row, 'admitted'), admittedPerSecond[cq]), `${cq} admitted`);
  }
  // Admissions per second, as the core writes rates (the model admits 0.1 and 0.5 a second).
  assert.deepEqual(admittedPerSecond, { 'cq-gpu': 0.1, 'cq-cpu': 0.5 });
  for (const [cq, text] of [['cq-gpu', '0.1/s'], ['cq-cpu', '0.5/s']]) {
    assert.equal(await page.textContent(`#cluster-queues tr[data-cluster-queue="${cq}"] td[data-field="admitted"]`), text, cq);
  }
});

test('local queues: one row per namespace and name, pending as the model says', async () => {
  const queues = demo.expected.kueue.localQueues;
  // In key order; the namespace shown is the queue's own (exported_namespace), not the scrape's.
  const rows = await page.$$eval('#local-queues tbody tr', (trs) => trs.map((tr) => [tr.dataset.localQueue, tr.cells[0].textContent, tr.cells[1].textContent]));
  assert.deepEqual(rows, Object.keys(queues).sort().map((key) => [key, ...key.split('/')]));
  for (const [key, q] of Object.entries(queues)) {
    const row = `#local-queues tr[data-local-queue="${key}"]`;
    for (const [status, n] of Object.entries(q.pending)) {
      assert.equal(await page.textContent(`${row} td[data-field="${status}"]`), String(n), `${key} ${status}`);
    }
    assert.ok(close(await value(row, 'wait-p95'), q.admissionWait.p95), `${key} p95`);
    assert.ok(close(await value(row, 'admitted'), q.admittedPerSecond), `${key} admitted`);
  }
});

test('operators: Spark operator down (up = 0), KubeRay and Kueue up with their reconcile numbers', async () => {
  const spark = '#operators tr[data-operator="spark-operator"]';
  assert.equal(await page.getAttribute(spark, 'data-state'), 'down');
  assert.equal(await page.textContent(`${spark} td[data-field="state"]`), 'down');
  // The failing target named by job and instance (the dataset's Spark operator target).
  assert.match(await page.textContent(`${spark} td[data-field="why"]`), /^up is 0 for job spark-operator at 10\.0\.4\.1:8080: /);
  // No controller series for it: no data, not zero.
  for (const field of ['reconciles', 'errors', 'depth']) {
    assert.equal(await page.textContent(`${spark} td[data-field="${field}"]`), 'no data', `spark ${field}`);
    assert.equal(await page.getAttribute(`${spark} td[data-field="${field}"]`, 'data-value'), null, `spark ${field} value`);
  }
  const ops = demo.expected.operators;
  for (const [id, job] of [['kuberay', 'kuberay-operator'], ['kueue', 'kueue-controller-manager-metrics-service']]) {
    const row = `#operators tr[data-operator="${id}"]`;
    assert.equal(await page.getAttribute(row, 'data-state'), 'up', id);
    assert.equal(await page.textContent(`${row} td[data-field="why"]`), `up is 1 for job ${job}.`, `${id} why`);
    const controllers = Object.values(ops[job]);
    const sum = (f) => controllers.reduce((s, c) => s + f(c), 0);
    assert.ok(close(await value(row, 'reconciles'), sum((c) => c.success + c.error + c.requeue)), `${id} reconciles`);
    assert.ok(close(await value(row, 'errors'), sum((c) => c.error)), `${id} errors`);
    assert.equal(await value(row, 'depth'), sum((c) => c.depth), `${id} depth`);
  }
});

/** numpy's default (linear between closest ranks) quantile of ascending numbers. */
function quantile(sorted, q) {
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

test('visibility panel: per-queue pending, waits and positions of the sample response', async () => {
  const fixture = JSON.parse(readFileSync(`${root}/www/demo/fixtures/pending-workloads-cq-gpu.json`, 'utf8'));
  const now = Date.parse(await page.inputValue('#visibility-now')) / 1000;
  const cq = await page.inputValue('#visibility-cq');
  const groups = new Map([[`cq:${cq}`, fixture.items]]);
  for (const item of fixture.items) {
    const key = `lq:${item.metadata.namespace}/${item.localQueueName}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  assert.equal(await page.locator('#visibility-queues tbody tr').count(), groups.size);
  for (const [key, items] of groups) {
    const row = `#visibility-queues tr[data-queue="${key}"]`;
    const waits = items.map((i) => Math.max(0, now - Date.parse(i.metadata.creationTimestamp) / 1000)).sort((a, b) => a - b);
    assert.equal(await value(row, 'pending'), items.length, `${key} pending`);
    assert.ok(close(await value(row, 'p50'), quantile(waits, 0.5)), `${key} p50`);
    assert.ok(close(await value(row, 'p95'), quantile(waits, 0.95)), `${key} p95`);
    assert.equal(await value(row, 'max'), waits[waits.length - 1], `${key} max`);
  }
  // The head of the cluster queue, in queue order.
  const head = await page.$$eval('#visibility-head tbody tr', (rows) => rows.map((r) => [r.dataset.workload, Number(r.querySelector('[data-field="position"]').dataset.value)]));
  const byPosition = [...fixture.items].sort((a, b) => a.positionInClusterQueue - b.positionInClusterQueue);
  assert.deepEqual(head, byPosition.slice(0, head.length).map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, i.positionInClusterQueue]));
  assert.ok(head.length >= Math.min(10, fixture.items.length));
  // Each wait in at most two units, as the core writes durations; worked out by hand from the
  // fixture's creation times and the capture time (100 s, 1800 s, 6300 s, ...).
  const waitText = {
    'job-train-a1-3f9c2': '1m 40s',
    'rayjob-sweep-r1-418b1': '30m',
    'job-train-a2-437a0': '30s',
    'pytorchjob-bert-b1-4568f': '3h',
    'pytorchjob-bert-b2-4757e': '1h 45m',
    'rayjob-sweep-r2-4946d': '1h',
    'job-eval-a3-4b35c': '1d',
    'pytorchjob-bert-b3-4d24b': '10m',
    'rayjob-sweep-r3-4f13a': '5s',
    'job-eval-a4-51029': '6h',
  };
  const shownWaits = await page.$$eval('#visibility-head tbody tr', (rows) => rows.map((r) => [r.dataset.workload.split('/')[1], r.querySelector('[data-field="wait"]').textContent]));
  assert.deepEqual(Object.fromEntries(shownWaits), waitText);

  // The exposition: one pending gauge per queue with the counts above.
  const lines = (await page.textContent('#exposition')).split('\n');
  const sample = (name, labels) => {
    const line = lines.find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)) && !l.includes('priority='));
    assert.ok(line, `${name} ${JSON.stringify(labels)} in the exposition`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  assert.equal(sample('kubeprom_kueue_pending_workloads', { cluster_queue: cq }), fixture.items.length);
  for (const [key, items] of groups) {
    if (!key.startsWith('lq:')) continue;
    const [namespace, localQueue] = key.slice(3).split('/');
    assert.equal(sample('kubeprom_kueue_local_queue_pending_workloads', { cluster_queue: cq, namespace, local_queue: localQueue }), items.length, key);
  }
  assert.match(lines.join('\n'), /^# TYPE kubeprom_kueue_pending_workload_age_seconds histogram$/m);
  assert.deepEqual(errors, []);
});

test('a broken visibility body is reported, not thrown', async () => {
  await page.fill('#visibility-body', '{"kind":"PendingWorkloadsSummary","items":[');
  await page.click('#visibility-run');
  await page.locator('#visibility-status.error').waitFor();
  assert.match(await page.textContent('#visibility-status'), /^malformed: /);
  assert.equal(await page.locator('#visibility-queues tbody tr').count(), 0);
});
