// @vitest-environment node
import { buildQuery, listMetrics, parseDuration } from 'kubeprom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKubepromForTests } from '../testing/kubeprom';
import {
  instantWindow,
  planCharts,
  planCurrent,
  planUsage,
  promDuration,
  RANGES,
  scopeOf,
  timeRange,
} from './plan';

beforeAll(loadKubepromForTests);

describe('durations', () => {
  it('formats seconds as the largest exact PromQL unit', () => {
    expect([15, 90, 120, 3600, 5400, 86400].map(promDuration)).toEqual([
      '15s',
      '90s',
      '2m',
      '1h',
      '90m',
      '1d',
    ]);
  });
  it('writes durations the core reads back', () => {
    for (const s of [15, 90, 120, 3600, 5400, 86400])
      expect(parseDuration(promDuration(s))).toBe(s);
  });
});

describe('timeRange', () => {
  const now = 1_700_000_123;

  it('keeps the rate window at four scrapes for short ranges', () => {
    const r = timeRange(RANGES['1h'], now, 30);
    expect(r.step).toBe(15);
    expect(r.window).toBe('2m');
    expect(r.end - r.start).toBe(3600);
  });

  it('lets the window follow the step for long ranges', () => {
    const r = timeRange(RANGES['7d'], now, 30);
    expect(r.step).toBe(3600);
    expect(r.window).toBe('1h');
  });

  it('never has a window shorter than the step or four scrapes, nor too many points', () => {
    for (const range of [300, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 400 * 86400]) {
      for (const scrape of [10, 15, 30, 60]) {
        const r = timeRange(range, now, scrape);
        const w = parseDuration(r.window);
        expect(w).toBeGreaterThanOrEqual(r.step);
        expect(w).toBeGreaterThanOrEqual(4 * scrape);
        expect((r.end - r.start) / r.step + 1).toBeLessThanOrEqual(11000);
        expect(r.end % r.step).toBe(0);
        expect(r.end).toBeLessThanOrEqual(now);
      }
    }
  });

  it('gives cards a window of at least a minute', () => {
    expect(instantWindow(10)).toBe('1m');
    expect(instantWindow(30)).toBe('2m');
  });
});

