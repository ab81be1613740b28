// The browser lint benchmark still runs: every query of benches/lint.rs timed for both tools in
// headless Chromium, lezer-promql parsing them without syntax errors, kubeprom's findings as the
// native linter reports them for the query that has one. (A smoke test: tiny time budget.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchQueries, runBench } from '../../www/bench/lint/run.mjs';

test('lint bench page times kubeprom and lezer-promql on the native bench queries', async () => {
  const queries = await benchQueries();
  assert.ok(queries.length >= 4);
  const report = await runBench({ budgetMs: 20, rounds: 1 });
  assert.deepEqual(report.results.map((r) => r.name), queries.map((q) => q.name));
  for (const r of report.results) {
    assert.ok(r.lintPerSecond > 0 && Number.isFinite(r.lintPerSecond), r.name);
    assert.ok(r.lezerPerSecond > 0 && Number.isFinite(r.lezerPerSecond), r.name);
    assert.equal(r.lezerErrors, 0, `lezer-promql parses ${r.name}`);
    assert.ok(!r.findings.includes('parse-error'), `kubeprom parses ${r.name}`);
  }
  assert.deepEqual(report.results.find((r) => r.name.startsWith('Headlamp')).findings, ['cadvisor-double-count']);
});
