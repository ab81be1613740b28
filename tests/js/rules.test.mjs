// The generated Prometheus rules (deploy/rules): promtool check and unit tests, every alert
// covered firing and silent, the PrometheusRule carrying the same groups, every expression
// lint-clean, and the recording rules and alert expressions evaluated on the harness Prometheus
// against the dataset's expected.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrometheus } from '../harness/prometheus.mjs';
import { core } from '../../deploy/generator/core.mjs';
import { render } from '../../deploy/generator/generate.mjs';
import { defaults, withOptions } from '../../deploy/generator/options.mjs';
import { buildRuleGroups, recorded } from '../../deploy/generator/rules.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rulesDir = join(root, 'deploy/rules');
const testsDir = join(rulesDir, 'tests');
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.yaml')).sort();
const groups = buildRuleGroups(defaults);
const alerts = groups.flatMap((g) => g.rules.filter((r) => r.alert));
const records = groups.flatMap((g) => g.rules.filter((r) => r.record));

function promtool(args, cwd = root) {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool could not run: ${r.error.message}`);
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

let prom;
before(async () => {
  prom = await startPrometheus();
});
after(async () => {
  await prom?.stop();
});

test('the committed rule files are the generator\'s output', () => {
  for (const f of render(defaults).filter((x) => x.path.startsWith('rules/'))) {
    assert.equal(readFileSync(join(root, 'deploy', f.path), 'utf8'), f.text, `deploy/${f.path} is out of date: run npm run dashboards`);
  }
});

test('promtool check rules passes on the rule file and on the PrometheusRule\'s groups', () => {
  const plain = promtool(['check', 'rules', join(rulesDir, 'kubeprom.rules.yaml')]);
  assert.ok(plain.ok, plain.out);
  assert.match(plain.out, new RegExp(`SUCCESS: ${alerts.length + records.length} rules found`));
  // The PrometheusRule's spec is the same groups: cut it out and check it as a rule file.
  const text = readFileSync(join(rulesDir, 'prometheusrule.yaml'), 'utf8');
  assert.match(text, /^apiVersion: monitoring\.coreos\.com\/v1\nkind: PrometheusRule\nmetadata:\n {2}name: kubeprom\n/m);
  const lines = text.split('\n');
  const spec = lines.indexOf('spec:');
  assert.ok(spec > 0);
  const body = lines.slice(spec + 1).map((l) => l.replace(/^ {2}/, '')).join('\n');
  const plainBody = readFileSync(join(rulesDir, 'kubeprom.rules.yaml'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
  assert.equal(body, plainBody, 'the PrometheusRule spec holds exactly the rule file\'s groups');
  const dir = mkdtempSync(join(tmpdir(), 'kubeprom-rules-'));
  try {
    writeFileSync(join(dir, 'spec.yaml'), body);
    const r = promtool(['check', 'rules', join(dir, 'spec.yaml')]);
    assert.ok(r.ok, r.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool test rules passes', () => {
  const r = promtool(['test', 'rules', ...testFiles.map((f) => join(testsDir, f))]);
  assert.ok(r.ok, r.out);
  assert.equal((r.out.match(/SUCCESS/g) ?? []).length, testFiles.length, r.out);
});

test('every alert has a unit test where it fires and one where it stays silent', () => {
  // alert_rule_test entries: `alertname: X` followed by `exp_alerts: []` (silent) or a list.
  const cases = new Map();
  for (const f of testFiles) {
    const lines = readFileSync(join(testsDir, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = line.match(/^\s+alertname: (\S+)\s*$/);
      if (!m) return;
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      const c = cases.get(m[1]) ?? { fires: 0, silent: 0 };
      if (/exp_alerts: \[\]\s*$/.test(next)) c.silent++;
      else if (/exp_alerts:\s*$/.test(next)) c.fires++;
      else assert.fail(`${f}:${i + 2}: cannot read the expectation of ${m[1]}`);
      cases.set(m[1], c);
    });
  }
  const names = [...new Set(alerts.map((a) => a.alert))].sort();
  assert.deepEqual([...cases.keys()].filter((n) => !names.includes(n)), [], 'tests of alerts that do not exist');
  for (const n of names) {
    const c = cases.get(n);
    assert.ok(c && c.fires > 0, `${n}: no test where it fires`);
    assert.ok(c.silent > 0, `${n}: no test where it stays silent`);
  }
});

test('the unit tests catch a wrong threshold (the 60% pod and the doubly scraped restarts are there)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeprom-rules-mut-'));
  try {
    for (const f of render(withOptions({ alerts: { podMemoryNearLimit: { threshold: 0.5 }, podRestartBurst: { threshold: 3 } } }))) {
      if (!f.path.startsWith('rules/')) continue;
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.text);
    }
    cpSync(testsDir, join(dir, 'rules/tests'), { recursive: true });
    const r = promtool(['test', 'rules', join(dir, 'rules/tests/pods.test.yaml')]);
    assert.ok(!r.ok, 'the unit tests passed with the wrong thresholds');
    assert.match(r.out, /pod="steady"/, 'the steady pod (60% of its limit) fires at a 50% threshold');
    assert.match(r.out, /pod="flaky"/, 'flaky (3 restarts) fires at a threshold of 3');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the crash-loop unit test catches an alert that forgets the moments between back-offs', () => {
  // Without max_over_time the alert resets whenever the container runs for a moment: the
  // unit test's loop container (stale samples between back-offs) must then fail to fire.
  const dir = mkdtempSync(join(tmpdir(), 'kubeprom-rules-mut-'));
  try {
    let changed = 0;
    for (const f of render(defaults)) {
      if (!f.path.startsWith('rules/')) continue;
      const text = f.text.replace(/max_over_time\(\((.*reason="CrashLoopBackOff"\}\)\))\)\[[^\]]+:\]\)/g, (_, inner) => (changed++, `(${inner})`));
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), text);
    }
    assert.equal(changed, 2, 'the crash-loop expression in both rule files');
    cpSync(testsDir, join(dir, 'rules/tests'), { recursive: true });
    const r = promtool(['test', 'rules', join(dir, 'rules/tests/pods.test.yaml')]);
    assert.ok(!r.ok, 'the unit tests passed without max_over_time');
    assert.match(r.out, /alertname: KubepromPodCrashLooping, time: 35m/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every rule expression lints clean', () => {
  const kp = core();
  for (const r of [...records, ...alerts]) assert.deepEqual(kp.lintQuery(r.expr, { scrapeInterval: '30s' }), [], `${r.record ?? r.alert}: ${r.expr}`);
});

async function instant(expr) {
  const url = `${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${prom.expected.anchor}`;
  return core().parseResponse(await (await fetch(url)).text());
}
const close = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);
const last = (s) => s.values[s.values.length - 1];

test('recording rules give each pod the dataset\'s CPU, memory, requests and limits', async () => {
  const pods = Object.values(prom.expected.pods);
  const names = recorded(defaults.ruleWindow);
  const field = { cpu: 'cpu', memory: 'memoryWorkingSet', cpuRequests: 'cpuRequests', cpuLimits: 'cpuLimits', memoryRequests: 'memoryRequests', memoryLimits: 'memoryLimits' };
  assert.deepEqual(Object.keys(field).sort(), Object.keys(names).sort());
  for (const [key, name] of Object.entries(names)) {
    const rule = records.find((r) => r.record === name);
    assert.ok(rule, name);
    const res = await instant(rule.expr);
    const got = Object.fromEntries(res.series.map((s) => [`${s.labels.namespace}/${s.labels.pod}`, last(s)]));
    assert.deepEqual(Object.keys(got).sort(), pods.map((p) => `${p.namespace}/${p.pod}`).sort(), name);
    for (const p of pods) close(got[`${p.namespace}/${p.pod}`], p[field[key]], `${name} ${p.pod}`);
  }
});

test('alert expressions on the dataset: what fires and with which value', async () => {
  const e = prom.expected;
  const pods = Object.values(e.pods);
  const byName = (n) => alerts.filter((a) => a.alert === n);
  const run = async (n) => (await Promise.all(byName(n).map((a) => instant(a.expr)))).flatMap((r) => r.series);

  // CPU throttling above 25%: the pods whose modelled throttling is above it, with that value.
  const throttled = await run('KubepromPodCPUThrottling');
  const wantThrottled = pods.filter((p) => p.throttling > defaults.alerts.podCPUThrottling.threshold);
  assert.deepEqual(throttled.map((s) => s.labels.pod).sort(), wantThrottled.map((p) => p.pod).sort());
  for (const s of throttled) close(last(s), e.pods[`${s.labels.namespace}/${s.labels.pod}`].throttling, s.labels.pod);

  // Memory near limit: with the threshold at 0 the expression returns each container's ratio;
  // single-container pods' ratio is the pod's working set over its limit.
  const ratio = buildRuleGroups(withOptions({ alerts: { podMemoryNearLimit: { threshold: 0 } } })).flatMap((g) => g.rules).find((r) => r.alert === 'KubepromPodMemoryNearLimit');
  const ratios = (await instant(ratio.expr)).series;
  assert.deepEqual(ratios.map((s) => `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`).sort(),
    pods.flatMap((p) => Object.keys(p.containers).map((c) => `${p.namespace}/${p.pod}/${c}`)).sort());
  for (const s of ratios) {
    const p = e.pods[`${s.labels.namespace}/${s.labels.pod}`];
    if (Object.keys(p.containers).length === 1) close(last(s), p.memoryWorkingSet / p.memoryLimits, `${p.pod} memory/limit`);
  }
  const near = await run('KubepromPodMemoryNearLimit');
  assert.deepEqual(near.map((s) => s.labels.pod), ratios.filter((s) => last(s) > defaults.alerts.podMemoryNearLimit.threshold).map((s) => s.labels.pod));

  // Restarts are constant in the dataset: no OOM or burst now, db-0's old OOMKilled included.
  for (const n of ['KubepromPodOOMKilled', 'KubepromPodRestartBurst']) assert.deepEqual(await run(n), [], n);
  // Crash looping: the containers the model has waiting in CrashLoopBackOff (none: all run).
  assert.deepEqual((await run('KubepromPodCrashLooping')).map((s) => `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`).sort(),
    Object.entries(e.waitingReason).filter(([, r]) => r === 'CrashLoopBackOff').map(([k]) => k).sort());

  // Operators: the Spark operator is down; the others are up.
  const notScraped = await run('KubepromOperatorNotScraped');
  const down = Object.entries(e.up).filter(([job, v]) => defaults.operators.some((o) => o.job === job) && Math.min(...v) === 0).map(([job]) => job);
  assert.deepEqual(notScraped.map((s) => s.labels.job).sort(), down.sort());
  assert.deepEqual(down, ['spark-operator']);

  // Reconcile errors: the ratio errors / all reconciles per controller; none reaches 5% here.
  const errRule = buildRuleGroups(withOptions({ alerts: { operatorReconcileErrors: { threshold: 0 } } })).flatMap((g) => g.rules).find((r) => r.alert === 'KubepromOperatorReconcileErrors');
  const errs = (await instant(errRule.expr)).series;
  const wantErr = Object.entries(e.operators).flatMap(([job, cs]) => Object.entries(cs).filter(([, r]) => r.error > 0).map(([c, r]) => [`${job}/${c}`, r.error / (r.success + r.error + r.requeue)]));
  assert.deepEqual(errs.map((s) => `${s.labels.job}/${s.labels.controller}`).sort(), wantErr.map(([k]) => k).sort());
  for (const s of errs) close(last(s), Object.fromEntries(wantErr)[`${s.labels.job}/${s.labels.controller}`], 'error ratio');
  assert.deepEqual((await run('KubepromOperatorReconcileErrors')).map((s) => `${s.labels.job}/${s.labels.controller}`).sort(),
    wantErr.filter(([, v]) => v > defaults.alerts.operatorReconcileErrors.threshold).map(([k]) => k).sort());

  // Reconcile latency: with the threshold at 0 the expression returns each controller's quantile
  // of reconcile time; raycluster-controller's slow tail puts its p99 above 10 s.
  const latKey = { 0.5: 'p50', 0.95: 'p95', 0.99: 'p99' }[defaults.alerts.operatorReconcileLatency.quantile];
  assert.ok(latKey, 'expected.json has the alert\'s quantile');
  const latRule = buildRuleGroups(withOptions({ alerts: { operatorReconcileLatency: { threshold: 0 } } })).flatMap((g) => g.rules).find((r) => r.alert === 'KubepromOperatorReconcileSlow');
  const lat = (await instant(latRule.expr)).series;
  const wantLat = Object.fromEntries(Object.entries(e.controllerRuntime).flatMap(([job, cs]) => Object.entries(cs).map(([c, r]) => [`${job}/${c}`, r.reconcileLatency[latKey]])));
  assert.deepEqual(lat.map((s) => `${s.labels.job}/${s.labels.controller}`).sort(), Object.keys(wantLat).sort());
  for (const s of lat) close(last(s), wantLat[`${s.labels.job}/${s.labels.controller}`], `p99 reconcile time ${s.labels.controller}`);
  const slow = Object.entries(wantLat).filter(([, v]) => v > defaults.alerts.operatorReconcileLatency.threshold).map(([k]) => k).sort();
  assert.deepEqual(slow, ['kuberay-operator/raycluster-controller']);
  assert.deepEqual((await run('KubepromOperatorReconcileSlow')).map((s) => `${s.labels.job}/${s.labels.controller}`).sort(), slow);

  // Kueue: inadmissible workloads per cluster queue, the follower replica not counted.
  const inadmissible = await run('KubepromKueueInadmissibleWorkloads');
  const wantIn = Object.entries(e.kueue.pending).filter(([, s]) => s.inadmissible > 0);
  assert.deepEqual(inadmissible.map((s) => [s.labels.cluster_queue, last(s)]), wantIn.map(([cq, s]) => [cq, s.inadmissible]));
});

test('bad options are refused with the option named', () => {
  assert.throws(() => withOptions({ alerts: { podMemoryNearLimit: { threshold: '80%' } } }), /alerts\.podMemoryNearLimit\.threshold: must be a finite number/);
  assert.throws(() => withOptions({ alerts: { podCrashLooping: { for: '15 minutes' } } }), /alerts\.podCrashLooping\.for/);
  assert.throws(() => withOptions({ alerts: { podMemoryNearLimit: { treshold: 0.9 } } }), /unknown option treshold/);
  assert.throws(() => withOptions({ operators: [{ name: 'X' }] }), /operators\[0\]\.job/);
  assert.throws(() => withOptions({ operatorz: [] }), /unknown option operatorz/);
  assert.equal(withOptions({ alerts: { podMemoryNearLimit: { threshold: 0.9 } } }).alerts.podMemoryNearLimit.for, defaults.alerts.podMemoryNearLimit.for);
});
