// Real-browser test of the built plugin: headless Chromium (Debian's), a harness page that plays
// Grafana (shared modules, AMD loading of dist/module.js from public/plugins/<id>/, a strict CSP),
// frames converted from the harness Prometheus of the repository.
//
//   node tests/browser/run.mjs [--no-build]
//
// Builds the plugin (npm run build) and the harness page, starts and stops Prometheus itself,
// prints one line per check and `N passed, N failed` last; exits 1 on any failure.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { startPrometheus } from '../../../../tests/harness/prometheus.mjs';
import { core, recordResponses } from '../prometheusFixtures.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pluginRoot = resolve(here, '../..');
const dist = join(pluginRoot, 'dist');
const artifacts = join(pluginRoot, 'test-artifacts');
const harnessOut = join(artifacts, 'harness');
const pluginJson = JSON.parse(readFileSync(join(pluginRoot, 'src/plugin.json'), 'utf8'));
const PLUGIN_BASE = `/public/plugins/${pluginJson.id}/`;
const MiB = 1024 * 1024;
// What the panel shows, for the cross-plugin comparison (tests/scripts/plugin-texts.mjs of the repository).
const textsFile = join(pluginRoot, '../../target/plugin-texts/grafana.json');
// Icons @grafana/ui loads from Grafana's public/build/img/icons/ (shipped inside @grafana/ui).
const ICONS_BASE = '/public/build/img/icons/';
const icons = join(pluginRoot, 'node_modules/@grafana/ui/dist/public/img/icons');

// What Grafana's CSP template allows, minus 'unsafe-eval': scripts only from the origin, and
// WebAssembly compilation. Inline styles stay allowed (Grafana's template allows them; emotion needs them).
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
].join('; ');

