// The provisioned example dashboards stay in step with the core: their queries are exactly what
// buildQuery and planRecommendation write today, and their options are options of this panel.
import { readFileSync } from 'fs';
import { join } from 'path';
import { realKubeprom } from './testing/kubeprom';
import { defaultOptions } from './types';

const load = (file: string) => JSON.parse(readFileSync(join(__dirname, '../provisioning/dashboards', file), 'utf8'));
const dashboard = load('dashboard.json');
const rightSizing = load('right-sizing.json');
const kp = realKubeprom();
const exprs = (id: number) =>
  dashboard.panels.find((p: { id: number }) => p.id === id).targets.map((t: { expr: string }) => t.expr);
const ns = { namespace: '$namespace', variables: 'regex' as const };

describe('provisioned dashboard', () => {
  it('uses the queries buildQuery writes', () => {
    expect(exprs(1)).toEqual([
      kp.buildQuery({ metric: 'pod_memory_working_set', ...ns }),
      kp.buildQuery({ metric: 'pod_memory_requests', ...ns }),
      kp.buildQuery({ metric: 'pod_memory_limits', ...ns }),
    ]);
    expect(exprs(2)).toEqual([
      kp.buildQuery({ metric: 'pod_cpu_usage', window: '$__rate_interval', ...ns }),
      kp.buildQuery({ metric: 'pod_cpu_requests', ...ns }),
      kp.buildQuery({ metric: 'pod_cpu_limits', ...ns }),
    ]);
    expect(exprs(4)).toEqual([
      kp.buildQuery({ metric: 'kueue_pending_workloads', variables: 'off' }),
      kp.buildQuery({ metric: 'kueue_admission_wait_time', variables: 'off' }),
    ]);
    for (const id of [1, 2, 4]) {
      for (const e of exprs(id)) {
        expect(kp.lintQuery(e)).toEqual([]);
      }
    }
  });

  it('shows the lint finding on its hand-written panel', () => {
    expect(kp.lintQuery(exprs(3)[0]).map((f) => f.rule)).toContain('cadvisor-double-count');
  });

  it("gives its right-sizing panel the plan's queries for its options, instant, the need as refId", () => {
    const [panel] = rightSizing.panels;
    expect(panel.options.mode).toBe('rightsizing');
    expect(panel.options.rightSizing).toEqual({
      namespace: '$namespace',
      workloadKind: 'Deployment',
      workloadName: '$deployment',
    });
    const plan = kp.planRecommendation({
      namespace: '$namespace',
      workload: { kind: 'Deployment', name: '$deployment' },
    });
    expect(
      panel.targets.map((t: { refId: string; expr: string; instant: boolean; range: boolean }) => [
        t.refId,
        t.expr,
        t.instant,
        t.range,
      ])
    ).toEqual(plan.queries.map((q) => [q.need, q.promql, true, false]));
    // Right-sizing is per workload: its variables take one value each.
    for (const v of rightSizing.templating.list) {
      expect([v.name, v.multi, v.includeAll]).toEqual([v.name, false, false]);
    }
  });

  it('sets only options the panel has', () => {
    for (const p of [...dashboard.panels, ...rightSizing.panels]) {
      expect(p.type).toBe('kubeprom-podresources-panel');
      for (const key of Object.keys(p.options)) {
        expect(Object.keys(defaultOptions)).toContain(key);
      }
    }
  });
});
