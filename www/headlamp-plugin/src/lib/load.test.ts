// @vitest-environment node
import { buildQuery } from 'kubeprom';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeClient, loadKubepromForTests, matrixBody, MiB, vectorBody } from '../testing/kubeprom';
import { commonError, loadCharts, loadCurrent } from './load';
import { planCharts, planCurrent, RANGES, timeRange } from './plan';

beforeAll(loadKubepromForTests);

const ctx = { scrapeIntervalSeconds: 30 };
const scope = { namespace: 'shop', pod: 'web-7d4b9c-abcde' };
const metricOf = (promql: string) =>
  [
    'container_memory_working_set_bytes',
    'container_cpu_usage_seconds_total',
    'kube_pod_container_status_restarts_total',
    'last_terminated_reason',
  ].find(m => promql.includes(m));

describe('loadCurrent', () => {
  it('sums a two-container pod from its per-container series', async () => {
    const labels = (container: string) => ({
      namespace: 'shop',
      pod: 'web-7d4b9c-abcde',
      container,
    });
    const client = fakeClient(({ promql }) => {
      switch (metricOf(promql)) {
        case 'container_memory_working_set_bytes':
          return vectorBody([
            { labels: labels('app'), value: 200 * MiB },
            { labels: labels('sidecar'), value: 50 * MiB },
          ]);
        case 'container_cpu_usage_seconds_total':
          return vectorBody([
            { labels: labels('app'), value: 0.25 },
            { labels: labels('sidecar'), value: 0.05 },
          ]);
        case 'kube_pod_container_status_restarts_total':
          return vectorBody([{ labels: { namespace: 'shop', pod: 'web-7d4b9c-abcde' }, value: 0 }]);
        default:
          return vectorBody([]);
      }
    });
    const cards = planCurrent(ctx, scope);
    const result = await loadCurrent(client, cards);
    // Every query sent is kubeprom's text for the planned spec.
    expect(client.calls.map(c => c.promql).sort()).toEqual(
      cards.map(c => buildQuery(c.spec)).sort()
    );
    expect(result.errors).toEqual({});
    expect(result.rows).toHaveLength(1);
    const row = result.rows[0];
    expect(row.memory).toBeCloseTo(200 + 50, 9);
    expect(row.cpu).toBeCloseTo((0.25 + 0.05) * 1000, 9);
    expect(row.restarts).toBe(0);
    expect(row.containers.map(c => c.container)).toEqual(['app', 'sidecar']);
  });

  it('keeps going when one query fails, and reports the outage when all fail', async () => {
    const down = Object.assign(new Error('Service Unavailable'), { kind: 'http', status: 503 });
    const partial = await loadCurrent(
      fakeClient(({ promql }) =>
        metricOf(promql) === 'kube_pod_container_status_restarts_total' ? down : vectorBody([])
      ),
      planCurrent(ctx, scope)
    );
    expect(Object.keys(partial.errors)).toEqual(['restarts']);
    expect(commonError([partial.errors.cpu, partial.errors.restarts])).toBeUndefined();

    const outage = await loadCurrent(
      fakeClient(() => down),
      planCurrent(ctx, scope)
    );
    const e = commonError(Object.values(outage.errors));
    expect(e?.summary).toBe('http (HTTP 503): Service Unavailable');
  });

  it('rejects with abort instead of reporting it as a failure', async () => {
    const aborted = Object.assign(new Error('aborted'), { kind: 'aborted' });
    await expect(
      loadCurrent(
        fakeClient(() => aborted),
        planCurrent(ctx, scope)
      )
    ).rejects.toMatchObject({
      kind: 'aborted',
    });
  });
});

describe('loadCharts', () => {
  it('plots every pod of a workload and draws request/limit lines', async () => {
    const range = timeRange(RANGES['1h'], 1_700_000_000, 30);
    const t = [range.start, range.start + range.step];
    const pods = ['web-7d4b9c-abcde', 'web-7d4b9c-fghij'];
    const client = fakeClient(r => {
      if (r.type === 'range') {
        return matrixBody(
          pods.map((p, i) => ({
            labels: { namespace: 'shop', pod: p },
            points: [
              [t[0], (i + 1) * MiB],
              [t[1], (i + 2) * MiB],
            ],
          }))
        );
      }
      return vectorBody(
        pods.map(p => ({ labels: { namespace: 'shop', pod: p }, value: 256 * MiB }))
      );
    });
    const plans = planCharts(
      ctx,
      { namespace: 'shop', workload: { kind: 'Deployment', name: 'web' } },
      range
    ).filter(p => p.id === 'memory');
    const [chart] = await loadCharts(client, plans, range, true);
    expect(chart.error).toBeUndefined();
    expect(chart.data.lines.map(l => l.name)).toEqual(pods);
    expect(chart.data.rows).toEqual([
      { t: t[0], s0: 1, s1: 2 },
      { t: t[1], s0: 2, s1: 3 },
    ]);
    expect(chart.refs.map(r => [r.key, r.value])).toEqual([
      ['request', 256],
      ['limit', 256],
    ]);
    const range_ = client.calls.find(c => c.type === 'range')!;
    expect([range_.start, range_.end, range_.step]).toEqual([range.start, range.end, range.step]);
  });

  it('turns a bad answer into a chart error with the kubeprom kind', async () => {
    const range = timeRange(RANGES['1h'], 1_700_000_000, 30);
    const client = fakeClient(() => '<html>502 Bad Gateway</html>');
    const charts = await loadCharts(client, planCharts(ctx, scope, range), range, false);
    expect(charts.every(c => c.error?.kind === 'malformed')).toBe(true);
    expect(commonError(charts.map(c => c.error))?.kind).toBe('malformed');
  });
});
