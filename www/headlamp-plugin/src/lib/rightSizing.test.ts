// @vitest-environment node
import type { ContainerAdvice, ResourceStatus } from 'kubeprom';
import { planRecommendation } from 'kubeprom';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeClient, loadKubepromForTests, MiB, vectorBody } from '../testing/kubeprom';
import { loadRightSizing } from './load';
import {
  namespaceRightSizingSpec,
  needsChange,
  rightSizingRefreshSeconds,
  rightSizingSpec,
  rightSizingSummary,
  statusTone,
  workloadId,
  workloadRoute,
} from './rightSizing';

beforeAll(loadKubepromForTests);

const scope = { namespace: 'shop', workload: { kind: 'Deployment' as const, name: 'web' } };

describe('rightSizingSpec', () => {
  it('asks for the workload of the page, with the profile and cluster of the settings', () => {
    expect(rightSizingSpec({ scrapeIntervalSeconds: 30 }, scope)).toEqual(scope);
    expect(
      rightSizingSpec({ scrapeIntervalSeconds: 30, profile: 'multi-cluster', cluster: 'eu' }, scope)
    ).toEqual({ ...scope, profile: 'multi-cluster', cluster: 'eu' });
    expect(rightSizingSpec({ scrapeIntervalSeconds: 30 }, { namespace: 'shop' })).toBeNull();
  });

  it('polls at most every 10 minutes, and tones the risk red', () => {
    expect(rightSizingRefreshSeconds(30)).toBe(600);
    expect(rightSizingRefreshSeconds(3600)).toBe(3600);
    expect(statusTone('under-provisioned')).toBe('error');
    expect(statusTone('not-enough-data')).toBe('');
  });
});

describe('loadRightSizing', () => {
  const spec = rightSizingSpec({ scrapeIntervalSeconds: 30 }, scope)!;
  // After beforeAll has loaded the core.
  const needs = () =>
    Object.fromEntries(planRecommendation(spec).queries.map(q => [q.promql, q.need]));
  // A day of 5-minute steps, p95 at 180m, a 300Mi peak, requests of 1 core and 128Mi.
  const values: Record<string, number> = {
    cpuUsage: 0.18,
    cpuSamples: 288,
    memoryPeak: 300 * MiB,
    oomKilled: 0,
    cpuRequest: 1,
    memoryRequest: 128 * MiB,
    memoryLimit: 512 * MiB,
  };

  it("gives the core's recommendation per container, with the queries it ran", async () => {
    const byNeed = needs();
    const client = fakeClient(({ promql }) => {
      const need = byNeed[promql];
      return vectorBody(
        need in values ? [{ labels: { container: 'app' }, value: values[need] }] : []
      );
    });
    const r = await loadRightSizing(client, spec);
    expect(r.error).toBeUndefined();
    expect(r.queries).toEqual(Object.keys(byNeed));
    const [app] = r.recommendation!.containers;
    expect([
      app.container,
      app.status,
      app.cpuRequest.quantity,
      app.memoryRequest.quantity,
    ]).toEqual(['app', 'under-provisioned', '180m', '352Mi']);
    expect(app.cpuRequest.status).toBe('over-provisioned');
    expect(app.cpuLimit.current).toBeUndefined();
    expect(client.calls).toHaveLength(8);
  });

  it('reports a failed query as an error with its queries, never throws', async () => {
    const forbidden = Object.assign(new Error('forbidden'), { kind: 'http', status: 403 });
    const r = await loadRightSizing(
      fakeClient(() => forbidden),
      spec
    );
    expect(r.recommendation).toBeUndefined();
    expect(r.error?.status).toBe(403);
    expect(r.queries).toHaveLength(8);
  });
});

describe('namespaceRightSizingSpec', () => {
  it('asks for every workload of the namespace, with the profile and cluster of the settings', () => {
    expect(namespaceRightSizingSpec({ scrapeIntervalSeconds: 30 }, 'shop')).toEqual({
      namespace: 'shop',
    });
    expect(
      namespaceRightSizingSpec(
        { scrapeIntervalSeconds: 30, profile: 'multi-cluster', cluster: 'eu' },
        'shop'
      )
    ).toEqual({ namespace: 'shop', profile: 'multi-cluster', cluster: 'eu' });
  });
});

/** A container as the core gives it; only the fields the summary and filter read matter. */
function advice(
  kind: 'Deployment' | 'StatefulSet',
  name: string,
  container: string,
  status: ResourceStatus
): ContainerAdvice {
  return {
    workload: { kind, name },
    container,
    status,
    historySeconds: 86400,
    oomKilled: false,
    cpuRequest: {},
    cpuLimit: {},
    memoryRequest: {},
    memoryLimit: {},
  };
}

