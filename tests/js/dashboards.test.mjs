// The generated Grafana dashboards (deploy/generator): stable output equal to the committed
// files, well-formed Grafana dashboard JSON, every query lint-clean and with template variables
// left as variables, and every query run against the harness Prometheus and VictoriaMetrics and compared with the
// dataset's expected.json (computed by tests/data/generate.mjs from its own model).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as sdkDashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { freePort, startPrometheus } from '../harness/prometheus.mjs';
import { startVictoriaMetrics } from '../harness/victoria-metrics.mjs';
import { core } from '../../deploy/generator/core.mjs';
import { buildDashboards, KUBEPROM_PANEL } from '../../deploy/generator/dashboards.mjs';
import { render } from '../../deploy/generator/generate.mjs';
import { defaults } from '../../deploy/generator/options.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const deploy = join(root, 'deploy');
/** The real backends, each over its own copy of the generated dataset. */
const backends = {};
/** The backend the running test queries, and its dataset's expectations. */
let prom;
let expected;

before(async () => {
  [backends.Prometheus, backends.VictoriaMetrics] = await Promise.all([startPrometheus(), startVictoriaMetrics()]);
});
after(async () => {
  await Promise.all(Object.values(backends).map((b) => b.stop()));
});

/**
 * Registers a test once per backend. VictoriaMetrics answers the same queries as Prometheus on
 * this dataset: its `rate` does not extrapolate to the window's ends, but the dataset's counters
 * grow linearly, so both give the same per-second values.
 */
function testOnEachBackend(name, fn) {
  for (const backend of ['Prometheus', 'VictoriaMetrics']) {
    test(`${name} (${backend})`, async () => {
      prom = backends[backend];
      expected = prom.expected;
      await fn();
    });
  }
}

test('the generator is stable and the committed files are its output', () => {
  const a = render(defaults);
  const b = render(structuredClone(defaults));
  assert.deepEqual(a.map((f) => f.path), b.map((f) => f.path));
  for (let i = 0; i < a.length; i++) assert.equal(a[i].text, b[i].text, `${a[i].path} differs between two runs`);
  for (const f of a) {
    assert.ok(existsSync(join(deploy, f.path)), `${f.path} is not committed: run npm run dashboards`);
    assert.equal(readFileSync(join(deploy, f.path), 'utf8'), f.text, `deploy/${f.path} is out of date: run npm run dashboards`);
  }
  // Options change the output, so the stability above is not that of a constant.
  const other = render({ ...defaults, operators: defaults.operators.slice(0, 2) });
  const ops = 'dashboards/kubeprom-operators.json';
  assert.notEqual(other.find((f) => f.path === ops).text, a.find((f) => f.path === ops).text);
});

const { dashboards, queries } = buildDashboards(defaults);
const files = Object.fromEntries(dashboards.map((d) => [d.file, JSON.parse(readFileSync(join(deploy, 'dashboards', d.file), 'utf8'))]));

/** The keys and value types the SDK's defaults give an object of the type (its required fields). */
function checkRequired(what, obj, def) {
  for (const [k, v] of Object.entries(def)) {
    assert.ok(k in obj, `${what}: missing ${k}`);
    if (v !== null && obj[k] !== null) assert.equal(typeof obj[k], typeof v, `${what}.${k}: ${typeof obj[k]}, the SDK says ${typeof v}`);
  }
}

