// @vitest-environment node
import { planRecommendation } from 'kubeprom';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeClient, loadKubepromForTests, MiB, vectorBody } from '../testing/kubeprom';
import { loadRightSizing } from './load';
import { rightSizingRefreshSeconds, rightSizingSpec, statusTone } from './rightSizing';

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
