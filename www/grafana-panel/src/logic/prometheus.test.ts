// The panel logic on frames converted from real Prometheus responses: the harness Prometheus of
// the repository serves the generated dataset; tests/jest/globalSetup.mjs records the responses.
// Expected numbers come from the dataset generator's ground truth (expected.json), never from the
// code under test.
import { readFileSync } from 'fs';
import type { DataFrame } from '@grafana/data';
import { realKubeprom } from '../testing/kubeprom';
import { prometheusToFrames, type PromResponse } from '../testing/promFrames';
import { defaultOptions, type PodResourcesOptions } from '../types';
import { framesToResults } from './frames';
import { buildKueueView } from './kueueView';
import { buildPodView } from './podView';
import { classifyQueries } from './roles';

interface Recorded {
  expected: {
    pods: Record<
      string,
      {
        namespace: string;
        pod: string;
        memoryWorkingSet: number;
        cpu: number;
        memoryRequests: number;
        memoryLimits: number;
      }
    >;
    kueue: {
      pending: Record<string, Record<string, number>>;
      admissionWait: Record<string, { p95: number }>;
      /** Per cluster queue, "reason/underlying_cause" (empty once quota is reserved). */
      unadmitted: Record<string, Record<string, number>>;
    };
  };
  responses: Record<string, { expr: string; step: number; body: PromResponse }>;
}

const MiB = 1024 * 1024;
const fixtures = process.env.KUBEPROM_PROMETHEUS_FIXTURES;
if (!fixtures) {
  throw new Error(
    'KUBEPROM_PROMETHEUS_FIXTURES is not set: run through jest.config.js (globalSetup starts the harness Prometheus)'
  );
}
const recorded: Recorded = JSON.parse(readFileSync(fixtures, 'utf8'));
const { expected } = recorded;
const kp = realKubeprom();

/** Frames for the named recorded queries, refIds A, B, C... in order, as a dashboard panel gets them. */
function panel(names: string[], options: Partial<PodResourcesOptions> = {}) {
  const frames: DataFrame[] = [];
  const targets = names.map((name, i) => {
    const r = recorded.responses[name];
    const refId = String.fromCharCode(65 + i);
    frames.push(...prometheusToFrames(r.body, { refId, expr: r.expr, stepSeconds: r.step }));
    return { refId, expr: r.expr };
  });
  const opts = { ...defaultOptions, ...options };
  return { frames, queries: classifyQueries(targets, framesToResults(frames), opts), opts };
}

function podView(names: string[], options: Partial<PodResourcesOptions> = {}) {
  const { queries, opts } = panel(names, options);
  return buildPodView(kp, queries, opts, undefined);
}

const allPods = Object.values(expected.pods);
const shopPods = allPods.filter((p) => p.namespace === 'shop');

describe('frames from the real Prometheus', () => {
  it('look like the data source frames: one frame per series, labels on the value field', () => {
    const { frames } = panel(['memoryWrongSelector']);
    expect(frames.length).toBe(recorded.responses.memoryWrongSelector.body.data.result.length);
    for (const f of frames) {
      expect(f.fields.map((x) => x.type)).toEqual(['time', 'number']);
      expect(f.fields[1].labels?.__name__).toBe('container_memory_working_set_bytes');
      expect(f.meta?.executedQueryString).toMatch(/^Expr: container_memory_working_set_bytes/);
    }
  });
});