test('dashboards are Grafana dashboard JSON: required fields, panels on the grid, targets, variables', () => {
  for (const [file, d] of Object.entries(files)) {
    checkRequired(file, d, sdkDashboard.defaultDashboard());
    assert.equal(typeof d.uid, 'string');
    assert.ok(d.schemaVersion >= 39, `${file}: schemaVersion ${d.schemaVersion}`);
    const ids = new Set();
    const cells = new Set();
    for (const p of d.panels) {
      const what = `${file} panel ${p.id} (${p.title})`;
      checkRequired(what, p, p.type === 'row' ? sdkDashboard.defaultRowPanel() : sdkDashboard.defaultPanel());
      assert.ok(Number.isInteger(p.id) && !ids.has(p.id), `${what}: id not unique`);
      ids.add(p.id);
      checkRequired(`${what}.gridPos`, p.gridPos, sdkDashboard.defaultGridPos());
      const { x, y, w, h } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0, `${what}: off the 24-column grid`);
      for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
        assert.ok(!cells.has(`${i},${j}`), `${what}: overlaps another panel at ${i},${j}`);
        cells.add(`${i},${j}`);
      }
      if (p.type === 'row') continue;
      assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, what);
      assert.ok(p.targets.length > 0, `${what}: no queries`);
      const refIds = p.targets.map((t) => t.refId);
      assert.equal(new Set(refIds).size, refIds.length, `${what}: refIds repeat`);
      for (const t of p.targets) {
        assert.equal(typeof t.expr, 'string');
        assert.deepEqual(t.datasource, p.datasource);
      }
    }
    const vars = d.templating.list;
    assert.equal(vars[0].type, 'datasource');
    assert.equal(vars[0].query, 'prometheus');
    for (const v of vars) checkRequired(`${file} variable ${v.name}`, v, sdkDashboard.defaultVariableModel());
  }
  const names = (f) => files[f].templating.list.map((v) => v.name);
  assert.deepEqual(names('kubeprom-pods.json'), ['datasource', 'cluster', 'namespace', 'pod']);
  assert.deepEqual(names('kubeprom-workloads.json'), ['datasource', 'cluster', 'namespace', 'deployment', 'statefulset', 'daemonset', 'job_name', 'cronjob']);
  assert.deepEqual(names('kubeprom-kueue.json'), ['datasource', 'cluster', 'cluster_queue']);
  assert.deepEqual(names('kubeprom-operators.json'), ['datasource', 'cluster', 'job']);
  const panelsOf = (f) => files[f].panels.filter((p) => p.type === KUBEPROM_PANEL);
  assert.ok(panelsOf('kubeprom-pods.json').length >= 1, 'the pods dashboard has the kubeprom panel');
  for (const p of Object.values(files).flatMap((d) => d.panels.filter((x) => x.type === KUBEPROM_PANEL))) {
    assert.ok(['pods', 'kueue'].includes(p.options.mode), `${p.title}: panel mode ${p.options.mode}`);
  }
});

// With TypeScript around (the Grafana panel's dev dependencies), the JSON must also type-check as
// the SDK's Dashboard type: object literals get excess-property checks, so unknown fields fail too.
const panelRequire = createRequire(join(root, 'www/grafana-panel/package.json'));
let ts = null;
try {
  ts = panelRequire('typescript');
} catch {
  /* not installed */
}
// The SDK's types as JSON has them: string enums as their values (`${E}`), and panel targets as
// the Prometheus query type (the SDK types them as an opaque variant interface).
const JSON_TYPES = `import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery as PromQuery } from '@grafana/grafana-foundation-sdk/prometheus';
type Json<T> = T extends { _implementsDataqueryVariant(): void }
  ? { [K in keyof Omit<PromQuery, '_implementsDataqueryVariant'>]: Json<PromQuery[K]> }
  : T extends string ? \`\${T}\`
  : T extends number | boolean | null | undefined ? T
  : T extends (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T]: Json<T[K]> }
  : T;`;