describe("a namespace's containers", () => {
  const containers = [
    advice('Deployment', 'api', 'app', 'under-provisioned'),
    advice('Deployment', 'api', 'proxy', 'fine'),
    advice('Deployment', 'api-canary', 'app', 'under-provisioned'),
    advice('StatefulSet', 'cache', 'redis', 'over-provisioned'),
    advice('Deployment', 'fresh', 'app', 'not-enough-data'),
  ];

  it('are summed up by workload and status, most urgent first', () => {
    expect(rightSizingSummary(containers)).toBe(
      '5 containers of 4 workloads: 2 under-provisioned, 1 over-provisioned, 1 fine, 1 not enough data'
    );
    expect(rightSizingSummary(containers.slice(1, 2))).toBe('1 container of 1 workload: 1 fine');
    expect(rightSizingSummary([])).toBe('0 containers of 0 workloads');
  });

  it('to change are the under- and over-provisioned ones', () => {
    expect(
      containers.filter(needsChange).map(c => `${workloadId(c.workload)} ${c.container}`)
    ).toEqual(['Deployment/api app', 'Deployment/api-canary app', 'StatefulSet/cache redis']);
  });

  it("link to their workload's Headlamp page, whose route is named by its kind", () => {
    expect(workloadRoute('rs', { kind: 'StatefulSet', name: 'cache' })).toEqual({
      routeName: 'StatefulSet',
      params: { namespace: 'rs', name: 'cache' },
    });
    expect(workloadRoute('batch', { kind: 'CronJob', name: 'nightly' }).routeName).toBe('CronJob');
  });
});

describe('loadRightSizing of a namespace', () => {
  const spec = namespaceRightSizingSpec({ scrapeIntervalSeconds: 30 }, 'shop');
  const needs = () =>
    Object.fromEntries(planRecommendation(spec).queries.map(q => [q.promql, q.need]));
  /**
   * Per workload and container: p95 CPU, samples of 5-minute steps, memory peak, current
   * requests. A Deployment and a StatefulSet share the name db, to show the order by kind.
   */
  const series = [
    {
      workload: 'web',
      kind: 'Deployment',
      container: 'sidecar',
      cpu: 0.02,
      samples: 288,
      peak: 50 * MiB,
      cpuRequest: 0.02,
      memoryRequest: 100 * MiB,
    },
    {
      workload: 'web',
      kind: 'Deployment',
      container: 'app',
      cpu: 0.18,
      samples: 288,
      peak: 300 * MiB,
      cpuRequest: 1,
      memoryRequest: 128 * MiB,
    },
    {
      workload: 'db',
      kind: 'StatefulSet',
      container: 'pg',
      cpu: 2.5,
      samples: 4032,
      peak: 3000 * MiB,
      cpuRequest: 0.5,
      memoryRequest: 4096 * MiB,
    },
    {
      workload: 'db',
      kind: 'Deployment',
      container: 'migrate',
      cpu: 0.1,
      samples: 12,
      peak: 200 * MiB,
      cpuRequest: 0.1,
      memoryRequest: 256 * MiB,
    },
  ];
  const values = (need: string, s: (typeof series)[number]) =>
    ({
      cpuUsage: s.cpu,
      cpuSamples: s.samples,
      memoryPeak: s.peak,
      oomKilled: 0,
      cpuRequest: s.cpuRequest,
      memoryRequest: s.memoryRequest,
      memoryLimit: s.memoryRequest,
    }[need]);

  it("gives every workload's containers, each with its workload, sorted by name, kind, container", async () => {
    const byNeed = needs();
    const client = fakeClient(({ promql }) =>
      vectorBody(
        series
          .filter(s => values(byNeed[promql], s) !== undefined)
          .map(s => ({
            labels: { workload: s.workload, workload_kind: s.kind, container: s.container },
            value: values(byNeed[promql], s)!,
          }))
      )
    );
    const r = await loadRightSizing(client, spec);
    expect(r.error).toBeUndefined();
    const rows = r.recommendation!.containers.map(c => [
      workloadId(c.workload),
      c.container,
      c.status,
      c.cpuRequest.quantity,
      c.memoryRequest.quantity,
      c.kubectl,
    ]);
    // CPU: the p95 rounded up to 10m (100m from a core); memory: the peak plus 15%, rounded up
    // to 16Mi (128Mi from 1Gi), at least 100Mi. 300Mi * 1.15 = 345Mi → 352Mi; 50Mi * 1.15 =
    // 57.5Mi → the 100Mi floor → 112Mi; 3000Mi * 1.15 = 3450Mi → 3456Mi. An hour of samples
    // is under the day of history a recommendation needs.
    expect(rows).toEqual([
      ['Deployment/db', 'migrate', 'not-enough-data', undefined, undefined, undefined],
      [
        'StatefulSet/db',
        'pg',
        'under-provisioned',
        '2500m',
        '3456Mi',
        'kubectl set resources statefulset/db -n shop -c pg --requests=cpu=2500m,memory=3456Mi --limits=memory=3456Mi',
      ],
      [
        'Deployment/web',
        'app',
        'under-provisioned',
        '180m',
        '352Mi',
        'kubectl set resources deployment/web -n shop -c app --requests=cpu=180m,memory=352Mi --limits=memory=352Mi',
      ],
      [
        'Deployment/web',
        'sidecar',
        'fine',
        '20m',
        '112Mi',
        'kubectl set resources deployment/web -n shop -c sidecar --requests=cpu=20m,memory=112Mi --limits=memory=112Mi',
      ],
    ]);
  });
});
