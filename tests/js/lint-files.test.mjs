// lintDashboard and lintRules through the shim: the project's real dashboards (JSON text and
// parsed) and rules (the generator's groups, as a YAML parser would hand them over), positions
// inside the expression as lintQuery gives them, and the errors for what is not such a file.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync, initLintSync, lintDashboard, lintRules, lintQuery, KubepromError } from '../../www/index.js';
import { buildRuleGroups } from '../../deploy/generator/rules.mjs';
import { defaults } from '../../deploy/generator/options.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = (f) => readFileSync(join(root, 'pkg', f));

before(() => {
  initSync({ module: pkg('kubeprom_bg.wasm') });
  initLintSync({ module: pkg('kubeprom_lint_bg.wasm') });
});

const invalid = (pattern) => (e) => e instanceof KubepromError && e.kind === 'invalid_argument' && pattern.test(e.message);

test('the generated dashboards lint clean, as text and as objects', () => {
  const dir = join(root, 'deploy/dashboards');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const fromText = lintDashboard(text, { scrapeInterval: '30s' });
    assert.deepEqual(fromText.findings, [], f);
    assert.deepEqual(fromText.skipped, [], f);
    assert.ok(fromText.linted > 0, f);
    assert.deepEqual(lintDashboard(JSON.parse(text), { scrapeInterval: '30s' }), fromText, f);
  }
});

test('the generated rules lint clean, as a rule file and as a PrometheusRule', () => {
  const groups = buildRuleGroups(defaults);
  const rules = groups.reduce((n, g) => n + g.rules.length, 0);
  const plain = lintRules({ groups }, { scrapeInterval: '30s' });
  assert.deepEqual(plain, { findings: [], skipped: [], linted: rules });
  const cr = lintRules({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'x' }, spec: { groups } });
  assert.equal(cr.linted, rules);
});

test('findings name their panel and keep lintQuery\'s UTF-16 offsets in the expression', () => {
  const expr = 'sum(http_requests_total{path="é😀"})';
  const dashboard = {
    panels: [{ id: 2, type: 'row', collapsed: true, panels: [{ id: 3, title: 'Req', targets: [{ refId: 'A', expr }] }] }],
    templating: { list: [{ type: 'query', name: 'v', query: 'query_result(up > $x)' }] },
  };
  const report = lintDashboard(dashboard);
  const alone = lintQuery(expr);
  assert.equal(report.findings.length, alone.length);
  const [f] = report.findings;
  assert.deepEqual(f.subject, { kind: 'panel', id: 3, title: 'Req', refId: 'A' });
  assert.equal(f.pointer, '/panels/0/panels/0/targets/0/expr');
  assert.equal(f.rule, 'counter-without-rate');
  assert.deepEqual([f.start, f.end], [alone[0].start, alone[0].end]);
  assert.equal(report.skipped.length, 1);
  assert.deepEqual(report.skipped[0].subject, { kind: 'variable', name: 'v' });
  assert.match(report.skipped[0].reason, /\$x/);
});

test('rule sanity findings carry their own rule ids', () => {
  const r = lintRules(JSON.stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5 m' }] }] }));
  assert.deepEqual(r.findings.map((f) => [f.rule, f.severity, f.pointer]), [
    ['rule-duration-invalid', 'error', '/groups/0/rules/0/for'],
    ['alert-without-severity', 'warning', '/groups/0/rules/0/alert'],
  ]);
  assert.deepEqual(r.findings[1].subject, { kind: 'rule', group: 'g', index: 0, name: 'A' });
});

test('what is not a dashboard or rule file is an invalid_argument naming the place', () => {
  assert.throws(() => lintDashboard('{"panels": ['), invalid(/^dashboard: invalid JSON/));
  assert.throws(() => lintDashboard({ groups: [] }), invalid(/missing field `panels`.*rule file/));
  assert.throws(() => lintRules({ groups: [{ name: 'g', rules: 'x' }] }), invalid(/^rules: \/groups\/0\/rules: expected an array, found a string$/));
  assert.throws(() => lintRules({ groups: [() => 1] }), invalid(/\/groups\/0: not a JSON value/));
  const cyclic = { groups: [] };
  cyclic.groups.push(cyclic);
  assert.throws(() => lintRules(cyclic), invalid(/nested more than 128 deep/));
  assert.throws(() => lintRules({ groups: [] }, { scrapeInterval: 'soon' }), invalid(/scrapeInterval/));
});