test('dashboards type-check as the SDK\'s dashboard.Dashboard', { skip: ts ? false : 'typescript not installed (cd www/grafana-panel && npm ci)' }, () => {
  // A broken copy proves the check can fail: a misspelt field, a wrong enum value, a string height.
  const broken = structuredClone(files['kubeprom-pods.json']);
  broken.panels[1].tagets = broken.panels[1].targets;
  broken.graphTooltip = 7;
  broken.panels[2].gridPos.h = '9';
  broken.templating.list[1].type = 'querry';
  const dir = mkdtempSync(join(tmpdir(), 'kubeprom-dash-types-'));
  try {
    const sources = [];
    for (const [file, d] of [...Object.entries(files), ['broken.json', broken]]) {
      const path = join(dir, file.replace(/\.json$/, '.ts').replace(/-/g, '_'));
      writeFileSync(path, `${JSON_TYPES}\nexport const dashboard: Json<Dashboard> = ${JSON.stringify(d, null, 1)};\n`);
      sources.push(path);
    }
    const program = ts.createProgram(sources, {
      strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022, baseUrl: root, typeRoots: [], types: [],
      paths: { '@grafana/grafana-foundation-sdk/*': [join(root, 'node_modules/@grafana/grafana-foundation-sdk/dist/*/index.d.ts')] },
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? d.file.fileName.split('/').pop() : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    assert.deepEqual(diags.filter((d) => !d.startsWith('broken.ts')), []);
    const bad = diags.filter((d) => d.startsWith('broken.ts')).join('\n');
    for (const what of [/'"tagets"' does not exist/, /'7' is not assignable/, /'string' is not assignable to type 'number'/, /'"querry"' is not assignable/]) assert.match(bad, what);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every dashboard query lints clean and keeps its template variables as variables', () => {
  const kp = core();
  assert.ok(queries.length > 50, `only ${queries.length} queries`);
  for (const q of queries) {
    const findings = kp.lintQuery(q.expr, { scrapeInterval: '30s' });
    assert.deepEqual(findings, [], `${q.dashboard} / ${q.panel} / ${q.refId}: ${q.expr}`);
    // A variable reaches buildQuery as a variable: `label=~"$var"`, never an escaped literal.
    const spec = q.spec ?? {};
    const vars = [spec.cluster, spec.namespace, spec.pod, spec.workload?.name, ...Object.values(spec.selector ?? {})].filter((v) => typeof v === 'string' && v.startsWith('$'));
    for (const v of vars) assert.match(q.expr, new RegExp(`=~"\\${v}"`), `${q.panel}: ${v} is not a regex matcher on the variable in ${q.expr}`);
    assert.doesNotMatch(q.expr, /\\\$/, `${q.panel}: an escaped $ in ${q.expr}`);
    if (spec.window === '$__rate_interval') assert.match(q.expr, /\[\$__rate_interval\]/);
  }
  // Only the expressions handwritten.mjs names are not buildQuery's.
  const hand = queries.filter((q) => q.handwritten);
  assert.deepEqual([...new Set(hand.map((q) => q.handwritten.split('.')[0]))].sort(), ['kueueExporter', 'rightSizing', 'workloadNameSource']);
});

// ------------------------------------------------------------------------------------------------
// Against the harness Prometheus and VictoriaMetrics: Grafana's interpolation done by hand, instant
// queries at the dataset's anchor, values compared with expected.json.

const allJobs = defaults.operators.map((o) => o.job);
const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Grafana's interpolation of a multi-value variable in a regex matcher: (a|b), escaped. */
const multi = (values) => `(${values.map(reEscape).join('|')})`;

function interpolate(expr, values) {
  return expr.replace(/\$(__rate_interval|[a-z_]+)/g, (m, name) => {
    if (name === '__rate_interval') return values.__rate_interval ?? '5m';
    if (!(name in values)) throw new Error(`no test value for $${name} in ${expr}`);
    return values[name];
  });
}

async function instant(expr) {
  const url = `${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${expected.anchor}`;
  const body = await (await fetch(url)).text();
  return core().parseResponse(body);
}

/** Whether a pod belongs to a workload of the kind (a Job's pods are the Job's, a CronJob's too). */
const ownedBy = (p, kind) => (kind === 'Job' ? p.owner.kind === 'Job' : p.workload.kind === kind);
const close = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);
const podKey = (l) => `${l.namespace}/${l.pod}`;

/** The expected value of a per-pod metric, from expected.json's pod records. */
const podValue = {
  pod_cpu_usage: (p) => p.cpu,
  pod_memory_working_set: (p) => p.memoryWorkingSet,
  pod_memory_rss: (p) => p.memoryRss,
  pod_cpu_requests: (p) => p.cpuRequests,
  pod_cpu_limits: (p) => p.cpuLimits,
  pod_memory_requests: (p) => p.memoryRequests,
  pod_memory_limits: (p) => p.memoryLimits,
  pod_cpu_throttling: (p) => p.throttling,
  pod_network_receive: (p) => p.networkReceive,
  pod_network_transmit: (p) => p.networkTransmit,
  pod_fs_read: (p) => p.fsRead,
  pod_fs_write: (p) => p.fsWrite,
  pod_restarts: (p) => p.restarts,
  // expected.json has no cache or swap totals; generate.mjs models them as 10% of each
  // container's working set (rounded) and 0.
  pod_memory_cache: (p) => Object.values(p.containers).reduce((s, c) => s + Math.round(c.memory * 0.1), 0),
  pod_memory_swap: () => 0,
};

/** Values of a result keyed by the labels named (joined with "/"), the last sample of each. */
function keyed(res, labels, what) {
  const got = Object.fromEntries(res.series.map((s) => [labels.map((l) => s.labels[l]).join('/'), s.values[s.values.length - 1]]));
  assert.equal(Object.keys(got).length, res.series.length, `${what}: a series twice`);
  return got;
}
/** Keyed values equal to `want` (same keys, values within rounding). */
function sameValues(got, want, what) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), what);
  for (const k of Object.keys(want)) close(got[k], want[k], `${what}: ${k}`);
}
/** expected.controllerRuntime flattened to "job/controller" -> pick(record). */
const perController = (pick) => Object.fromEntries(Object.entries(expected.controllerRuntime).flatMap(([job, cs]) => Object.entries(cs).map(([c, r]) => [`${job}/${c}`, pick(r)])));
/** expected.spark flattened to job -> pick(record). */
const perSparkJob = (pick) => Object.fromEntries(Object.entries(expected.spark).map(([job, r]) => [job, pick(r)]));
/** An expected.kueue section of cluster queue -> key -> value flattened to "cq/key". */
const perClusterQueue = (section) => Object.fromEntries(Object.entries(section).flatMap(([cq, byKey]) => Object.entries(byKey).map(([k, v]) => [`${cq}/${k}`, v])));
/** A wait stage's quantile per cluster queue, at the query's quantile. */
const stageWait = (stage, q) => Object.fromEntries(Object.entries(expected.kueue.stageWait).map(([cq, st]) => [cq, st[stage][quantileKey(q.spec.quantile)]]));
const quantileKey = (q) => ({ 0.5: 'p50', 0.95: 'p95', 0.99: 'p99' })[q];