describe('scopeOf', () => {
  it('maps resources to the pods they are about', () => {
    expect(scopeOf({ kind: 'Pod', metadata: { name: 'p', namespace: 'n' } })).toEqual({
      namespace: 'n',
      pod: 'p',
    });
    expect(scopeOf({ kind: 'CronJob', metadata: { name: 'nightly', namespace: 'batch' } })).toEqual(
      {
        namespace: 'batch',
        workload: { kind: 'CronJob', name: 'nightly' },
      }
    );
    expect(scopeOf({ kind: 'Namespace', metadata: { name: 'shop' } })).toEqual({
      namespace: 'shop',
    });
    expect(scopeOf({ kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' } })).toBeNull();
    expect(scopeOf({ kind: 'Pod', metadata: { name: 'x' } })).toBeNull();
  });
});

describe('plans', () => {
  const ctx = { scrapeIntervalSeconds: 30 };
  const known = () => new Set(listMetrics().map(m => m.id));

  it('uses only metrics kubeprom knows, and every spec builds', () => {
    const range = timeRange(RANGES['24h'], 1_700_000_000, 30);
    const scopes = [
      { namespace: 'shop', pod: 'web-7d4b9c-abcde' },
      { namespace: 'shop', workload: { kind: 'Deployment' as const, name: 'web' } },
      { namespace: 'batch', workload: { kind: 'Job' as const, name: 'nightly-29000000' } },
    ];
    const ids = known();
    for (const scope of scopes) {
      const specs = [
        ...planCharts(ctx, scope, range).flatMap(c => [...c.series, ...c.refs].map(s => s.spec)),
        ...planCurrent(ctx, scope).map(c => c.spec),
      ];
      for (const spec of specs) {
        expect(typeof spec.metric === 'string' && ids.has(spec.metric)).toBe(true);
        expect(() => buildQuery(spec)).not.toThrow();
      }
    }
    for (const c of planUsage(ctx, 'shop')) expect(() => buildQuery(c.spec)).not.toThrow();
  });

  it("charts the user's own metrics after the catalog's, with the pod scope and the window", () => {
    const range = timeRange(RANGES['1h'], 1_700_000_000, 30);
    const depth = {
      title: 'Orders queued',
      metric: {
        series: 'orders_queue_depth',
        unit: 'count' as const,
        kind: 'gauge' as const,
        matchers: { job: 'shop/web' },
      },
    };
    const processed = {
      title: 'Orders processed',
      metric: { series: 'orders_processed_total', unit: 'ops/s' as const, kind: 'rate' as const },
    };
    const scope = { namespace: 'shop', workload: { kind: 'Deployment' as const, name: 'web' } };
    const charts = planCharts({ ...ctx, customCharts: [depth, processed] }, scope, range);
    expect(charts.map(c => c.id).slice(-2)).toEqual(['custom-0', 'custom-1']);
    const [own, rate] = charts.slice(-2);
    expect(own).toMatchObject({ title: 'Orders queued', unit: 'count', refs: [] });
    expect(own.series[0].spec).toEqual({
      metric: depth.metric,
      namespace: 'shop',
      workload: scope.workload,
    });
    expect(own.series[0].spec.window).toBeUndefined();
    expect(rate.series[0].spec.window).toBe(range.window);
    const promql = buildQuery(rate.series[0].spec);
    expect(promql).toContain(`rate(orders_processed_total{namespace="shop"}[${range.window}])`);
    expect(promql).toContain('kube_replicaset_owner');
    expect(planCharts(ctx, scope, range).some(c => c.id.startsWith('custom-'))).toBe(false);
  });

  it('puts the range’s window on every rate query of a chart', () => {
    const range = timeRange(RANGES['24h'], 1_700_000_000, 30);
    const rates = new Set(
      listMetrics()
        .filter(m => m.kind === 'rate')
        .map(m => m.id)
    );
    const charts = planCharts(ctx, { namespace: 'shop', pod: 'p' }, range);
    const rateSpecs = charts
      .flatMap(c => c.series)
      .filter(s => typeof s.spec.metric === 'string' && rates.has(s.spec.metric));
    expect(rateSpecs.length).toBeGreaterThanOrEqual(5);
    for (const s of rateSpecs) {
      expect(s.spec.window).toBe(range.window);
      expect(buildQuery(s.spec)).toContain(`[${range.window}]`);
    }
  });

  it('selects a workload’s pods by ownership, not by a name prefix', () => {
    const [cpu] = planCurrent(ctx, {
      namespace: 'shop',
      workload: { kind: 'Deployment', name: 'web' },
    });
    expect(cpu.spec.workload).toEqual({ kind: 'Deployment', name: 'web' });
    expect(cpu.spec.pod).toBeUndefined();
    const promql = buildQuery(cpu.spec);
    expect(promql).not.toContain('pod=~');
    expect(promql).toContain('owner_name="web"');
  });

  it('fills the pod list from one sum by (namespace, pod) query per metric and namespace', () => {
    const usage = planUsage(ctx, 'shop');
    expect(usage.map(c => c.id)).toEqual(['cpu', 'memory']);
    for (const c of usage) {
      const q = buildQuery(c.spec);
      expect(q.startsWith('sum by (namespace, pod) (')).toBe(true);
      expect(q).toContain('namespace="shop"');
    }
    // The pod details keep the per-container breakdown.
    expect(buildQuery(planCurrent(ctx, { namespace: 'shop', pod: 'p' })[1].spec)).toMatch(
      /^sum by \(namespace, pod, container\)/
    );
  });

  it('passes the profile and cluster label value through', () => {
    const [mem] = planUsage(
      { scrapeIntervalSeconds: 30, profile: 'multi-cluster', cluster: 'eu-1' },
      'shop'
    ).filter(c => c.id === 'memory');
    expect(mem.spec.profile).toBe('multi-cluster');
    expect(mem.spec.cluster).toBe('eu-1');
    expect(buildQuery(mem.spec)).toContain('"eu-1"');
  });
});