describe('pod view on the real Prometheus', () => {
  it('shows every pod with the working set kubectl top pod reports, for the buildQuery query', () => {
    const v = podView(['memory']);
    expect(v.unit).toBe('MiB');
    expect(v.rows.map((r) => r.key).sort()).toEqual(allPods.map((p) => `${p.namespace}/${p.pod}`).sort());
    for (const p of allPods) {
      const row = v.rows.find((r) => r.key === `${p.namespace}/${p.pod}`)!;
      expect(row.value).toBeCloseTo(p.memoryWorkingSet / MiB, 6);
    }
    expect(v.rows.find((r) => r.pod === 'web-7d4b9c-abcde')!.text).toBe(
      `${expected.pods['shop/web-7d4b9c-abcde'].memoryWorkingSet / MiB} MiB`
    );
    expect(v.notices).toEqual([]);
  });

  it('counts each container once for a hand-written selector that also returns the pod cgroup and pause container, and flags the query', () => {
    const v = podView(['memoryWrongSelector']);
    expect(v.rows.map((r) => r.key).sort()).toEqual(shopPods.map((p) => `${p.namespace}/${p.pod}`).sort());
    for (const p of shopPods) {
      expect(v.rows.find((r) => r.pod === p.pod)!.value).toBeCloseTo(p.memoryWorkingSet / MiB, 6);
    }
    expect(v.notices.some((n) => /series not counted$/.test(n.title))).toBe(true);
    const finding = v.lint[0]?.findings.find((f) => f.rule === 'cadvisor-double-count');
    expect(finding?.fix).toContain('container!=""');
  });

  it('flags a summed query that already double counts (the panel cannot undo a sum)', () => {
    const v = podView(['memoryWrongSum']);
    const web = v.rows.find((r) => r.pod === 'web-7d4b9c-abcde')!;
    expect(web.value).toBeGreaterThan(expected.pods['shop/web-7d4b9c-abcde'].memoryWorkingSet / MiB);
    expect(v.lint.flatMap((l) => l.findings.map((f) => f.rule))).toContain('cadvisor-double-count');
  });

  it('shows CPU in millicores', () => {
    const v = podView(['cpu']);
    expect(v.unit).toBe('millicores');
    for (const p of allPods) {
      expect(v.rows.find((r) => r.key === `${p.namespace}/${p.pod}`)!.value).toBeCloseTo(p.cpu * 1000, 3);
    }
  });

  it('marks requests and limits, also from raw kube-state-metrics series of two replicas', () => {
    for (const requests of ['memoryRequests', 'memoryRequestsRaw']) {
      const v = podView(['memory', requests, 'memoryLimits']);
      for (const p of allPods) {
        const row = v.rows.find((r) => r.key === `${p.namespace}/${p.pod}`)!;
        expect(row.request).toBeCloseTo(p.memoryRequests / MiB, 6);
        expect(row.limit).toBeCloseTo(p.memoryLimits / MiB, 6);
        expect(row.percentOfLimit).toBeCloseTo((p.memoryWorkingSet / p.memoryLimits) * 100, 6);
      }
    }
  });
});

describe('Kueue view on the real Prometheus', () => {
  it('shows pending workloads per queue and status, and the p95 admission wait', () => {
    const { queries, opts } = panel(['kueuePending', 'kueueWait'], { mode: 'kueue' });
    const v = buildKueueView(kp, queries, opts);
    expect(v.rows.map((r) => r.queue).sort()).toEqual(Object.keys(expected.kueue.pending).sort());
    for (const [queue, byStatus] of Object.entries(expected.kueue.pending)) {
      const row = v.rows.find((r) => r.queue === queue)!;
      const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
      expect(row.pending).toBeCloseTo(total, 9);
      for (const [status, n] of Object.entries(byStatus)) {
        expect(row.byStatus.find((s) => s.status === status)?.value ?? 0).toBeCloseTo(n, 9);
      }
      // histogram_quantile interpolates inside a bucket, as the generator's ground truth does.
      const p95 = expected.kueue.admissionWait[queue].p95;
      expect(Math.abs(row.wait! - p95) / p95).toBeLessThan(0.01);
    }
  });

  it('shows what the unadmitted workloads of each queue wait for', () => {
    const { queries, opts } = panel(['kueuePending', 'kueueUnadmitted'], { mode: 'kueue' });
    const v = buildKueueView(kp, queries, opts);
    for (const [queue, byKey] of Object.entries(expected.kueue.unadmitted)) {
      const want = Object.entries(byKey)
        .map(([key, n]) => ({ cause: key.split('/')[1] || key.split('/')[0], value: n }))
        .sort((a, b) => b.value - a.value || a.cause.localeCompare(b.cause));
      const row = v.rows.find((r) => r.queue === queue)!;
      expect(row.waitingFor.map(({ cause, value }) => ({ cause, value }))).toEqual(want);
    }
    expect(v.notices).toEqual([]);
  });
});