/**
 * Queries whose expectations are not per pod, by catalog id (or hand-written name): the labels
 * that key their series and the values expected.json gives for those keys.
 */
const keyedExpectations = {
  kueue_quota_reserved_workloads_rate: () => [['cluster_queue'], expected.kueue.quotaReservedPerSecond],
  kueue_evicted_workloads_rate: () => [['cluster_queue', 'reason'], Object.fromEntries(Object.entries(expected.kueue.evictedPerSecond).flatMap(([cq, rs]) => Object.entries(rs).map(([r, v]) => [`${cq}/${r}`, v])))],
  kueue_admitted_active_workloads: () => [['cluster_queue'], expected.kueue.admittedActive],
  // A series without underlying_cause (quota reserved) keys as "cq/reason/".
  kueue_unadmitted_workloads: () => [['cluster_queue', 'reason', 'underlying_cause'], perClusterQueue(expected.kueue.unadmitted)],
  kueue_pending_cpu: () => [['cluster_queue'], Object.fromEntries(Object.entries(expected.kueue.pendingResources).map(([cq, r]) => [cq, r.cpu]))],
  kueue_pending_memory: () => [['cluster_queue'], Object.fromEntries(Object.entries(expected.kueue.pendingResources).map(([cq, r]) => [cq, r.memory]))],
  kueue_quota_reserved_wait_time: (q) => [['cluster_queue'], stageWait('quotaReservedWait', q)],
  kueue_admission_checks_wait_time: (q) => [['cluster_queue'], stageWait('admissionChecksWait', q)],
  kueue_admitted_until_ready_wait_time: (q) => [['cluster_queue'], stageWait('admittedUntilReadyWait', q)],
  kueue_workload_eviction_latency: (q) => [['cluster_queue', 'reason'], Object.fromEntries(Object.entries(expected.kueue.evictionLatency).flatMap(([cq, rs]) => Object.entries(rs).map(([r, v]) => [`${cq}/${r}`, v[quantileKey(q.spec.quantile)]])))],
  operator_active_workers: () => [['job', 'controller'], perController((r) => r.activeWorkers)],
  operator_reconcile_latency: (q) => [['job', 'controller'], perController((r) => r.reconcileLatency[quantileKey(q.spec.quantile)])],
  kuberay_cluster_provisioned_duration: () => [['namespace', 'name'], expected.kuberay.provisionedSeconds],
  spark_application_running: () => [['job'], perSparkJob((r) => r.running)],
  spark_application_submit_rate: () => [['job'], perSparkJob((r) => r.submitPerSecond)],
  spark_application_failure_rate: () => [['job'], perSparkJob((r) => r.failurePerSecond)],
  spark_application_success_rate: () => [['job'], perSparkJob((r) => r.successPerSecond)],
  spark_application_start_latency: (q) => [['job'], perSparkJob((r) => r.startLatency[quantileKey(q.spec.quantile)])],
};

