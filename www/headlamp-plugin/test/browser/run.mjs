#!/usr/bin/env node
/*
 * Real-browser test of the built plugin: headless Debian Chromium (playwright-core) renders the
 * plugin's sections on the harness page, which talks to the test harness's real Prometheus
 * through a local stand-in for Headlamp's backend and the Kubernetes service proxy.
 *
 *   node test/browser/run.mjs [--no-build] [--keep-open]
 *
 * Expected values come from tests/.work/expected.json (written by the dataset generator).
 * Screenshots go to test-artifacts/. Prints "N passed, N failed" last; exits 1 on failure.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'url';
import { buildHarness } from './build-harness.mjs';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pluginDir = resolve(here, '../..');
const repoRoot = resolve(pluginDir, '../..');
const artifacts = join(pluginDir, 'test-artifacts');
const args = process.argv.slice(2);
const MiB = 1024 * 1024;
const TIMEOUT = 45000;

function buildPlugin() {
  const r = spawnSync(join(pluginDir, 'node_modules/.bin/headlamp-plugin'), ['build'], {
    cwd: pluginDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`headlamp-plugin build failed:\n${r.stdout}\n${r.stderr}`);
}

async function freeUrl() {
  const { freePort } = await import(join(repoRoot, 'tests/harness/prometheus.mjs'));
  return `http://127.0.0.1:${await freePort()}`;
}

const results = [];
async function test(name, fn) {
  const t = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: e });
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}
function near(actual, expected, rel, what) {
  assert(
    Number.isFinite(actual) && Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what}: shown ${actual}, expected ${expected} (±${rel * 100}%)`
  );
}
function sameSet(actual, expected, what) {
  const a = [...actual].sort();
  const b = [...expected].sort();
  assert(
    JSON.stringify(a) === JSON.stringify(b),
    `${what}: shown ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`
  );
}

async function main() {
  mkdirSync(artifacts, { recursive: true });
  if (!args.includes('--no-build')) {
    process.stdout.write('building plugin and harness page… ');
    buildPlugin();
    await buildHarness();
    console.log('done');
  }
  const { startPrometheus } = await import(join(repoRoot, 'tests/harness/prometheus.mjs'));
  const prom = await startPrometheus();
  const expected = prom.expected;
  const server = await startServer({
    prometheusUrl: prom.url,
    pluginDist: join(pluginDir, 'dist'),
    refusedUrl: await freeUrl(),
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const pageErrors = [];
  async function open(query, { mode = 'ok', config } = {}) {
    server.setMode(mode);
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    const page = await context.newPage();
    page.on('pageerror', e => pageErrors.push(`${query}: ${e.message}`));
    const q = new URLSearchParams(query);
    if (config) q.set('config', JSON.stringify(config));
    await page.goto(`${server.url}/c/test/harness?${q}`);
    await page.waitForFunction(
      () => document.getElementById('harness-status')?.textContent !== 'loading',
      null,
      { timeout: TIMEOUT }
    );
    const harnessStatus = await page.textContent('#harness-status');
    assert(harnessStatus === 'rendered', `harness page: ${harnessStatus}`);
    return { page, close: () => context.close() };
  }
  const pod = (ns, name) => ({ kind: 'Pod', namespace: ns, name });
  const attr = (page, sel, name) => page.getAttribute(sel, name, { timeout: TIMEOUT });
  async function cardValue(page, id) {
    const sel = `[data-testid="kubeprom-card-${id}"]`;
    await page.waitForSelector(`${sel}[data-value]:not([data-value=""])`, { timeout: TIMEOUT });
    return {
      value: Number(await attr(page, sel, 'data-value')),
      text: await page.textContent(`${sel} [data-testid="kubeprom-card-${id}-text"]`),
    };
  }
  async function tablePods(page, testId) {
    await page.waitForSelector(`[data-testid="${testId}-pod"]`, { timeout: TIMEOUT });
    return page.$$eval(`[data-testid="${testId}-pod"]`, els =>
      els.map(e => e.getAttribute('data-pod'))
    );
  }
  async function errorText(page) {
    await page.waitForSelector('[data-testid="kubeprom-error"]', { timeout: TIMEOUT });
    const spinners = await page.$$('[data-testid="kubeprom-loading"]');
    assert(spinners.length === 0, `${spinners.length} spinner(s) still shown next to the error`);
    return (
      await page.$$eval('[data-testid="kubeprom-error"]', els => els.map(e => e.textContent))
    ).join('\n');
  }

  try {
    await test('pod web-7d4b9c-abcde: memory card is the sum of its two containers', async () => {
      const p = expected.pods['shop/web-7d4b9c-abcde'];
      const sum = Object.values(p.containers).reduce((s, c) => s + c.memory, 0);
      assert(Object.keys(p.containers).length === 2, 'dataset: the pod should have two containers');
      assert(sum === p.memoryWorkingSet, 'dataset: container sum differs from pod working set');
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'));
      const mem = await cardValue(page, 'memory');
      near(mem.value, sum / MiB, 1e-9, 'memory MiB');
      assert(
        mem.text === `${sum / MiB} MiB`,
        `memory text "${mem.text}", expected "${sum / MiB} MiB"`
      );
      const cpu = await cardValue(page, 'cpu');
      near(cpu.value, p.cpu * 1000, 0.02, 'CPU millicores');
      const restarts = await cardValue(page, 'restarts');
      assert(restarts.value === p.restarts, `restarts ${restarts.value}, expected ${p.restarts}`);
      for (const chart of ['cpu', 'memory', 'network', 'disk', 'restarts']) {
        // A flat line has an empty bounding box, so wait for the path to exist, not to be visible.
        const sel = `[data-testid="kubeprom-chart-${chart}"] path.recharts-line-curve`;
        await page.waitForSelector(sel, { state: 'attached', timeout: TIMEOUT });
        const d = await page.getAttribute(sel, 'd');
        assert(d && d.length > 10, `${chart} chart has no line`);
      }
      const endpoint = await page.textContent('[data-testid="kubeprom-endpoint"]');
      assert(
        endpoint.includes('monitoring/prometheus-k8s:9090') && endpoint.includes('detected'),
        `endpoint caption: ${endpoint}`
      );
      await page.screenshot({ path: join(artifacts, 'pod-web-7d4b9c-abcde.png'), fullPage: true });
      await close();
    });

    await test('pod db-0: restarts and last termination reason', async () => {
      const p = expected.pods['shop/db-0'];
      const { page, close } = await open(pod('shop', 'db-0'));
      const restarts = await cardValue(page, 'restarts');
      assert(restarts.value === p.restarts, `restarts ${restarts.value}, expected ${p.restarts}`);
      const reasons = Object.keys(p.lastTerminatedReason);
      assert(reasons.length > 0, 'dataset: db-0 should have a termination reason');
      const text = await page.textContent('[data-testid="kubeprom-card-reason-text"]');
      for (const r of reasons) assert(text.includes(r), `reason card "${text}" lacks ${r}`);
      await close();
    });

    await test('Deployment web: the table lists exactly its pods (not web-api-*), one chart line each', async () => {
      const want = expected.workloads['shop/Deployment/web'];
      const { page, close } = await open({ kind: 'Deployment', namespace: 'shop', name: 'web' });
      const shown = await tablePods(page, 'kubeprom-workload-table');
      sameSet(shown, want, 'Deployment web pods');
      await page.waitForSelector('[data-testid="kubeprom-chart-memory"] .recharts-legend-item', {
        timeout: TIMEOUT,
      });
      const legend = await page.$$eval(
        '[data-testid="kubeprom-chart-memory"] .recharts-legend-item',
        els => els.map(e => e.textContent)
      );
      sameSet(legend, want, 'memory chart lines');
      await page.screenshot({ path: join(artifacts, 'deployment-web.png'), fullPage: true });
      await close();
    });

    await test('CronJob nightly: finds its pod through its Job', async () => {
      const { page, close } = await open({ kind: 'CronJob', namespace: 'batch', name: 'nightly' });
      sameSet(
        await tablePods(page, 'kubeprom-workload-table'),
        expected.workloads['batch/CronJob/nightly'],
        'CronJob pods'
      );
      await close();
    });

    await test('DaemonSet node-agent: both pods', async () => {
      const { page, close } = await open({
        kind: 'DaemonSet',
        namespace: 'batch',
        name: 'node-agent',
      });
      sameSet(
        await tablePods(page, 'kubeprom-workload-table'),
        expected.workloads['batch/DaemonSet/node-agent'],
        'DaemonSet pods'
      );
      await close();
    });

    await test('Namespace shop: top pods by memory in order', async () => {
      const want = Object.values(expected.pods)
        .filter(p => p.namespace === 'shop')
        .sort((a, b) => b.memoryWorkingSet - a.memoryWorkingSet || a.pod.localeCompare(b.pod))
        .map(p => p.pod);
      const { page, close } = await open({ kind: 'Namespace', name: 'shop' });
      const shown = await tablePods(page, 'kubeprom-top-memory');
      assert(
        JSON.stringify(shown) === JSON.stringify(want),
        `top memory ${JSON.stringify(shown)}, expected ${JSON.stringify(want)}`
      );
      await page.screenshot({ path: join(artifacts, 'namespace-shop.png'), fullPage: true });
      await close();
    });

    await test('Pod list: CPU and memory columns from one load per namespace, sortable numbers', async () => {
      const ids = ['shop/web-7d4b9c-abcde', 'shop/db-0', 'batch/nightly-29000000-q8x7z'];
      const before = server.queries.length;
      const { page, close } = await open({ pods: ids.join(',') });
      await page.waitForFunction(
        n =>
          document.querySelectorAll(
            '[data-testid="kubeprom-col-memory"][data-value]:not([data-value=""])'
          ).length === n,
        ids.length,
        { timeout: TIMEOUT }
      );
      const cells = await page.$$eval('[data-testid^="kubeprom-col-"]', els =>
        els.map(e => [
          e.getAttribute('data-testid'),
          e.getAttribute('data-pod'),
          Number(e.getAttribute('data-value')),
        ])
      );
      for (const id of ids) {
        const p = expected.pods[id];
        const mem = cells.find(c => c[0] === 'kubeprom-col-memory' && c[1] === p.pod)[2];
        const cpu = cells.find(c => c[0] === 'kubeprom-col-cpu' && c[1] === p.pod)[2];
        near(mem, p.memoryWorkingSet / MiB, 1e-9, `${id} memory column`);
        near(cpu, p.cpu * 1000, 0.02, `${id} CPU column`);
      }
      // Sorting by the column orders by number (250 < 512 < 1024), not by text.
      const byMemory = ids
        .map(id => expected.pods[id])
        .sort((a, b) => a.memoryWorkingSet - b.memoryWorkingSet);
      await page.click('text=Memory (Prometheus)');
      const order = async () =>
        page.$$eval('[data-testid="kubeprom-col-memory"]', els =>
          els.map(e => e.getAttribute('data-pod'))
        );
      let shown = await order();
      const asc = byMemory.map(p => p.pod);
      const desc = [...asc].reverse();
      if (JSON.stringify(shown) !== JSON.stringify(asc)) {
        await page.click('text=Memory (Prometheus)');
        shown = await order();
      }
      assert(
        JSON.stringify(shown) === JSON.stringify(asc) ||
          JSON.stringify(shown) === JSON.stringify(desc),
        `sorted by memory: ${JSON.stringify(shown)}, expected ${JSON.stringify(asc)} or reversed`
      );
      // Two namespaces, two queries (CPU and memory) each, whatever the number of cells.
      const usageQueries = server.queries.slice(before).filter(q => !q.startsWith('min by'));
      assert(
        usageQueries.length === 4,
        `${usageQueries.length} usage queries: ${usageQueries.join('\n')}`
      );
      await page.screenshot({ path: join(artifacts, 'pod-list.png'), fullPage: true });
      await close();
    });

    await test('Cluster page: operator health and Kueue queues match the dataset', async () => {
      const ids = {
        'kuberay-operator': 'kuberay',
        'kueue-controller-manager-metrics-service': 'kueue',
        'spark-operator': 'spark-operator',
      };
      const { page, close } = await open({ route: '/kubeprom' });
      for (const [job, id] of Object.entries(ids)) {
        const up = expected.up[job];
        const controllers = Object.entries(expected.operators[job] ?? {});
        const want = up.every(v => v === 0)
          ? 'down'
          : controllers.some(([, c]) => c.error > 0)
          ? 'degraded'
          : 'healthy';
        const sel = `[data-testid="kubeprom-operator-${id}"]`;
        await page.waitForSelector(sel, { timeout: TIMEOUT });
        const state = await page.getAttribute(sel, 'data-state');
        const reason = await page.textContent(
          `${sel} [data-testid="kubeprom-operator-${id}-reason"]`
        );
        assert(state === want, `${id}: state ${state}, expected ${want} (${reason})`);
        for (const [name, c] of controllers) {
          if (c.error > 0)
            assert(reason.includes(name), `${id}: reason "${reason}" does not name ${name}`);
        }
      }
      await page.waitForSelector('[data-testid="kubeprom-kueue-cq"]', { timeout: TIMEOUT });
      const rows = await page.$$eval('[data-testid="kubeprom-kueue"] tbody tr', trs =>
        trs.map(tr => ({
          cq: tr.querySelector('[data-testid="kubeprom-kueue-cq"]')?.getAttribute('data-cq'),
          active: Number(
            tr.querySelector('[data-testid="kubeprom-kueue-active"]')?.getAttribute('data-value')
          ),
          wait: Number(
            tr.querySelector('[data-testid="kubeprom-kueue-wait"]')?.getAttribute('data-value')
          ),
        }))
      );
      sameSet(
        rows.map(r => r.cq),
        Object.keys(expected.kueue.pending),
        'cluster queues'
      );
      for (const r of rows) {
        assert(r.active === expected.kueue.pending[r.cq].active, `${r.cq} active ${r.active}`);
        near(r.wait, expected.kueue.admissionWait[r.cq].p95, 0.01, `${r.cq} admission wait p95`);
      }
      await page.screenshot({ path: join(artifacts, 'cluster-page.png'), fullPage: true });
      await close();
    });

    await test('Kueue ClusterQueue and LocalQueue details show their cluster queue only', async () => {
      const cq = Object.keys(expected.kueue.pending).sort()[0];
      for (const q of [
        { kind: 'ClusterQueue', name: cq },
        {
          kind: 'LocalQueue',
          namespace: 'ml',
          name: 'user-queue',
          spec: JSON.stringify({ clusterQueue: cq }),
        },
      ]) {
        const { page, close } = await open(q);
        await page.waitForSelector('[data-testid="kubeprom-kueue-cq"]', { timeout: TIMEOUT });
        const shown = await page.$$eval('[data-testid="kubeprom-kueue-cq"]', els =>
          els.map(e => e.getAttribute('data-cq'))
        );
        sameSet(shown, [cq], `${q.kind} queues`);
        await close();
      }
    });

    await test('Operator Deployment shows its health card', async () => {
      const { page, close } = await open({
        kind: 'Deployment',
        namespace: 'spark-operator',
        name: 'spark-operator-controller',
      });
      const sel = '[data-testid="kubeprom-operator-spark-operator"]';
      await page.waitForSelector(sel, { timeout: TIMEOUT });
      assert(
        (await page.getAttribute(sel, 'data-state')) === 'down',
        'spark operator should be down'
      );
      await close();
    });

    await test('Prometheus outage (503 from the service proxy) shows the error', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), { mode: 'unavailable' });
      const text = await errorText(page);
      assert(
        text.includes('503') && text.includes('no endpoints available'),
        `error text: ${text}`
      );
      await page.screenshot({ path: join(artifacts, 'outage-503.png'), fullPage: true });
      await close();
    });

    await test('Prometheus going away while the page is open: the next load shows the error, Retry recovers', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'));
      await cardValue(page, 'memory');
      server.setMode('unavailable');
      await page.click('[data-testid="kubeprom-range-6h"]');
      const text = await errorText(page);
      assert(
        text.includes('503') && text.includes('no endpoints available'),
        `error text: ${text}`
      );
      assert(
        (await page.$$('[data-testid="kubeprom-chart-memory"]')).length === 0,
        'stale chart still shown'
      );
      server.setMode('ok');
      await page.click('[data-testid="kubeprom-error"] button');
      await page.waitForSelector('[data-testid="kubeprom-chart-memory"] path.recharts-line-curve', {
        state: 'attached',
        timeout: TIMEOUT,
      });
      await close();
    });

    await test('Prometheus refusing connections shows the error', async () => {
      // Detection succeeds (the service exists) only if the probe answers, so configure the
      // address to test the query path itself.
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        mode: 'refused',
        config: { test: { address: 'monitoring/prometheus-k8s:9090' } },
      });
      const text = await errorText(page);
      assert(text.includes('connection refused'), `error text: ${text}`);
      await page.screenshot({ path: join(artifacts, 'outage-refused.png'), fullPage: true });
      await close();
    });

    await test('A full URL nobody listens on gives a network error', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        config: { test: { address: await freeUrl() } },
      });
      const text = await errorText(page);
      assert(text.includes('network'), `error text: ${text}`);
      await close();
    });

    await test('403 on services/proxy explains the missing RBAC rule', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        mode: 'forbidden',
        config: { test: { address: 'monitoring/prometheus-k8s:9090' } },
      });
      const text = await errorText(page);
      assert(
        text.includes('403') && text.includes('services/proxy') && /\bget\b/.test(text),
        `error text: ${text}`
      );
      await close();
    });

    await test('No Prometheus in the cluster: says what was tried', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        mode: 'no-prometheus',
      });
      const text = await errorText(page);
      assert(
        text.includes('No Prometheus found') && text.includes('headlamp-prometheus=true'),
        `error text: ${text}`
      );
      await page.screenshot({ path: join(artifacts, 'not-found.png'), fullPage: true });
      await close();
    });

    await test('Sub-path endpoint from the settings (vmselect style)', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        config: { test: { address: 'vm/vmselect:8481/select/0/prometheus' } },
      });
      const mem = await cardValue(page, 'memory');
      near(
        mem.value,
        expected.pods['shop/web-7d4b9c-abcde'].memoryWorkingSet / MiB,
        1e-9,
        'memory MiB'
      );
      const endpoint = await page.textContent('[data-testid="kubeprom-endpoint"]');
      assert(endpoint.includes('plugin settings'), `endpoint caption: ${endpoint}`);
      await close();
    });

    await test('Settings page shows the endpoint in use and how it was found', async () => {
      const { page, close } = await open({ settings: '1' });
      await page.waitForSelector('[data-testid="kubeprom-settings-inuse"]', { timeout: TIMEOUT });
      await page.waitForFunction(
        () =>
          document
            .querySelector('[data-testid="kubeprom-settings-inuse"]')
            ?.textContent?.includes('detected'),
        null,
        { timeout: TIMEOUT }
      );
      await page.screenshot({ path: join(artifacts, 'settings.png'), fullPage: true });
      await close();
    });

    await test('main.js carries the WebAssembly module exactly once', async () => {
      const main = readFileSync(join(pluginDir, 'dist/main.js'), 'utf8');
      const copies = main.split('data:application/wasm;base64,').length - 1;
      assert(copies === 1, `${copies} inlined copies of the .wasm`);
    });

    await test('No query selects pods by a name pattern', async () => {
      assert(server.queries.length > 0, 'no queries were proxied');
      const bad = server.queries.filter(q => /pod\s*=~/.test(q));
      assert(bad.length === 0, `queries with pod=~: ${bad.join('\n')}`);
    });

    await test('No uncaught errors on the pages', async () => {
      assert(pageErrors.length === 0, pageErrors.join('\n'));
    });
  } finally {
    if (!args.includes('--keep-open')) {
      await browser.close();
      await server.close();
      await prom.stop();
    }
  }
}

try {
  await main();
} catch (e) {
  results.push({ name: 'setup', ok: false, error: e });
  console.log(`FAIL setup: ${e?.stack ?? e}`);
}
const passed = results.filter(r => r.ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