const results = [];
function check(name, ok, detail = '') {
  results.push({ name, ok });
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ` (${detail})` : ''}`);
}

function build() {
  if (!process.argv.includes('--no-build')) {
    const r = spawnSync('npm', ['run', 'build'], {
      cwd: pluginRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
    }
  }
  if (!existsSync(join(dist, 'module.js'))) {
    throw new Error('dist/module.js is missing: run npm run build');
  }
  mkdirSync(harnessOut, { recursive: true });
  return esbuild.build({
    entryPoints: [join(here, 'host.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    outfile: join(harnessOut, 'host.js'),
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: {
      '.svg': 'dataurl',
      '.woff': 'dataurl',
      '.woff2': 'dataurl',
      '.png': 'dataurl',
      '.ttf': 'dataurl',
      '.css': 'css',
    },
    logLevel: 'error',
  });
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** Serves the harness page and the plugin at Grafana's path, on 127.0.0.1. */
function serve() {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file;
    if (path === '/') {
      file = join(here, 'index.html');
    } else if (path.startsWith('/harness/')) {
      file = join(harnessOut, path.slice('/harness/'.length));
    } else if (path.startsWith(PLUGIN_BASE)) {
      file = join(dist, path.slice(PLUGIN_BASE.length));
    } else if (path.startsWith(ICONS_BASE)) {
      file = join(icons, path.slice(ICONS_BASE.length));
    }
    const inside =
      file && [harnessOut, dist, icons].some((d) => file === join(here, 'index.html') || file.startsWith(d + sep));
    if (!file || !inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** The texts the panel shows, by the keys of tests/scripts/plugin-texts.mjs, written sorted by key. */
function writeTexts(texts) {
  const sorted = Object.fromEntries(Object.entries(texts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  mkdirSync(dirname(textsFile), { recursive: true });
  writeFileSync(textsFile, JSON.stringify({ plugin: 'grafana', texts: sorted }, null, 2) + '\n');
}

async function main() {
  // A run that fails before writing leaves no texts of an earlier build behind.
  rmSync(textsFile, { force: true });
  await build();
  const prom = await startPrometheus();
  let server;
  let browser;
  try {
    const { expected } = prom;
    const recorded = await recordResponses(prom.url, expected);
    const q = (refId, name) => ({ refId, ...recorded.responses[name] });
    server = await serve();
    const origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const problems = [];
    const requests = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // Failed requests are reported below with their address.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        problems.push(`console error: ${m.text()}`);
      }
    });
    page.on('request', (r) => requests.push(r.url()));
    page.on('response', (r) => {
      if (r.status() >= 400) {
        const path = new URL(r.url()).pathname;
        // Grafana's own build ships a few icons (the spinner) that @grafana/ui's package does not.
        if (path.startsWith(ICONS_BASE)) {
          console.log(`  note: Grafana asset not in @grafana/ui's package: ${path}`);
        } else {
          problems.push(`HTTP ${r.status()} for ${r.url()}`);
        }
      }
    });
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__cspViolations.push(
          `${e.violatedDirective}: ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`
        )
      );
    });
    await page.goto(origin, { waitUntil: 'load' });
    await page.waitForFunction(() => window.kubepromHarness !== undefined);
    const render = (input) => page.evaluate((i) => window.kubepromHarness.render(i), input);
    const rowValue = (pod) =>
      page.locator(`[data-testid="kubeprom-pod-row"][data-pod="${pod}"] [data-testid="kubeprom-pod-value"]`);

    // 1. The buildQuery queries: usage, requests, limits.
    await render({
      queries: [q('A', 'memory'), q('B', 'memoryRequests'), q('C', 'memoryLimits')],
      width: 1040,
      height: 700,
    });
    await page.waitForSelector('[data-testid="kubeprom-pod-table"]', { timeout: 60000 });
    const web = expected.pods['shop/web-7d4b9c-abcde'];
    const webMiB = web.memoryWorkingSet / MiB;
    const cell = rowValue('web-7d4b9c-abcde');
    const shown = Number(await cell.getAttribute('data-value'));
    const text = (await cell.textContent())?.trim();
    check(
      'web-7d4b9c-abcde shows its working set from expected.json',
      Math.abs(shown - webMiB) < 1e-6 && text === `${webMiB} MiB`,
      `shown ${text}, expected ${webMiB} MiB`
    );
    const rows = await page.locator('[data-testid="kubeprom-pod-row"]').count();
    check('one row per pod of the dataset', rows === Object.keys(expected.pods).length, `${rows} rows`);
    let allMatch = true;
    for (const p of Object.values(expected.pods)) {
      const v = Number(await rowValue(p.pod).getAttribute('data-value'));
      if (Math.abs(v - p.memoryWorkingSet / MiB) > 1e-6) {
        allMatch = false;
        console.log(`  ${p.namespace}/${p.pod}: shown ${v} MiB, expected ${p.memoryWorkingSet / MiB} MiB`);
      }
    }
    check('every pod matches expected.json', allMatch);
    // The texts as shown, read for the comparison with the Headlamp plugin: the memory working set
    // of buildQuery's query here, CPU usage below.
    const texts = {};
    const podTexts = await page.$$eval('[data-testid="kubeprom-pod-row"]', (trs) =>
      trs.map((tr) => ({
        namespace: tr.dataset.namespace,
        pod: tr.dataset.pod,
        text: tr.querySelector('[data-testid="kubeprom-pod-value"]')?.innerText,
      }))
    );
    for (const { namespace, pod, text } of podTexts) {
      if (text !== undefined) {
        texts[`pod/${namespace}/${pod}/memory`] = text.trim();
      }
    }
    const webRow = page.locator('[data-testid="kubeprom-pod-row"][data-pod="web-7d4b9c-abcde"]');
    const limitText = (await webRow.locator('[data-testid="kubeprom-pod-limit"]').textContent())?.trim();
    check(
      'limit column and markers from the kube-state-metrics queries',
      limitText === `${web.memoryLimits / MiB} MiB` &&
        (await webRow.locator('[data-testid="kubeprom-limit-marker"]').count()) === 1 &&
        (await webRow.locator('[data-testid="kubeprom-request-marker"]').count()) === 1,
      `limit ${limitText}`
    );
    check('sparklines are drawn', (await page.locator('[data-testid="kubeprom-sparkline"] canvas').count()) > 0);
    check(
      'no lint finding for the buildQuery queries',
      (await page.locator('[data-testid="kubeprom-lint-finding"]').count()) === 0
    );
    await page.screenshot({ path: join(artifacts, 'pod-resources.png') });

    // 1b. CPU usage (buildQuery's pod_cpu_usage), for the comparison with the Headlamp plugin.
    await render({ queries: [q('A', 'cpu')], width: 1040, height: 700 });
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="kubeprom-pod-row"]').length === n &&
        [...document.querySelectorAll('[data-testid="kubeprom-pod-value"]')].every((c) => c.dataset.value !== undefined),
      Object.keys(expected.pods).length,
      { timeout: 60000 }
    );
    const cpuRows = await page.$$eval('[data-testid="kubeprom-pod-row"]', (trs) =>
      trs.map((tr) => {
        const cell = tr.querySelector('[data-testid="kubeprom-pod-value"]');
        return { namespace: tr.dataset.namespace, pod: tr.dataset.pod, value: Number(cell?.dataset.value), text: cell?.innerText };
      })
    );
    let cpuMatch = cpuRows.length === Object.keys(expected.pods).length;
    for (const { namespace, pod, value, text } of cpuRows) {
      const want = expected.pods[`${namespace}/${pod}`]?.cpu;
      // The panel's value is in its display unit (cores or millicores); either reading of it must match.
      if (want === undefined || !(Math.abs(value - want) < 1e-6 || Math.abs(value - want * 1000) < 1e-3)) {
        cpuMatch = false;
        console.log(`  ${namespace}/${pod}: shown ${value} (${text}), expected ${want} cores`);
      }
      if (text !== undefined) {
        texts[`pod/${namespace}/${pod}/cpu`] = text.trim();
      }
    }
    check('CPU usage of every pod matches expected.json', cpuMatch);

    // 2. A hand-written query that also returns the pod-level cgroup and the pause container.
    await render({ queries: [q('A', 'memoryWrongSelector')], width: 1040, height: 700 });
    const finding = page.locator('[data-testid="kubeprom-lint-finding"][data-rule="cadvisor-double-count"]');
    await finding.first().waitFor({ timeout: 60000 });
    const fix = (await finding.first().locator('[data-testid="kubeprom-lint-fix"]').textContent()) ?? '';
    check(
      'double-count notice with a fix for container_memory_working_set_bytes without container!=""',
      fix.includes('container!=""'),
      fix
    );
    const wrongShown = Number(await rowValue('web-7d4b9c-abcde').getAttribute('data-value'));
    check(
      'the panel still counts each container once for that query',
      Math.abs(wrongShown - webMiB) < 1e-6,
      `shown ${wrongShown} MiB`
    );
    check('notice for the series not counted', (await page.getByText(/series not counted/).count()) === 1);
    await page.screenshot({ path: join(artifacts, 'pod-resources-wrong-query.png') });

    // 3. Kueue mode.
    await render({
      queries: [q('A', 'kueuePending'), q('B', 'kueueWait'), q('C', 'kueueUnadmitted')],
      options: { mode: 'kueue' },
      width: 1040,
      height: 300,
    });
    await page.waitForSelector('[data-testid="kubeprom-kueue-table"]', { timeout: 60000 });
    let kueueOk = true;
    for (const [queue, byStatus] of Object.entries(expected.kueue.pending)) {
      const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
      const v = Number(
        await page
          .locator(`[data-testid="kubeprom-queue-row"][data-queue="${queue}"] [data-testid="kubeprom-queue-pending"]`)
          .getAttribute('data-value')
      );
      const wait = Number(
        await page
          .locator(`[data-testid="kubeprom-queue-row"][data-queue="${queue}"] [data-testid="kubeprom-queue-wait"]`)
          .getAttribute('data-value')
      );
      const p95 = expected.kueue.admissionWait[queue].p95;
      if (Math.abs(v - total) > 1e-9 || Math.abs(wait - p95) / p95 > 0.01) {
        kueueOk = false;
        console.log(`  ${queue}: pending ${v} (expected ${total}), wait p95 ${wait} (expected ${p95})`);
      }
    }
    check('Kueue mode: pending per queue and wait p95 match expected.json', kueueOk);
    // What unadmitted workloads wait for: the cause, or the reason where quota is reserved.
    let waitingForOk = true;
    for (const [queue, byKey] of Object.entries(expected.kueue.unadmitted)) {
      const want = Object.entries(byKey)
        .map(([key, n]) => [key.split('/')[1] || key.split('/')[0], n])
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([cause, n]) => `${cause} ${n}`)
        .join(', ');
      // One cause per line.
      const shown = (
        await page
          .locator(`[data-testid="kubeprom-queue-row"][data-queue="${queue}"] [data-testid="kubeprom-queue-waiting-for"]`)
          .innerText()
      )
        .split('\n')
        .map((line) => line.trim())
        .join(', ');
      if (shown !== want) {
        waitingForOk = false;
        console.log(`  ${queue}: waiting for "${shown}" (expected "${want}")`);
      }
    }
    check('Kueue mode: unadmitted workloads by cause match expected.json', waitingForOk);
    // The statuses are the columns the table shows ("Pending (active)"); local queues
    // (`namespace/name`) have no key in the comparison.
    const queueTexts = await page.$eval('[data-testid="kubeprom-kueue-table"]', (table) => {
      const statuses = [...table.querySelectorAll('thead th')]
        .map((th) => /^Pending \((.+)\)$/.exec(th.innerText.trim())?.[1])
        .filter((s) => s !== undefined);
      const cell = (tr, testid) => tr.querySelector(`[data-testid="${CSS.escape(testid)}"]`)?.innerText;
      return [...table.querySelectorAll('[data-testid="kubeprom-queue-row"]')].map((tr) => ({
        queue: tr.dataset.queue,
        pending: cell(tr, 'kubeprom-queue-pending'),
        wait: cell(tr, 'kubeprom-queue-wait'),
        byStatus: statuses.map((status) => [status, cell(tr, `kubeprom-queue-${status}`)]),
      }));
    });
    for (const { queue, pending, wait, byStatus } of queueTexts.filter((r) => !r.queue.includes('/'))) {
      const shownTexts = [['pending', pending], ['wait', wait], ...byStatus.map(([s, t]) => [`pending/${s}`, t])];
      for (const [what, text] of shownTexts) {
        if (text !== undefined) {
          texts[`queue/${queue}/${what}`] = text.trim();
        }
      }
    }
    const wantedKeys = [
      ...Object.keys(expected.pods).flatMap((id) => [`pod/${id}/memory`, `pod/${id}/cpu`]),
      ...Object.entries(expected.kueue.pending).flatMap(([cq, byStatus]) => [
        `queue/${cq}/pending`,
        `queue/${cq}/wait`,
        ...Object.keys(byStatus).map((status) => `queue/${cq}/pending/${status}`),
      ]),
    ];
    const missing = wantedKeys.filter((k) => !(k in texts));
    writeTexts(texts);
    check(
      'shown texts of every pod and queue of expected.json written to target/plugin-texts/grafana.json',
      missing.length === 0,
      missing.length > 0 ? `missing ${missing.join(', ')}` : `${Object.keys(texts).length} keys`
    );
    await page.screenshot({ path: join(artifacts, 'kueue.png') });

    // 3b. Right-sizing mode on the 15-day history dataset (tests/data/history.mjs): the plan's
    // instant queries run at the dataset's anchor, the namespace a dashboard variable.
    const history = await startPrometheus({ dataset: 'history' });
    const hx = history.expected;
    const rsOptions = (kind, name) => ({
      mode: 'rightsizing',
      rightSizing: { namespace: '$namespace', workloadKind: kind, workloadName: name },
    });
    try {
      for (const [workload, containers] of Object.entries(hx.workloads)) {
        const [kind, name] = workload.split('/');
        const written = core().planRecommendation({ namespace: '$namespace', workload: { kind, name } }).queries;
        const ran = core().planRecommendation({ namespace: hx.namespace, workload: { kind, name } }).queries;
        const queries = [];
        for (const [i, pq] of ran.entries()) {
          const params = new URLSearchParams({ query: pq.promql, time: String(hx.anchor) });
          const res = await fetch(`${history.url}/api/v1/query`, { method: 'POST', body: params });
          const body = await res.json();
          if (!res.ok || body.status !== 'success') {
            throw new Error(`right-sizing query ${pq.need} failed (${res.status}): ${JSON.stringify(body).slice(0, 500)}`);
          }
          queries.push({ refId: pq.need, expr: written[i].promql, ranExpr: pq.promql, instant: true, step: 60, body });
        }
        await render({
          queries,
          options: rsOptions(kind, name),
          variables: { namespace: hx.namespace },
          width: 1040,
          height: 420,
        });
        const root = `[data-testid="kubeprom-rightsizing"][data-workload="${workload}"]`;
        await page.waitForSelector(`${root} [data-testid="kubeprom-rightsizing-row"]`, { timeout: 60000 });
        const shownRows = await page.$$eval(`${root} [data-testid="kubeprom-rightsizing-row"]`, (trs) =>
          trs.map((tr) => {
            const cell = (id) => tr.querySelector(`[data-testid="kubeprom-rightsizing-${id}"]`);
            const settings = Object.fromEntries(
              ['cpu-request', 'cpu-limit', 'memory-request', 'memory-limit'].map((id) => [
                id,
                { current: cell(id).dataset.current, quantity: cell(id).dataset.quantity },
              ])
            );
            return {
              container: tr.dataset.container,
              status: cell('status').dataset.status,
              oomKilled: cell('history').innerText.includes('OOMKilled'),
              settings,
            };
          })
        );
        const commands = await page.$$eval(`${root} [data-testid="kubeprom-rightsizing-kubectl"]`, (cs) =>
          Object.fromEntries(cs.map((c) => [c.dataset.container, c.textContent]))
        );
        const notices = await page.locator('[data-testid="kubeprom-notice"]').allInnerTexts();
        const problemsOf = [];
        const near = (shown, want) => (want === null ? shown === '' : Math.abs(Number(shown) - want) <= 1e-9 * Math.max(1, want));
        if (shownRows.map((r) => r.container).join() !== Object.keys(containers).sort().join()) {
          problemsOf.push(`containers ${shownRows.map((r) => r.container).join()}`);
        }
        for (const r of shownRows) {
          const e = containers[r.container];
          if (!e) {
            continue;
          }
          const want = {
            'cpu-request': [e.current.cpuRequest, e.recommended?.cpuRequest ?? ''],
            'cpu-limit': [e.current.cpuLimit, ''],
            'memory-request': [e.current.memoryRequest, e.recommended?.memory ?? ''],
            'memory-limit': [e.current.memoryLimit, e.recommended?.memory ?? ''],
          };
          for (const [id, [current, quantity]] of Object.entries(want)) {
            const s = r.settings[id];
            if (!near(s.current, current) || s.quantity !== quantity) {
              problemsOf.push(`${r.container} ${id}: shown ${s.current} -> ${s.quantity}, expected ${current} -> ${quantity}`);
            }
          }
          // The model's quantities applied as `kubectl set resources` writes them.
          const command = e.enoughHistory
            ? `kubectl set resources ${kind.toLowerCase()}/${name} -n ${hx.namespace} -c ${r.container} ` +
              `--requests=cpu=${e.recommended.cpuRequest},memory=${e.recommended.memory} --limits=memory=${e.recommended.memory}`
            : undefined;
          if (commands[r.container] !== command) {
            problemsOf.push(`${r.container} command ${commands[r.container]}, expected ${command}`);
          }
          if (!e.enoughHistory && r.status !== 'not-enough-data') {
            problemsOf.push(`${r.container} status ${r.status}, expected not-enough-data`);
          }
          if (r.oomKilled !== e.oomKilled) {
            problemsOf.push(`${r.container} OOMKilled shown: ${r.oomKilled}`);
          }
        }
        if (notices.length > 0) {
          problemsOf.push(`notices: ${notices.join('; ')}`);
        }
        check(
          `right-sizing mode: ${workload} as expected-history.json recommends`,
          problemsOf.length === 0,
          problemsOf.join('; ')
        );
        if (workload === 'Deployment/api') {
          await page.screenshot({ path: join(artifacts, 'right-sizing.png') });
        }
      }
      // A need without its query: a notice, no numbers.
      const [kind, name] = Object.keys(hx.workloads)[0].split('/');
      const plan = core().planRecommendation({ namespace: hx.namespace, workload: { kind, name } }).queries;
      const emptyVector = { status: 'success', data: { resultType: 'vector', result: [] } };
      await render({
        queries: plan
          .filter((pq) => pq.need !== 'memoryPeak')
          .map((pq) => ({ refId: pq.need, expr: pq.promql, instant: true, step: 60, body: emptyVector })),
        options: { mode: 'rightsizing', rightSizing: { namespace: hx.namespace, workloadKind: kind, workloadName: name } },
        width: 1040,
        height: 420,
      });
      const missingNotice = page.getByText('Right-sizing queries missing: memoryPeak');
      await missingNotice.waitFor({ timeout: 60000 });
      check(
        'right-sizing mode: a missing need is a notice, and no table',
        (await page.locator('[data-testid="kubeprom-rightsizing-table"]').count()) === 0
      );
    } finally {
      await history.stop();
    }

    // The query helper in right-sizing mode: the panel's targets for its options.
    await page.evaluate((i) => window.kubepromHarness.renderOptionEditor(i), {
      id: 'queryHelper',
      value: undefined,
      options: rsOptions('StatefulSet', 'cache'),
    });
    const targetsJson = page.locator('[data-testid="kubeprom-rightsizing-targets-json"]');
    await targetsJson.waitFor({ timeout: 60000 });
    const helperTargets = JSON.parse(await targetsJson.inputValue());
    const wantTargets = core()
      .planRecommendation({ namespace: '$namespace', workload: { kind: 'StatefulSet', name: 'cache' } })
      .queries.map((pq) => ({ refId: pq.need, expr: pq.promql, instant: true, range: false, editorMode: 'code' }));
    check(
      "query helper in right-sizing mode writes the plan's instant queries as targets, refId = need",
      JSON.stringify(helperTargets) === JSON.stringify(wantTargets),
      helperTargets.map((t) => t.refId).join(', ')
    );

    // 4. The query helper in the options pane, with a dashboard variable.
    const helperValue = { metric: 'pod_memory_working_set', namespace: '$namespace' };
    await page.evaluate((i) => window.kubepromHarness.renderOptionEditor(i), { id: 'queryHelper', value: helperValue });
    const output = page.locator('[data-testid="kubeprom-query-helper-output"]');
    await output.waitFor({ timeout: 60000 });
    const helperQuery = await output.inputValue();
    const wanted = core().buildQuery({ ...helperValue, variables: 'regex' });
    check(
      'query helper writes the buildQuery text with $namespace kept as a variable',
      helperQuery === wanted && helperQuery.includes('namespace=~"$namespace"'),
      helperQuery
    );
    await page.screenshot({ path: join(artifacts, 'query-helper.png'), fullPage: true });

    // 5. Loading under Grafana's rules.
    const wasm = requests.filter((u) => u.endsWith('.wasm'));
    check(
      'the two .wasm modules (core and linter) are loaded once each from the plugin public path',
      wasm.length === 2 && new Set(wasm).size === 2 && wasm.every((u) => new URL(u).pathname.startsWith(PLUGIN_BASE)),
      wasm.join(', ')
    );
    // Only the plugin's own files count: the host bundle (standing in for Grafana) contains zod,
    // which probes `new Function` once inside a try/catch, as it does in Grafana.
    const violations = await page.evaluate(() => window.__cspViolations);
    const byPlugin = violations.filter((v) => v.includes(PLUGIN_BASE) || !v.includes('/harness/'));
    for (const v of violations.filter((x) => !byPlugin.includes(x))) {
      console.log(`  note: host CSP report, not from the plugin: ${v}`);
    }
    check(`no CSP violation by the plugin under "${CSP}"`, byPlugin.length === 0, byPlugin.join('; '));
    check('no page or console errors', problems.length === 0, problems.join('; '));
  } finally {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok()));
    await prom.stop();
  }
}

try {
  await main();
} catch (e) {
  check('browser test ran to the end', false, e instanceof Error ? (e.stack ?? e.message) : String(e));
}
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