testOnEachBackend('dashboard queries return the dataset\'s values from a real backend', async () => {
  const pods = Object.values(expected.pods);
  const namespaces = [...new Set(pods.map((p) => p.namespace))].sort();
  let checked = 0;
  const empty = [];
  for (const namespace of namespaces) {
    const values = {
      cluster: '.*', namespace: multi([namespace]), pod: '.*', cluster_queue: '.*', job: multi(allJobs),
      deployment: '.+', statefulset: '.+', daemonset: '.+', job_name: '.+', cronjob: '.+',
    };
    for (const q of queries) {
      if (q.variable) continue;
      const what = `${q.dashboard} / ${q.panel} / ${q.refId} (namespace ${namespace})`;
      const res = await instant(interpolate(q.expr, values));
      const metric = q.spec?.metric;
      // The kubeprom Kueue exporter is not in the dataset: the next test scrapes a real page.
      // Nor are the right-sizing rules' series (the harness loads no rules):
      // right-sizing.test.mjs reads that panel on the history dataset, the rules in place.
      if (q.handwritten?.startsWith('kueueExporter.') || q.handwritten?.startsWith('rightSizing.')) {
        assert.deepEqual(res.series, [], `${what}: the dataset has no such series, yet: ${JSON.stringify(res.series[0]?.labels)}`);
        empty.push(q.handwritten);
        continue;
      }
      const keyedBy = keyedExpectations[q.handwritten ?? metric];
      if (keyedBy) {
        const [labels, want] = keyedBy(q);
        assert.ok(Object.keys(want).length > 0, `${what}: expected.json has no values`);
        sameValues(keyed(res, labels, what), want, what);
        checked++;
        continue;
      }
      const last = (s) => s.values[s.values.length - 1];
      if (metric in podValue) {
        // Pods of the namespace, or of the workloads of a kind (the variable set to every name).
        let want = pods.filter((p) => p.namespace === namespace);
        if (q.spec.workload) want = want.filter((p) => ownedBy(p, q.spec.workload.kind));
        const got = Object.fromEntries(res.series.map((s) => [podKey(s.labels), last(s)]));
        assert.equal(res.series.length, Object.keys(got).length, `${what}: a pod twice`);
        assert.deepEqual(Object.keys(got).sort(), want.map((p) => `${p.namespace}/${p.pod}`).sort(), `${what}: pods`);
        for (const p of want) close(got[`${p.namespace}/${p.pod}`], podValue[metric](p), `${what}: ${p.pod}`);
        checked++;
      } else if (metric === 'pod_last_terminated_reason') {
        const got = res.series.map((s) => `${podKey(s.labels)}/${s.labels.container}=${s.labels.reason}`).sort();
        const want = pods.filter((p) => p.namespace === namespace).flatMap((p) => Object.entries(p.lastTerminatedReason).map(([c, r]) => `${p.namespace}/${p.pod}/${c}=${r}`)).sort();
        assert.deepEqual(got, want, what);
        checked++;
      } else if (metric === 'pod_waiting_reason') {
        // The model's containers all run: none waits, so the table is empty, and stays so
        // whichever kube-state-metrics replica reports.
        const got = res.series.map((s) => `${podKey(s.labels)}/${s.labels.container}=${s.labels.reason}`).sort();
        const want = Object.entries(expected.waitingReason).filter(([k]) => k.startsWith(`${namespace}/`)).map(([k, r]) => `${k}=${r}`).sort();
        assert.deepEqual(got, want, what);
        checked++;
      } else if (metric === 'kueue_pending_workloads') {
        const got = Object.fromEntries(res.series.map((s) => [`${s.labels.cluster_queue}/${s.labels.status}`, last(s)]));
        const want = Object.fromEntries(Object.entries(expected.kueue.pending).flatMap(([cq, st]) => Object.entries(st).map(([status, n]) => [`${cq}/${status}`, n])));
        assert.deepEqual(got, want, what);
        checked++;
      } else if (metric === 'kueue_admission_wait_time') {
        const key = q.spec.quantile === 0.5 ? 'p50' : 'p95';
        assert.ok([0.5, 0.95].includes(q.spec.quantile));
        assert.equal(res.series.length, Object.keys(expected.kueue.admissionWait).length, what);
        for (const s of res.series) close(last(s), expected.kueue.admissionWait[s.labels.cluster_queue][key], `${what}: ${s.labels.cluster_queue}`);
        checked++;
      } else if (metric === 'kueue_admitted_workloads_rate') {
        assert.equal(res.series.length, Object.keys(expected.kueue.admittedPerSecond).length, what);
        for (const s of res.series) close(last(s), expected.kueue.admittedPerSecond[s.labels.cluster_queue], `${what}: ${s.labels.cluster_queue}`);
        checked++;
      } else if (metric === 'operator_reconcile_rate' || metric === 'operator_reconcile_errors' || metric === 'operator_workqueue_depth') {
        const want = {};
        for (const [job, controllers] of Object.entries(expected.operators)) {
          for (const [controller, r] of Object.entries(controllers)) {
            if (metric === 'operator_reconcile_rate') for (const result of ['success', 'error', 'requeue']) want[`${job}/${controller}/${result}`] = r[result];
            if (metric === 'operator_reconcile_errors') want[`${job}/${controller}`] = r.error;
            if (metric === 'operator_workqueue_depth') want[`${job}/${controller}`] = r.depth;
          }
        }
        const got = Object.fromEntries(res.series.map((s) => [
          metric === 'operator_reconcile_rate' ? `${s.labels.job}/${s.labels.controller}/${s.labels.result}` : `${s.labels.job}/${s.labels.controller ?? s.labels.name}`,
          last(s),
        ]));
        assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), what);
        for (const k of Object.keys(want)) close(got[k], want[k], `${what}: ${k}`);
        checked++;
      } else if (metric === 'scrape_up') {
        const job = q.spec.selector.job;
        const want = expected.up[job];
        if (want === undefined) assert.deepEqual(res.series, [], `${what}: not scraped shows no value`);
        else assert.deepEqual(res.series.map((s) => [s.labels.job, last(s)]), [[job, Math.min(...want)]], what);
        checked++;
      } else {
        assert.fail(`${what}: no expectation for metric ${metric}; add one`);
      }
    }
  }
  assert.ok(checked >= 60, `only ${checked} queries compared`);
  // Whatever the dataset lacks is listed above; it must not grow silently.
  const recorded = core().rightSizingRules({ profile: defaults.profile }).records.map((r) => `rightSizing.recorded ${r.record}`);
  assert.deepEqual([...new Set(empty)].sort(), ['kueueExporter.errors', 'kueueExporter.lastSuccessAge', 'kueueExporter.oldestPendingAge', 'kueueExporter.pendingAgeQuantile', 'kueueExporter.position', 'kueueExporter.stale', ...recorded].sort());
});

