#!/usr/bin/env node
/*
 * Real-browser test of the built plugin: headless Debian Chromium (playwright-core) renders the
 * plugin's sections on the harness page, which talks to the test harness's real Prometheus
 * through a local stand-in for Headlamp's backend and the Kubernetes service proxy.
 *
 *   node test/browser/run.mjs [--no-build] [--keep-open]
 *
 * Expected values come from tests/.work/expected.json (written by the dataset generator).
 * Screenshots go to test-artifacts/. The texts the DOM shows for the values both plugins show
 * go to <repo>/target/plugin-texts/headlamp.json for tests/scripts/plugin-texts.mjs to compare
 * with the Grafana panel's. Prints "N passed, N failed" last; exits 1 on failure.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
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
const textsFile = join(repoRoot, 'target/plugin-texts/headlamp.json');

/**
 * Texts read from the rendered DOM, by value: `pod/<namespace>/<pod>/memory|cpu`,
 * `queue/<clusterQueue>/pending[/<status>]`, `queue/<clusterQueue>/wait`. Never computed here.
 */
const shown = {};
function record(key, text) {
  assert(typeof text === 'string' && text !== '', `${key}: no text shown`);
  assert(!(key in shown) || shown[key] === text, `${key}: "${shown[key]}", then "${text}"`);
  shown[key] = text;
}
/** Sorted keys, one file per run: the same DOM writes the same bytes. */
function writeTexts() {
  const texts = Object.fromEntries(
    Object.keys(shown)
      .sort()
      .map(k => [k, shown[k]])
  );
  mkdirSync(dirname(textsFile), { recursive: true });
  writeFileSync(textsFile, JSON.stringify({ plugin: 'headlamp', texts }, null, 2) + '\n');
}

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
  const history = await startPrometheus({ dataset: 'history' });
  const server = await startServer({
    prometheusUrl: prom.url,
    historyUrl: history.url,
    pluginDist: join(pluginDir, 'dist'),
    refusedUrl: await freeUrl(),
    pods: expected.pods,
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
  async function open(query, { mode = 'ok', config, options } = {}) {
    server.setMode(mode, options);
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
  /**
   * Every Y-axis tick label of every chart on the page sits on one line, inside its chart:
   * Recharts wraps a label wider than the axis, and the wrapped top label is clipped.
   */
  async function yTicksFit(page) {
    // ResponsiveContainer lays a chart out after measuring it: wait until every chart has ticks.
    await page.waitForFunction(
      () =>
        [
          ...document.querySelectorAll(
            '[data-testid^="kubeprom-chart-"] .recharts-responsive-container'
          ),
        ].every(c => c.querySelector('.recharts-yAxis text.recharts-cartesian-axis-tick-value')),
      null,
      { timeout: TIMEOUT }
    );
    const problems = await page.$$eval(
      '[data-testid^="kubeprom-chart-"] svg.recharts-surface',
      svgs =>
        svgs.flatMap(svg => {
          const box = svg.getBoundingClientRect();
          const chart = svg.closest('[data-testid^="kubeprom-chart-"]').dataset.testid;
          return [
            ...svg.querySelectorAll('.recharts-yAxis text.recharts-cartesian-axis-tick-value'),
          ].flatMap(t => {
            const r = t.getBoundingClientRect();
            const lines = t.querySelectorAll('tspan').length;
            const out = [];
            if (lines !== 1) out.push(`${chart}: "${t.textContent}" on ${lines} lines`);
            if (r.left < box.left - 0.5 || r.top < box.top - 0.5)
              out.push(`${chart}: "${t.textContent}" cut off`);
            return out;
          });
        })
    );
    const ticks = await page.$$(
      '[data-testid^="kubeprom-chart-"] .recharts-yAxis text.recharts-cartesian-axis-tick-value'
    );
    assert(ticks.length > 0, 'no Y-axis ticks on the page');
    assert(problems.length === 0, problems.join('; '));
  }
  const attr = (page, sel, name) => page.getAttribute(sel, name, { timeout: TIMEOUT });
  async function cardValue(page, id) {
    const sel = `[data-testid="kubeprom-card-${id}"]`;
    await page.waitForSelector(`${sel}[data-value]:not([data-value=""])`, { timeout: TIMEOUT });
    return {
      value: Number(await attr(page, sel, 'data-value')),
      text: await page.textContent(`${sel} [data-testid="kubeprom-card-${id}-text"]`),
    };
  }
  /** The pods a table lists; each pod's name must fit on one line at the page's width. */
  async function tablePods(page, testId) {
    await page.waitForSelector(`[data-testid="${testId}-pod"]`, { timeout: TIMEOUT });
    const pods = await page.$$eval(`[data-testid="${testId}-pod"]`, els =>
      els.map(e => {
        const style = getComputedStyle(e);
        const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
        return { pod: e.getAttribute('data-pod'), lines: e.getBoundingClientRect().height / line };
      })
    );
    const broken = pods.filter(p => p.lines > 1.5).map(p => p.pod);
    assert(broken.length === 0, `${testId}: pod names broken over lines: ${broken.join(', ')}`);
    return pods.map(p => p.pod);
  }
  /** metrics-server stand-in: card values equal the dataset's container sums, the note names the reason. */
  async function fallbackCards(page, id, reasonPattern) {
    const p = expected.pods[id];
    const containers = Object.values(p.containers);
    const memory = containers.reduce((s, c) => s + c.memory, 0) / MiB;
    const cpu = containers.reduce((s, c) => s + c.cpu, 0) * 1000;
    await page.waitForSelector('[data-testid="kubeprom-fallback-note"]', { timeout: TIMEOUT });
    const note = await page.textContent('[data-testid="kubeprom-fallback-note"]');
    assert(
      note.includes('from metrics-server (Prometheus unreachable: ') && reasonPattern.test(note),
      `fallback note: ${note}`
    );
    near((await cardValue(page, 'memory')).value, memory, 1e-9, `${id} memory from metrics-server`);
    near((await cardValue(page, 'cpu')).value, cpu, 1e-9, `${id} CPU from metrics-server`);
    return note;
  }
  async function errorText(page) {
    await page.waitForSelector('[data-testid="kubeprom-error"]', { timeout: TIMEOUT });
    // Nothing spins forever next to an error (a metrics-server stand-in may still be loading).
    await page
      .waitForFunction(() => !document.querySelector('[data-testid="kubeprom-loading"]'), null, {
        timeout: TIMEOUT,
      })
      .catch(() => {
        throw new Error('a spinner is still shown next to the error');
      });
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
        endpoint.includes('monitoring/prometheus-k8s:9090') && endpoint.includes('found by label'),
        `endpoint caption: ${endpoint}`
      );
      assert(
        (await page.$$('[data-testid="kubeprom-fallback-note"]')).length === 0,
        'metrics-server note shown while Prometheus answers'
      );
      await yTicksFit(page);
      await page.waitForSelector('[data-testid="kubeprom-crosscheck"]', { timeout: TIMEOUT });
      assert(
        (await attr(page, '[data-testid="kubeprom-crosscheck"]', 'data-agree')) === 'true',
        `Prometheus and metrics-server disagree: ${await page.textContent(
          '[data-testid="kubeprom-crosscheck"]'
        )}`
      );
      await page.screenshot({ path: join(artifacts, 'pod-web-7d4b9c-abcde.png'), fullPage: true });
      await close();
    });

    await test('pod web-7d4b9c-abcde with metrics-server at half: the disagreement, both numbers and the double count', async () => {
      const p = expected.pods['shop/web-7d4b9c-abcde'];
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        options: { metricsServerScale: 0.5 },
      });
      const sel = '[data-testid="kubeprom-crosscheck"][data-agree="false"]';
      await page.waitForSelector(sel, { timeout: TIMEOUT });
      const text = await page.textContent(sel);
      const mem = p.memoryWorkingSet / MiB;
      for (const part of [
        `memory: Prometheus ${mem} MiB, metrics-server ${mem / 2} MiB`,
        `CPU: Prometheus ${p.cpu * 1000}m, metrics-server ${(p.cpu * 1000) / 2}m`,
        "Prometheus shows about twice metrics-server's memory",
        "Prometheus shows about twice metrics-server's CPU",
      ])
        assert(text.includes(part), `"${part}" not in: ${text}`);
      await page.screenshot({
        path: join(artifacts, 'pod-crosscheck-disagree.png'),
        fullPage: true,
      });
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
      assert(
        (await page.getAttribute('[data-testid="kubeprom-chart-memory"]', 'data-stacked')) ===
          'false' && (await page.$$('.recharts-area')).length === 0,
        'areas stacked without being asked'
      );
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

    await test('Job nightly-29000000: finds its pod by ownership', async () => {
      const want = Object.values(expected.pods)
        .filter(p => p.owner.kind === 'Job' && p.owner.name === 'nightly-29000000')
        .map(p => p.pod);
      assert(want.length > 0, 'dataset: the Job should own a pod');
      const { page, close } = await open({
        kind: 'Job',
        namespace: 'batch',
        name: 'nightly-29000000',
      });
      sameSet(await tablePods(page, 'kubeprom-workload-table'), want, 'Job pods');
      await close();
    });

    await test('Deployment rs/api right-sizing: the recommendations of 15 days of history, with kubectl commands', async () => {
      const want = history.expected.workloads['Deployment/api'];
      const { page, close } = await open(
        { kind: 'Deployment', namespace: 'rs', name: 'api' },
        { mode: 'history' }
      );
      await page.waitForSelector('[data-testid="kubeprom-rightsizing-container"]', {
        timeout: TIMEOUT,
      });
      const rows = await page.$$eval('[data-testid="kubeprom-rightsizing"] tbody tr', trs =>
        trs.map(tr => {
          const cell = id => tr.querySelector(`[data-testid="kubeprom-rightsizing-${id}"]`);
          return {
            container: cell('container')?.getAttribute('data-container'),
            status: cell('status')?.getAttribute('data-status'),
            cpu: cell('cpu')?.getAttribute('data-quantity'),
            memory: cell('memory')?.getAttribute('data-quantity'),
            memoryLimit: cell('memory-limit')?.getAttribute('data-quantity'),
            cpuText: cell('cpu')?.textContent,
          };
        })
      );
      sameSet(
        rows.map(r => r.container),
        Object.keys(want),
        'right-sizing containers'
      );
      for (const r of rows) {
        const w = want[r.container].recommended;
        assert(r.cpu === w.cpuRequest, `${r.container} CPU ${r.cpu}, expected ${w.cpuRequest}`);
        assert(r.memory === w.memory, `${r.container} memory ${r.memory}, expected ${w.memory}`);
        assert(r.memoryLimit === w.memory, `${r.container} memory limit ${r.memoryLimit}`);
      }
      const status = Object.fromEntries(rows.map(r => [r.container, r.status]));
      assert(status.app === 'under-provisioned', `app ${status.app}`);
      assert(status.proxy === 'fine', `proxy ${status.proxy}`);
      const app = rows.find(r => r.container === 'app');
      assert(app.cpuText === '1000m → 500m', `app CPU shown as "${app.cpuText}"`);
      const commands = await page.$$eval('[data-testid="kubeprom-rightsizing-kubectl"]', els =>
        els.map(e => e.textContent)
      );
      assert(
        commands.includes(
          'kubectl set resources deployment/api -n rs -c app --requests=cpu=500m,memory=816Mi --limits=memory=816Mi'
        ),
        `commands: ${JSON.stringify(commands)}`
      );
      await page.screenshot({
        path: join(artifacts, 'deployment-api-rightsizing.png'),
        fullPage: true,
      });
      await close();
    });

    await test("Namespace rs right-sizing: every workload's containers, linked, with the recommendations of 15 days", async () => {
      const want = history.expected.workloads;
      const namespace = history.expected.namespace;
      assert(namespace === 'rs', `dataset: namespace ${namespace}`);
      // "Deployment/api" + "app": the core's order is workload name, kind, container name.
      const expectedRows = Object.entries(want)
        .flatMap(([id, containers]) => {
          const [kind, name] = id.split('/');
          return Object.keys(containers).map(container => ({ id, kind, name, container }));
        })
        .sort((a, b) =>
          a.name !== b.name
            ? a.name < b.name
              ? -1
              : 1
            : a.kind !== b.kind
            ? a.kind < b.kind
              ? -1
              : 1
            : a.container < b.container
            ? -1
            : a.container > b.container
            ? 1
            : 0
        );
      const { page, close } = await open(
        { kind: 'Namespace', name: namespace },
        { mode: 'history' }
      );
      await page.waitForSelector('[data-testid="kubeprom-rightsizing-workload"]', {
        timeout: TIMEOUT,
      });
      const readRows = () =>
        page.$$eval('[data-testid="kubeprom-rightsizing"] tbody tr', trs =>
          trs.map(tr => {
            const cell = id => tr.querySelector(`[data-testid="kubeprom-rightsizing-${id}"]`);
            const lines = e => {
              const style = getComputedStyle(e);
              const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
              return e.getBoundingClientRect().height / line;
            };
            const shown = ['workload', 'container', 'cpu', 'memory', 'memory-limit'].map(cell);
            return {
              workload: cell('workload')?.getAttribute('data-workload'),
              href: cell('workload')?.querySelector('a')?.getAttribute('href'),
              workloadText: cell('workload')?.textContent,
              container: cell('container')?.getAttribute('data-container'),
              status: cell('status')?.getAttribute('data-status'),
              statusText: cell('status')?.textContent,
              cpu: cell('cpu')?.getAttribute('data-quantity'),
              memory: cell('memory')?.getAttribute('data-quantity'),
              memoryLimit: cell('memory-limit')?.getAttribute('data-quantity'),
              command: cell('copy')?.getAttribute('data-command') ?? null,
              text: tr.textContent,
              broken: shown.filter(e => e && lines(e) > 1.5).map(e => e.textContent),
            };
          })
        );
      const rows = await readRows();
      assert(
        JSON.stringify(rows.map(r => `${r.workload} ${r.container}`)) ===
          JSON.stringify(expectedRows.map(r => `${r.id} ${r.container}`)),
        `rows ${JSON.stringify(rows.map(r => `${r.workload} ${r.container}`))}`
      );
      // The commands as the page lists them, under the table.
      await page.click('[data-testid="kubeprom-rightsizing"] details summary');
      const listed = await page.$$eval(
        '[data-testid="kubeprom-rightsizing"] details [data-testid="kubeprom-rightsizing-kubectl"]',
        els => els.map(e => e.innerText)
      );
      rows.forEach((r, i) => {
        const { id, kind, name, container } = expectedRows[i];
        const w = want[id][container];
        const what = `${id} ${container}`;
        assert(
          r.href === `/c/test/${kind.toLowerCase()}s/${namespace}/${name}` &&
            r.workloadText === `${name} ${kind}`,
          `${what}: workload shown as "${r.workloadText}", linked to ${r.href}`
        );
        assert(r.broken.length === 0, `${what}: broken over lines: ${r.broken.join(', ')}`);
        if (!w.enoughHistory) {
          assert(
            r.status === 'not-enough-data' && r.statusText === 'Not enough data',
            `${what}: status ${r.status} "${r.statusText}"`
          );
          assert(
            !r.cpu && !r.memory && !r.memoryLimit,
            `${what}: a recommendation without history`
          );
          assert(r.command === null && r.text.endsWith('—'), `${what}: a command without history`);
          return;
        }
        const { cpuRequest, memory } = w.recommended;
        assert(r.status !== 'not-enough-data', `${what}: not enough data`);
        assert(r.cpu === cpuRequest, `${what}: CPU ${r.cpu}, expected ${cpuRequest}`);
        assert(r.memory === memory && r.memoryLimit === memory, `${what}: memory ${r.memory}`);
        const command =
          `kubectl set resources ${kind.toLowerCase()}/${name} -n ${namespace} -c ${container}` +
          ` --requests=cpu=${cpuRequest},memory=${memory} --limits=memory=${memory}`;
        assert(r.command === command, `${what}: copies "${r.command}", expected "${command}"`);
        assert(listed.includes(command), `${what}: "${command}" not in ${JSON.stringify(listed)}`);
      });
      assert(listed.length === rows.filter(r => r.command).length, `${listed.length} commands`);
      // The same numbers as the workload's own section (checked above for Deployment/api).
      const api = rows.find(r => r.workload === 'Deployment/api' && r.container === 'app');
      assert(api.status === 'under-provisioned', `api app ${api.status}`);
      assert(api.text.includes('1000m → 500m'), `api app row: ${api.text}`);
      // Nothing cut off on the right: Headlamp's table hides what its columns overflow.
      const [visible, needed] = await page.$eval(
        '[data-testid="kubeprom-rightsizing"] .MuiTableContainer-root',
        e => [e.clientWidth, e.scrollWidth]
      );
      assert(needed <= visible, `the table needs ${needed} px, shows ${visible} px`);
      const summary = await page.textContent('[data-testid="kubeprom-rightsizing-summary"]');
      const workloads = Object.keys(want).length;
      assert(
        summary.startsWith(`${expectedRows.length} containers of ${workloads} workloads: `),
        `summary: ${summary}`
      );
      await page.screenshot({
        path: join(artifacts, 'namespace-rs-rightsizing.png'),
        fullPage: true,
      });
      // Only the containers to change: neither the fine nor those without enough history.
      await page.click('input[aria-label="Only containers to change"]');
      await page.waitForFunction(
        n =>
          document.querySelectorAll(
            '[data-testid="kubeprom-rightsizing"] tbody [data-testid="kubeprom-rightsizing-workload"]'
          ).length === n,
        rows.filter(r => r.status.endsWith('-provisioned')).length,
        { timeout: TIMEOUT }
      );
      const changing = await readRows();
      sameSet(
        changing.map(r => `${r.workload} ${r.container}`),
        rows
          .filter(r => r.status.endsWith('-provisioned'))
          .map(r => `${r.workload} ${r.container}`),
        'containers to change'
      );
      await close();
    });

    await test('Namespace of no workloads: right-sizing says there is nothing, never a blank box', async () => {
      const { page, close } = await open({ kind: 'Namespace', name: 'empty' }, { mode: 'history' });
      await page.waitForSelector('[data-testid="kubeprom-rightsizing"]', { timeout: TIMEOUT });
      const text = await page.textContent('[data-testid="kubeprom-rightsizing"]');
      assert(
        text.includes("Prometheus has no usage for the pods of this namespace's workloads."),
        `right-sizing of no workloads: ${text}`
      );
      assert(
        (await page.$$('[data-testid="kubeprom-rightsizing-summary"]')).length === 0,
        'a summary of no containers'
      );
      await close();
    });

    await test("Deployment web with custom metrics from the settings: a chart each, one line per pod, the core's query", async () => {
      const want = expected.workloads['shop/Deployment/web'];
      const customMetrics = [
        {
          title: 'Orders queued',
          series: 'orders_queue_depth',
          unit: 'count',
          kind: 'gauge',
          matchers: 'job=shop/web',
        },
        {
          title: 'Orders processed',
          series: 'orders_processed_total',
          unit: 'ops/s',
          kind: 'rate',
        },
        { title: 'Unfinished', series: 'orders_queue_depth', unit: 'count' },
      ];
      const { page, close } = await open(
        { kind: 'Deployment', namespace: 'shop', name: 'web' },
        { config: { test: { customMetrics } } }
      );
      for (const [id, title] of [
        ['custom-0', 'Orders queued'],
        ['custom-1', 'Orders processed'],
      ]) {
        const sel = `[data-testid="kubeprom-chart-${id}"]`;
        await page.waitForSelector(`${sel} .recharts-legend-item`, { timeout: TIMEOUT });
        const legend = await page.$$eval(`${sel} .recharts-legend-item`, els =>
          els.map(e => e.textContent)
        );
        sameSet(legend, want, `${title} chart lines`);
        assert(
          (await page.textContent(`${sel} h6, ${sel} .MuiTypography-subtitle2`)).includes(title),
          `${id} title`
        );
        await page.waitForSelector(`${sel} path.recharts-line-curve`, {
          state: 'attached',
          timeout: TIMEOUT,
        });
      }
      // The incomplete definition is not charted.
      assert(
        (await page.$$('[data-testid="kubeprom-chart-custom-2"]')).length === 0,
        'incomplete metric charted'
      );
      const queries = await page.$$eval('pre', els => els.map(e => e.textContent));
      assert(
        queries.some(
          q =>
            q.includes('max without (instance, job, service, endpoint') &&
            q.includes('orders_queue_depth{job="shop/web", namespace="shop"}')
        ),
        `no custom query among ${queries.length} queries`
      );
      await page.screenshot({
        path: join(artifacts, 'deployment-web-custom-metrics.png'),
        fullPage: true,
      });
      await close();
    });

    await test('Deployment web with the stacking setting: stacked areas, one per pod', async () => {
      const want = expected.workloads['shop/Deployment/web'];
      const { page, close } = await open(
        { kind: 'Deployment', namespace: 'shop', name: 'web' },
        { config: { test: { stacked: true } } }
      );
      const sel = '[data-testid="kubeprom-chart-memory"][data-stacked="true"]';
      await page.waitForSelector(`${sel} .recharts-area`, { state: 'attached', timeout: TIMEOUT });
      const areas = await page.$$(`${sel} .recharts-area`);
      assert(areas.length === want.length, `${areas.length} areas, expected ${want.length}`);
      await close();
    });

    await test('StatefulSet db: its pod, with restarts and the termination reason', async () => {
      const { page, close } = await open({ kind: 'StatefulSet', namespace: 'shop', name: 'db' });
      sameSet(
        await tablePods(page, 'kubeprom-workload-table'),
        expected.workloads['shop/StatefulSet/db'],
        'StatefulSet pods'
      );
      const row = await page.textContent('[data-testid="kubeprom-workload-table"] tbody tr');
      for (const r of Object.values(expected.pods['shop/db-0'].lastTerminatedReason))
        assert(row.includes(r), `row "${row}" lacks ${r}`);
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
      // metrics-server (the dataset's model) agrees with Prometheus: no pod is marked.
      assert(
        (await page.$$('[data-testid="kubeprom-col-crosscheck"]')).length === 0,
        'pods marked as disagreeing with metrics-server'
      );
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

    await test('Pod list with metrics-server at half: every pod marked, both numbers on hover', async () => {
      const ids = ['shop/web-7d4b9c-abcde', 'shop/db-0'];
      const { page, close } = await open(
        { pods: ids.join(',') },
        { options: { metricsServerScale: 0.5 } }
      );
      await page.waitForFunction(
        n =>
          document.querySelectorAll(
            '[data-testid="kubeprom-col-memory"] [data-testid="kubeprom-col-crosscheck"]'
          ).length === n,
        ids.length,
        { timeout: TIMEOUT }
      );
      const db = expected.pods['shop/db-0'];
      await page.hover(
        '[data-testid="kubeprom-col-memory"][data-pod="db-0"] [data-testid="kubeprom-col-crosscheck"]'
      );
      const tip = await page.textContent('[role="tooltip"]', { timeout: TIMEOUT });
      const mem = db.memoryWorkingSet / MiB;
      for (const part of [
        `memory: Prometheus ${mem === 1024 ? '1 GiB' : `${mem} MiB`}, metrics-server ${
          mem / 2
        } MiB`,
        "about twice metrics-server's memory",
      ])
        assert(tip.includes(part), `"${part}" not in: ${tip}`);
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
        if (controllers.length > 0) {
          // Every column of the controller table is seen whole inside the card, without
          // scrolling, at this page's width.
          const cut = await page.$eval(
            `[data-testid="kubeprom-operator-${id}-controllers"]`,
            box => {
              const edge = box.getBoundingClientRect().right;
              const table = box.querySelector('table');
              const cells = [...box.querySelectorAll('th, td')]
                .filter(cell => cell.getBoundingClientRect().right > edge + 0.5)
                .map(cell => cell.textContent);
              return { cells, box: box.clientWidth, table: table?.scrollWidth };
            }
          );
          if (cut.cells.length > 0)
            await page.screenshot({
              path: join(artifacts, 'cluster-page-cut.png'),
              fullPage: true,
            });
          assert(
            cut.cells.length === 0,
            `${id}: cells cut at the card's edge (${cut.box} px wide, the table ${
              cut.table
            } px): ${cut.cells.join(', ')}`
          );
        }
      }
      await page.waitForSelector('[data-testid="kubeprom-kueue-cq"]', { timeout: TIMEOUT });
      const rows = await page.$$eval('[data-testid="kubeprom-kueue"] tbody tr', trs =>
        trs.map(tr => {
          const cell = what => tr.querySelector(`[data-testid="kubeprom-kueue-${what}"]`);
          const read = what => ({
            value: Number(cell(what)?.getAttribute('data-value')),
            text: cell(what)?.textContent,
          });
          return {
            cq: cell('cq')?.getAttribute('data-cq'),
            pending: read('pending'),
            active: read('active'),
            inadmissible: read('inadmissible'),
            wait: read('wait'),
            cpu: read('pending-cpu'),
            memory: read('pending-memory'),
            // One cause per line.
            waitingFor: [...(cell('waiting-for')?.children ?? [])]
              .map(line => line.textContent)
              .join(', '),
            // Each cause's height against one line of text (a count's), to catch a cause
            // broken over lines in a column too narrow for it.
            causeHeights: [...(cell('waiting-for')?.children ?? [])].map(line => [
              line.textContent,
              line.getBoundingClientRect().height / cell('pending').getBoundingClientRect().height,
            ]),
          };
        })
      );
      sameSet(
        rows.map(r => r.cq),
        Object.keys(expected.kueue.pending),
        'cluster queues'
      );
      for (const r of rows) {
        const want = expected.kueue.pending[r.cq];
        const total = Object.values(want).reduce((a, b) => a + b, 0);
        assert(r.pending.value === total, `${r.cq} pending ${r.pending.value}, expected ${total}`);
        for (const status of ['active', 'inadmissible']) {
          assert(
            r[status].value === want[status],
            `${r.cq} ${status} ${r[status].value}, expected ${want[status]}`
          );
          record(`queue/${r.cq}/pending/${status}`, r[status].text);
        }
        near(
          r.wait.value,
          expected.kueue.admissionWait[r.cq].p95,
          0.01,
          `${r.cq} admission wait p95`
        );
        const resources = expected.kueue.pendingResources[r.cq];
        assert(r.cpu.value === resources.cpu, `${r.cq} pending CPU ${r.cpu.value}`);
        assert(r.memory.value === resources.memory, `${r.cq} pending memory ${r.memory.value}`);
        // What unadmitted workloads wait for: the cause, or the reason where quota is reserved.
        const causes = Object.entries(expected.kueue.unadmitted[r.cq])
          .map(([key, n]) => [key.split('/')[1] || key.split('/')[0], n])
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        assert(
          r.waitingFor === causes.map(([c, n]) => `${c} ${n}`).join(', '),
          `${r.cq} waiting for "${r.waitingFor}", expected ${JSON.stringify(causes)}`
        );
        const broken = r.causeHeights.filter(([, lines]) => lines > 1.5);
        assert(
          broken.length === 0,
          `${r.cq}: causes broken over lines at 1280 px: ${JSON.stringify(broken)}`
        );
        record(`queue/${r.cq}/pending`, r.pending.text);
        record(`queue/${r.cq}/wait`, r.wait.text);
        record(`queue/${r.cq}/pending-cpu`, r.cpu.text);
        record(`queue/${r.cq}/pending-memory`, r.memory.text);
      }
      // The cluster's busiest pods, their names on one line (tablePods checks).
      for (const id of ['kubeprom-top-cpu', 'kubeprom-top-memory']) {
        assert((await tablePods(page, id)).length > 0, `${id}: no pods`);
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

    await test('Pod list of every dataset pod: the CPU and memory texts its columns show', async () => {
      const byNamespace = {};
      for (const p of Object.values(expected.pods))
        (byNamespace[p.namespace] ??= []).push(`${p.namespace}/${p.pod}`);
      // One page per namespace: a cell names its pod, the page its namespace.
      for (const [namespace, ids] of Object.entries(byNamespace)) {
        const { page, close } = await open({ pods: ids.join(',') });
        await page.waitForFunction(
          n =>
            ['memory', 'cpu'].every(
              what =>
                [
                  ...document.querySelectorAll(
                    `[data-testid="kubeprom-col-${what}"][data-value]:not([data-value=""])`
                  ),
                ].filter(e => e.textContent !== '').length === n
            ),
          ids.length,
          { timeout: TIMEOUT }
        );
        const cells = await page.$$eval('[data-testid^="kubeprom-col-"][data-pod]', els =>
          els.map(e => ({
            what: e.getAttribute('data-testid').slice('kubeprom-col-'.length),
            pod: e.getAttribute('data-pod'),
            value: Number(e.getAttribute('data-value')),
            source: e.getAttribute('data-source'),
            text: e.textContent,
          }))
        );
        for (const id of ids) {
          const p = expected.pods[id];
          for (const [what, want, rel] of [
            ['memory', p.memoryWorkingSet / MiB, 1e-9],
            ['cpu', p.cpu * 1000, 0.02],
          ]) {
            const mine = cells.filter(c => c.what === what && c.pod === p.pod);
            assert(mine.length === 1, `${id} ${what}: ${mine.length} cells`);
            const [c] = mine;
            assert(c.source === 'prometheus', `${id} ${what} from ${c.source}`);
            near(c.value, want, rel, `${id} ${what} column`);
            record(`pod/${namespace}/${p.pod}/${what}`, c.text);
          }
        }
        await close();
      }
    });

    await test('Shown texts written to target/plugin-texts/headlamp.json: every dataset pod and queue', async () => {
      writeTexts();
      const { plugin, texts } = JSON.parse(readFileSync(textsFile, 'utf8'));
      assert(plugin === 'headlamp', `plugin ${plugin}`);
      const required = [
        ...Object.keys(expected.pods).flatMap(id => [`pod/${id}/memory`, `pod/${id}/cpu`]),
        ...Object.entries(expected.kueue.pending).flatMap(([cq, statuses]) => [
          `queue/${cq}/pending`,
          `queue/${cq}/wait`,
          ...Object.keys(statuses).map(status => `queue/${cq}/pending/${status}`),
        ]),
      ];
      const missing = required.filter(k => typeof texts[k] !== 'string' || texts[k] === '');
      assert(missing.length === 0, `missing from ${textsFile}: ${missing.join(', ')}`);
      console.log(`     ${Object.keys(texts).length} texts in ${textsFile}`);
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
      await fallbackCards(page, 'shop/web-7d4b9c-abcde', /503.*no endpoints available/);
      await page.screenshot({ path: join(artifacts, 'outage-503.png'), fullPage: true });
      await close();
    });

    await test('Prometheus down and no metrics-server: both reasons, no spinner', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        mode: 'unavailable',
        options: { metricsServer: false },
      });
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="kubeprom-error"]').length >= 2,
        null,
        { timeout: TIMEOUT }
      );
      const text = await errorText(page);
      assert(
        text.includes('no endpoints available') &&
          text.includes('metrics-server could not stand in') &&
          text.includes('404'),
        `error text: ${text}`
      );
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
      await fallbackCards(page, 'shop/web-7d4b9c-abcde', /connection refused/);
      await page.screenshot({ path: join(artifacts, 'outage-refused.png'), fullPage: true });
      await close();
    });

    await test('A full URL nobody listens on gives a network error', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        config: { test: { address: await freeUrl() } },
      });
      const text = await errorText(page);
      assert(text.includes('network'), `error text: ${text}`);
      await fallbackCards(page, 'shop/web-7d4b9c-abcde', /network/);
      await close();
    });

    await test('403 on services/proxy explains the missing RBAC rule', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        mode: 'forbidden',
        config: { test: { address: 'monitoring/prometheus-k8s:9090' } },
      });
      const text = await errorText(page);
      const rule = 'the "get" verb on "services/proxy" in namespace "monitoring"';
      assert(text.includes('403') && text.includes(rule), `error text: ${text}`);
      const note = await fallbackCards(page, 'shop/web-7d4b9c-abcde', /HTTP 403/);
      assert(note.includes(rule), `fallback note lacks the RBAC rule: ${note}`);
      await page.screenshot({ path: join(artifacts, 'forbidden-403.png'), fullPage: true });
      await close();
    });

    await test('403 while detecting: the RBAC rule, and metrics-server values', async () => {
      const { page, close } = await open(pod('shop', 'db-0'), { mode: 'forbidden' });
      const text = await errorText(page);
      assert(
        text.includes('403') &&
          text.includes('the "get" verb on "services/proxy" in namespace "monitoring"'),
        `error text: ${text}`
      );
      await fallbackCards(page, 'shop/db-0', /HTTP 403/);
      await close();
    });

    await test('Namespace shop with Prometheus down: top pods from metrics-server, with the note', async () => {
      const want = Object.values(expected.pods)
        .filter(p => p.namespace === 'shop')
        .map(p => ({
          pod: p.pod,
          memory: Object.values(p.containers).reduce((s, c) => s + c.memory, 0),
        }))
        .sort((a, b) => b.memory - a.memory || a.pod.localeCompare(b.pod))
        .map(p => p.pod);
      const { page, close } = await open(
        { kind: 'Namespace', name: 'shop' },
        { mode: 'unavailable' }
      );
      await page.waitForSelector('[data-testid="kubeprom-fallback-note"]', { timeout: TIMEOUT });
      const note = await page.textContent('[data-testid="kubeprom-fallback-note"]');
      assert(note.includes('from metrics-server (Prometheus unreachable: '), `note: ${note}`);
      const shown = await tablePods(page, 'kubeprom-top-memory');
      assert(
        JSON.stringify(shown) === JSON.stringify(want),
        `top memory ${JSON.stringify(shown)}, expected ${JSON.stringify(want)}`
      );
      await close();
    });

    await test('Pod list with Prometheus down: columns from metrics-server, marked, with the reason', async () => {
      const ids = ['shop/web-7d4b9c-abcde', 'shop/db-0', 'batch/nightly-29000000-q8x7z'];
      const { page, close } = await open({ pods: ids.join(',') }, { mode: 'unavailable' });
      await page.waitForFunction(
        n =>
          document.querySelectorAll(
            '[data-testid="kubeprom-col-memory"][data-source="metrics-server"][data-value]:not([data-value=""])'
          ).length === n,
        ids.length,
        { timeout: TIMEOUT }
      );
      const cells = await page.$$eval('[data-testid^="kubeprom-col-"][data-pod]', els =>
        els.map(e => [
          e.getAttribute('data-testid'),
          e.getAttribute('data-pod'),
          Number(e.getAttribute('data-value')),
          e.getAttribute('data-source'),
        ])
      );
      for (const id of ids) {
        const p = expected.pods[id];
        const containers = Object.values(p.containers);
        const cell = what => cells.find(c => c[0] === `kubeprom-col-${what}` && c[1] === p.pod);
        near(
          cell('memory')[2],
          containers.reduce((s, c) => s + c.memory, 0) / MiB,
          1e-9,
          `${id} memory`
        );
        near(cell('cpu')[2], containers.reduce((s, c) => s + c.cpu, 0) * 1000, 1e-9, `${id} CPU`);
        assert(cell('cpu')[3] === 'metrics-server', `${id} CPU cell not marked`);
      }
      const marks = await page.$$eval('[data-testid="kubeprom-col-note"]', els =>
        els.filter(e => e.offsetParent !== null).map(e => e.textContent)
      );
      assert(marks.length === ids.length * 2, `${marks.length} visible metrics-server marks`);
      await page.hover('[data-testid="kubeprom-col-memory"][data-source="metrics-server"]');
      await page.waitForSelector('[role="tooltip"]', { timeout: TIMEOUT });
      const tip = await page.textContent('[role="tooltip"]');
      assert(
        tip.includes('from metrics-server (Prometheus unreachable: ') &&
          tip.includes('no endpoints available'),
        `tooltip: ${tip}`
      );
      await page.screenshot({
        path: join(artifacts, 'pod-list-metrics-server.png'),
        fullPage: true,
      });
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
      await fallbackCards(page, 'shop/web-7d4b9c-abcde', /not_found: No Prometheus found/);
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
      assert(
        server.proxied.some(p =>
          p.includes('/namespaces/vm/services/vmselect:8481/proxy/select/0/prometheus/api/v1/query')
        ),
        'no query went to the sub-path'
      );
      await close();
    });

    await test('https: scheme in the address goes through the service proxy as https:name:port', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        config: { test: { address: 'monitoring/https:prometheus-k8s:9090' } },
      });
      const mem = await cardValue(page, 'memory');
      near(
        mem.value,
        expected.pods['shop/web-7d4b9c-abcde'].memoryWorkingSet / MiB,
        1e-9,
        'memory MiB'
      );
      assert(
        server.proxied.some(p =>
          p.includes('/namespaces/monitoring/services/https:prometheus-k8s:9090/proxy/api/v1/')
        ),
        'no query went through https:prometheus-k8s:9090'
      );
      await close();
    });

    await test('Admin default (labelled, annotated service) is used and named; a user setting wins', async () => {
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        options: { admin: true },
      });
      const mem = await cardValue(page, 'memory');
      near(
        mem.value,
        expected.pods['shop/web-7d4b9c-abcde'].memoryWorkingSet / MiB,
        1e-9,
        'memory MiB'
      );
      const endpoint = await page.textContent('[data-testid="kubeprom-endpoint"]');
      assert(
        endpoint.includes('vm/vmselect:8481/select/0/prometheus') &&
          endpoint.includes('admin default') &&
          endpoint.includes('headlamp-prometheus/path=/select/0/prometheus'),
        `endpoint caption: ${endpoint}`
      );
      await close();
      const settings = await open({ settings: '1' }, { options: { admin: true } });
      const inuse = '[data-testid="kubeprom-settings-inuse"]';
      await settings.page.waitForSelector(`${inuse}[data-source="admin"]`, { timeout: TIMEOUT });
      const text = await settings.page.textContent(inuse);
      assert(text.includes('admin default'), `settings: ${text}`);
      await settings.page.screenshot({
        path: join(artifacts, 'settings-admin.png'),
        fullPage: true,
      });
      await settings.close();
      const mine = await open(
        { settings: '1' },
        {
          options: { admin: true },
          config: { test: { address: 'monitoring/prometheus-k8s:9090' } },
        }
      );
      await mine.page.waitForSelector(`${inuse}[data-source="user"]`, { timeout: TIMEOUT });
      const userText = await mine.page.textContent(inuse);
      assert(
        userText.includes('user setting') && userText.includes('monitoring/prometheus-k8s:9090'),
        `settings: ${userText}`
      );
      await mine.close();
    });

    await test('Detection runs once per page, not per section or chart reload', async () => {
      const before = server.lists.length;
      const { page, close } = await open({ route: '/kubeprom' });
      await page.waitForSelector('[data-testid="kubeprom-operator-kueue"]', { timeout: TIMEOUT });
      await page.waitForSelector('[data-testid="kubeprom-top-memory"]', { timeout: TIMEOUT });
      const first = server.lists
        .slice(before)
        .filter(l => l === 'services?headlamp-prometheus=true');
      assert(first.length === 1, `three sections listed services ${first.length} times`);
      await close();
      const pageBefore = server.lists.length;
      const podPage = await open(pod('shop', 'web-7d4b9c-abcde'));
      await cardValue(podPage.page, 'memory');
      const rangeBefore = server.proxied.length;
      await podPage.page.click('[data-testid="kubeprom-range-7d"]');
      await podPage.page.waitForSelector(
        '[data-testid="kubeprom-chart-memory"] path.recharts-line-curve',
        {
          state: 'attached',
          timeout: TIMEOUT,
        }
      );
      const lists = server.lists
        .slice(pageBefore)
        .filter(l => l === 'services?headlamp-prometheus=true');
      assert(lists.length === 1, `detected ${lists.length} times on one pod page`);
      // Over 7 days the step is long; every rate window covers at least one step and four
      // 30 s scrapes, so no sample falls between two windows.
      const ranged = server.proxied
        .slice(rangeBefore)
        .filter(p => p.includes('/api/v1/query_range?'))
        .map(p => new URL(p, 'http://x').searchParams);
      const rates = ranged.filter(q => /\brate\(/.test(q.get('query')));
      assert(rates.length >= 5, `${rates.length} rate range queries over 7d`);
      for (const q of rates) {
        const step = Number(q.get('step'));
        const windowSeconds = Math.max(step, 4 * 30);
        const m = q.get('query').match(/\[(\d+)([smhd])\]/);
        const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
        assert(
          step > 0 && step * 240 >= 7 * 86400 && seconds === windowSeconds,
          `step ${step}, window [${m[1]}${m[2]}] in ${q.get('query')}`
        );
      }
      await podPage.close();
    });

    await test('Cluster label value: every query selects this cluster only', async () => {
      const before = server.queries.length;
      const { page, close } = await open(pod('shop', 'web-7d4b9c-abcde'), {
        config: { test: { profile: 'multi-cluster' } },
      });
      // The dataset has no cluster label: selecting cluster "test" must find nothing rather
      // than sum every cluster's series.
      await page.waitForSelector(
        '[data-testid="kubeprom-chart-memory"] [data-testid="kubeprom-nodata"]',
        {
          timeout: TIMEOUT,
        }
      );
      const qs = server.queries.slice(before).filter(q => !q.startsWith('min by'));
      assert(qs.length > 0, 'no queries');
      const without = qs.filter(q => !q.includes('cluster="test"'));
      assert(without.length === 0, `queries without cluster="test":\n${without.join('\n')}`);
      await page.waitForSelector('[data-testid="kubeprom-card-memory-text"]', { timeout: TIMEOUT });
      assert(
        (await page.textContent('[data-testid="kubeprom-card-memory-text"]')) === '—',
        'memory card shows a value from other clusters'
      );
      await close();

      // The same set once by the admin, as annotations on the labelled Prometheus service.
      const adminBefore = server.queries.length;
      const admin = await open(pod('shop', 'web-7d4b9c-abcde'), {
        options: {
          admin: true,
          adminAnnotations: {
            'headlamp-prometheus/profile': 'multi-cluster',
            'headlamp-prometheus/cluster-label-value': 'test',
          },
        },
      });
      await admin.page.waitForSelector(
        '[data-testid="kubeprom-chart-memory"] [data-testid="kubeprom-nodata"]',
        { timeout: TIMEOUT }
      );
      const adminQs = server.queries.slice(adminBefore).filter(q => !q.startsWith('min by'));
      const adminWithout = adminQs.filter(q => !q.includes('cluster="test"'));
      assert(
        adminQs.length > 0 && adminWithout.length === 0,
        `admin default: queries without cluster="test":\n${adminWithout.join('\n')}`
      );
      await admin.close();
    });

    await test('Settings page shows the endpoint in use and how it was found', async () => {
      const { page, close } = await open({ settings: '1' });
      await page.waitForSelector('[data-testid="kubeprom-settings-inuse"]', { timeout: TIMEOUT });
      await page.waitForFunction(
        () =>
          document
            .querySelector('[data-testid="kubeprom-settings-inuse"]')
            ?.textContent?.includes('found by label'),
        null,
        { timeout: TIMEOUT }
      );
      await page.screenshot({ path: join(artifacts, 'settings.png'), fullPage: true });
      await close();
    });

    await test('Settings page: custom metrics listed, an unreadable matcher line named', async () => {
      const customMetrics = [
        {
          title: 'Orders queued',
          series: 'orders_queue_depth',
          unit: 'count',
          kind: 'gauge',
          matchers: 'job=shop/web',
        },
        { title: 'Bad', series: 'x', unit: 'count', kind: 'gauge', matchers: 'job=a\noops' },
      ];
      const { page, close } = await open(
        { settings: '1' },
        { config: { test: { customMetrics } } }
      );
      await page.waitForSelector('[data-testid="kubeprom-custom-metric-1"] .MuiAlert-message', {
        timeout: TIMEOUT,
      });
      const problem = await page.textContent(
        '[data-testid="kubeprom-custom-metric-1"] .MuiAlert-message'
      );
      assert(problem.includes('line 2: "oops" is not label=value'), `problem: ${problem}`);
      assert(
        (await page.$$('[data-testid="kubeprom-custom-metric-0"] .MuiAlert-message')).length === 0,
        'complete metric flagged'
      );
      await page.screenshot({
        path: join(artifacts, 'settings-custom-metrics.png'),
        fullPage: true,
      });
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
      await history.stop();
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