testOnEachBackend('the dashboards\' variables list the dataset\'s clusters, namespaces, pods, queues and workloads', async () => {
  const pods = Object.values(expected.pods);
  const vars = queries.filter((q) => q.variable);
  for (const q of vars) {
    let got;
    if (q.handwritten) {
      // label_values(selector, label): the series API, as Grafana calls it.
      const sel = interpolate(q.expr, { cluster: '.*', namespace: '.*' });
      const url = `${prom.url}/api/v1/label/${q.variable.label}/values?match[]=${encodeURIComponent(sel)}&start=${expected.anchor - 3600}&end=${expected.anchor}`;
      got = (await (await fetch(url)).json()).data.sort();
    } else {
      // query_result(expr) with the regex /label="([^"]+)"/: the label's values in the result.
      const res = await instant(interpolate(q.expr, { cluster: '.*', namespace: '.*' }));
      got = [...new Set(res.series.map((s) => s.labels[q.variable.label]).filter((v) => v !== undefined))].sort();
    }
    const kind = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet', job_name: 'Job', cronjob: 'CronJob' }[q.variable.name];
    const want = {
      cluster: [], // the dataset is one cluster without a cluster label: "All" (.*) matches it
      namespace: [...new Set(pods.map((p) => p.namespace))].sort(),
      pod: pods.map((p) => p.pod).sort(),
      cluster_queue: Object.keys(expected.kueue.pending).sort(),
    }[q.variable.name] ?? [...new Set(kind === 'Job'
      ? pods.filter((p) => p.owner.kind === 'Job').map((p) => p.owner.name)
      : pods.filter((p) => p.workload.kind === kind).map((p) => p.workload.name))].sort();
    assert.deepEqual(got, want, `${q.dashboard} variable ${q.variable.name}: ${q.expr}`);
  }
  assert.ok(vars.length >= 12, `${vars.length} variables`);
});

testOnEachBackend('workload panels select each workload\'s own pods (no name-prefix matches)', async () => {
  const pods = Object.values(expected.pods);
  const variableOf = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset', Job: 'job_name', CronJob: 'cronjob' };
  // Every workload of the dataset, Jobs included (a CronJob's Job is a workload of its own).
  const workloads = new Map();
  for (const p of pods) {
    workloads.set(`${p.namespace}/${p.workload.kind}/${p.workload.name}`, { namespace: p.namespace, kind: p.workload.kind, name: p.workload.name });
    if (p.owner.kind === 'Job') workloads.set(`${p.namespace}/Job/${p.owner.name}`, { namespace: p.namespace, kind: 'Job', name: p.owner.name });
  }
  assert.ok(workloads.has('shop/Deployment/web') && workloads.has('shop/Deployment/web-api'), 'the dataset has the prefix collision');
  let checked = 0;
  for (const w of workloads.values()) {
    const want = pods.filter((p) => p.namespace === w.namespace && (w.kind === 'Job' ? p.owner.kind === 'Job' && p.owner.name === w.name : p.workload.kind === w.kind && p.workload.name === w.name)).map((p) => p.pod).sort();
    const values = { cluster: '.*', namespace: multi([w.namespace]), deployment: '.+', statefulset: '.+', daemonset: '.+', job_name: '.+', cronjob: '.+' };
    values[variableOf[w.kind]] = multi([w.name]);
    for (const q of queries.filter((x) => x.spec?.workload?.kind === w.kind)) {
      const res = await instant(interpolate(q.expr, values));
      assert.deepEqual(res.series.map((s) => s.labels.pod).sort(), want, `${q.panel} / ${q.refId} for ${w.kind} ${w.name}`);
      checked++;
    }
  }
  assert.ok(checked >= 30, `${checked} workload queries`);
});

/** A Prometheus with an empty TSDB scraping one target every second; { url, stop }. */
async function scrapingPrometheus(target) {
  const dir = mkdtempSync(join(tmpdir(), 'kubeprom-scrape-'));
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [{ job_name: 'kubeprom-kueue-exporter', static_configs: [{ targets: [target] }] }],
  }));
  const port = await freePort();
  const child = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const exited = new Promise((ok) => child.on('exit', ok));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10000))]);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, stop };
    } catch { /* not up yet */ }
    if (i > 300 || child.exitCode !== null) {
      await stop();
      throw new Error('prometheus did not start');
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Prometheus' histogram_quantile over cumulative [le, count] buckets (linear in the bucket). */
function histogramQuantile(q, buckets) {
  const total = buckets[buckets.length - 1][1];
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / (count - prevCount));
    }
    prevLe = le;
    prevCount = count;
  }
  return NaN;
}

test('the Kueue exporter panels and alerts read a scraped kubeprom exporter page correctly', async () => {
  // A cluster queue with three workloads pending for 60 s, 10 min and 2 h, served as the kubeprom
  // Kueue exporter serves it (toExposition of the visibility summary) plus its health families.
  const now = Math.floor(Date.now() / 1000);
  const ages = [7200, 600, 60];
  const items = ages.map((age, i) => ({
    metadata: { name: `w${i}`, namespace: 'team-a', creationTimestamp: new Date((now - age) * 1000).toISOString() },
    priority: 0, localQueueName: 'lq', positionInClusterQueue: i, positionInLocalQueue: i,
  }));
  const kp = core();
  const page = kp.toExposition(kp.kueuePendingSummary(JSON.stringify({ kind: 'PendingWorkloadsSummary', apiVersion: 'visibility.kueue.x-k8s.io/v1beta2', metadata: {}, items }), { now, clusterQueue: 'cq-gpu' }));
  const started = Date.now();
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const errors = Math.floor((Date.now() - started) / 1000); // one error a second
    res.setHeader('Content-Type', 'text/plain; version=0.0.4');
    res.end(`${page}# TYPE kubeprom_kueue_exporter_last_success_timestamp_seconds gauge
kubeprom_kueue_exporter_last_success_timestamp_seconds{cluster_queue="cq-gpu"} ${now - 30}
# TYPE kubeprom_kueue_exporter_stale gauge
kubeprom_kueue_exporter_stale{cluster_queue="cq-gpu"} 1
# TYPE kubeprom_kueue_exporter_errors_total counter
kubeprom_kueue_exporter_errors_total{cluster_queue="cq-gpu",kind="http"} ${errors}
`);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  // Not the harness' startPrometheus: its backfilled blocks reach 2 h into the future, so the
  // head refuses samples scraped now ("out of bounds"). An empty TSDB takes them.
  const exporter = await scrapingPrometheus(`127.0.0.1:${server.address().port}`);
  try {
    const query = async (expr) => kp.parseResponse(await (await fetch(`${exporter.url}/api/v1/query?query=${encodeURIComponent(expr)}`)).text()).series;
    // Target discovery takes ~5 s, then one scrape a second; generous for a loaded machine.
    const deadline = Date.now() + 90000;
    for (;;) {
      const n = await query('count_over_time(kubeprom_kueue_exporter_errors_total[1m])');
      if (n.length && n[0].values[0] >= 8) break;
      assert.ok(Date.now() < deadline, 'the exporter page was not scraped');
      await new Promise((ok) => setTimeout(ok, 250));
    }
    const hand = queries.filter((q) => q.handwritten?.startsWith('kueueExporter.'));
    assert.equal(hand.length, 7); // oldest, p50, p95, position, last success, stale, errors
    // A rate window the few seconds of scraped samples fill.
    const vars = { cluster: '.*', cluster_queue: '.*', __rate_interval: '6s' };
    // The page's own bucket bounds, with counts from the ages above.
    const bounds = [...page.matchAll(/kubeprom_kueue_pending_workload_age_seconds_bucket\{[^}]*le="([^"]+)"/g)].map((m) => (m[1] === '+Inf' ? Infinity : Number(m[1])));
    const buckets = bounds.map((le) => [le, ages.filter((a) => a <= le).length]);
    for (const q of hand) {
      const got = await query(interpolate(q.expr, vars));
      const what = `${q.panel} / ${q.refId}: ${q.expr}`;
      assert.ok(got.length >= 1, `${what}: no result`);
      const v = got[0].values[0];
      switch (q.handwritten) {
        case 'kueueExporter.oldestPendingAge': assert.deepEqual([got[0].labels, v], [{ cluster_queue: 'cq-gpu' }, Math.max(...ages)], what); break;
        case 'kueueExporter.pendingAgeQuantile': {
          const quantile = Number(q.expr.match(/histogram_quantile\(([\d.]+)/)[1]);
          close(v, histogramQuantile(quantile, buckets), what);
          break;
        }
        case 'kueueExporter.position':
          assert.deepEqual(got.map((s) => [s.labels.workload, s.labels.local_queue, s.labels.namespace, s.values[0]]).sort(), items.map((w, i) => [w.metadata.name, 'lq', 'team-a', i]).sort(), what);
          break;
        case 'kueueExporter.lastSuccessAge': assert.ok(v >= 30 && v < 30 + (Date.now() / 1000 - now) + 5, `${what}: ${v}`); break;
        case 'kueueExporter.stale': assert.equal(v, 1, what); break;
        case 'kueueExporter.errors':
          assert.deepEqual(got[0].labels, { cluster_queue: 'cq-gpu', kind: 'http' }, what);
          assert.ok(v > 0.5 && v < 2, `${what}: ${v} errors/s, the page adds one a second`);
          break;
        default: assert.fail(q.handwritten);
      }
    }
    // The Kueue alerts on the same page: the 2 h old workload is pending too long; the queue is stale.
    const { buildRuleGroups } = await import('../../deploy/generator/rules.mjs');
    const rules = buildRuleGroups(defaults).flatMap((g) => g.rules);
    for (const name of ['KubepromKueueWorkloadPendingTooLong', 'KubepromKueueExporterStale']) {
      const got = await query(rules.find((r) => r.alert === name).expr);
      assert.deepEqual(got.map((s) => s.labels), [{ cluster_queue: 'cq-gpu' }], name);
    }
  } finally {
    server.close();
    await exporter.stop();
  }
});
