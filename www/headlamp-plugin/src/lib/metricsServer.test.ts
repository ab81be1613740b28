// @vitest-environment node
import { checkUsage } from 'kubeprom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKubepromForTests } from '../testing/kubeprom';
import { describeError } from './errors';
import type { PodMetrics } from './metricsServer';
import {
  containerUsage,
  fallbackNote,
  loadMetricsServer,
  metricsPath,
  podMetricsRows,
  prometheusUnreachable,
  unreachableOutage,
} from './metricsServer';
import { usageWithFallback } from './usage';


// The parsing is the core's: load the real module.
beforeAll(loadKubepromForTests);
// The shop/web pod of the test dataset as metrics-server would report it: app 250m / 200Mi and
// sidecar 50m / 50Mi, written in the different forms metrics-server and the API server use.
const web: PodMetrics = {
  kind: 'PodMetrics',
  metadata: { name: 'web-7d4b9c-abcde', namespace: 'shop' },
  timestamp: '2026-11-22T04:00:00Z',
  window: '15s',
  containers: [
    { name: 'app', usage: { cpu: '250000000n', memory: '204800Ki' } },
    { name: 'sidecar', usage: { cpu: '50m', memory: '52428800' } },
  ],
};
const db: PodMetrics = {
  metadata: { name: 'db-0', namespace: 'shop' },
  containers: [{ name: 'postgres', usage: { cpu: '500m', memory: '1Gi' } }],
};

describe('podMetricsRows', () => {
  it('sums the containers of a pod (metrics-server lists only real containers)', () => {
    const { rows, skipped } = podMetricsRows(web);
    expect(skipped).toEqual([]);
    expect(rows).toHaveLength(1);
    const [r] = rows;
    // 250 + 50 millicores, 200 + 50 MiB.
    expect(r.cpu).toBeCloseTo(300, 9);
    expect(r.memory).toBe(250);
    expect(r.containers).toEqual([
      { container: 'app', cpu: expect.closeTo(250, 9), memory: 200 },
      { container: 'sidecar', cpu: expect.closeTo(50, 9), memory: 50 },
    ]);
    expect(r.restarts).toBeNull();
  });

  it('reads a list, busiest CPU first', () => {
    const { rows } = podMetricsRows({ kind: 'PodMetricsList', items: [web, db] });
    expect(rows.map(r => r.pod)).toEqual(['db-0', 'web-7d4b9c-abcde']);
    expect(rows[0].memory).toBe(1024);
  });

  it('leaves out pods it cannot read, saying why, and keeps the rest', () => {
    const bad: PodMetrics = {
      metadata: { name: 'broken', namespace: 'shop' },
      containers: [{ name: 'x', usage: { cpu: 'lots', memory: '1Mi' } }],
    };
    const { rows, skipped } = podMetricsRows({ items: [bad, db, { metadata: {} }] });
    expect(rows.map(r => r.pod)).toEqual(['db-0']);
    expect(skipped[0]).toEqual({
      pod: 'broken',
      message: expect.stringContaining('container x cpu: "lots" is not a Kubernetes quantity'),
    });
    expect(skipped[1].message).toContain('metadata.name');
  });

  it('gives no value (not zero) for a pod listed without containers', () => {
    const { rows } = podMetricsRows({ metadata: { name: 'p', namespace: 'n' }, containers: [] });
    expect(rows[0].cpu).toBeNull();
    expect(rows[0].memory).toBeNull();
  });
});

describe('loadMetricsServer', () => {
  it('asks the metrics API for one pod or a namespace, with escaped names', async () => {
    const asked: string[] = [];
    const get = async (path: string) => {
      asked.push(path);
      return path.endsWith('/pods') ? { items: [web] } : web;
    };
    expect((await loadMetricsServer(get, 'shop', 'web-7d4b9c-abcde')).rows[0].memory).toBe(250);
    expect((await loadMetricsServer(get, 'shop')).rows).toHaveLength(1);
    expect(asked).toEqual([
      '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web-7d4b9c-abcde',
      '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods',
    ]);
    expect(metricsPath('a/b', 'c d')).toBe(
      '/apis/metrics.k8s.io/v1beta1/namespaces/a%2Fb/pods/c%20d'
    );
  });
});

const failure = (kind: string, message: string, status?: number) =>
  Object.assign(new Error(message), { kind, status });

describe('prometheusUnreachable', () => {
  it('is true for not found, forbidden, down, refused and timed out', () => {
    for (const e of [
      failure('not_found', 'No Prometheus found'),
      failure('http', 'forbidden', 403),
      failure('http', 'no endpoints available', 503),
      failure('http', 'services "x" not found', 404),
      failure('network', 'Failed to fetch'),
      failure('timeout', 'took longer than 30 s'),
      failure('malformed', '<html>'),
    ]) {
      expect(prometheusUnreachable(describeError(e)), e.message).toBe(true);
    }
  });

  it('is false when Prometheus answered with an error about the query', () => {
    expect(prometheusUnreachable(describeError(failure('bad_data', 'parse error', 400)))).toBe(
      false
    );
    expect(
      prometheusUnreachable(describeError(failure('execution', 'too many samples', 422)))
    ).toBe(false);
  });
});

describe('unreachableOutage', () => {
  it('is the first failure when every query failed to reach Prometheus, whatever the messages', () => {
    const a = describeError(failure('network', 'request to http://p/api/v1/query?query=a failed'));
    const b = describeError(failure('network', 'request to http://p/api/v1/query?query=b failed'));
    expect(unreachableOutage([a, b])).toBe(a);
  });

  it('is undefined when one query worked or one failure is about the query', () => {
    const down = describeError(failure('http', 'down', 503));
    expect(unreachableOutage([down, undefined])).toBeUndefined();
    expect(
      unreachableOutage([down, describeError(failure('bad_data', 'parse error', 400))])
    ).toBeUndefined();
    expect(unreachableOutage([])).toBeUndefined();
  });
});

describe('usageWithFallback', () => {
  const fromMetricsServer = async () => podMetricsRows({ items: [web, db] });

  it('uses Prometheus when it answers', async () => {
    const values = await usageWithFallback(
      async () => new Map([['shop/db-0', { cpu: 500, memory: 1024 }]]),
      async () => {
        throw new Error('must not be asked');
      }
    );
    expect(values.get('shop/db-0')).toEqual({ cpu: 500, memory: 1024 });
  });

  it('falls back to metrics-server with a note naming the reason', async () => {
    const values = await usageWithFallback(async () => {
      throw failure('http', 'no endpoints available for service "prometheus-k8s"', 503);
    }, fromMetricsServer);
    const v = values.get('shop/web-7d4b9c-abcde')!;
    expect(v.memory).toBe(250);
    expect(v.cpu).toBeCloseTo(300, 9);
    expect(v.note).toBe(
      'from metrics-server (Prometheus unreachable: http (HTTP 503): no endpoints available for service "prometheus-k8s")'
    );
    expect(v.note).toBe(
      fallbackNote(
        describeError(failure('http', 'no endpoints available for service "prometheus-k8s"', 503))
      )
    );
  });

  it('does not hide a query error behind metrics-server', async () => {
    await expect(
      usageWithFallback(async () => {
        throw failure('bad_data', 'parse error', 400);
      }, fromMetricsServer)
    ).rejects.toThrow('parse error');
  });

  it('reports both failures when metrics-server cannot stand in', async () => {
    const e = await usageWithFallback(
      async () => {
        throw failure('network', 'Failed to fetch');
      },
      async () => {
        throw failure('http', 'the server could not find the requested resource', 404);
      }
    ).catch(x => x);
    expect(e.kind).toBe('network');
    expect(e.message).toBe(
      'Failed to fetch; metrics-server did not stand in: http (HTTP 404): the server could not find the requested resource'
    );
  });
});

describe('containerUsage and checkUsage', () => {
  beforeAll(loadKubepromForTests);

  it('gives the core base units, and a pod metrics-server reads the same agrees', () => {
    const body: PodMetrics = {
      metadata: { name: 'web-0', namespace: 'shop' },
      containers: [
        { name: 'app', usage: { cpu: '250m', memory: '200Mi' } },
        { name: 'sidecar', usage: { cpu: '50000000n', memory: '52428800' } },
      ],
    };
    const row = podMetricsRows(body).rows[0];
    expect(containerUsage(row)).toEqual([
      { container: 'app', cpu: 0.25, memory: 200 * 1048576 },
      { container: 'sidecar', cpu: 0.05, memory: 50 * 1048576 },
    ]);
    expect(checkUsage(containerUsage(row), containerUsage(row)).agree).toBe(true);
    const unknown = { ...row, containers: [{ container: 'app', cpu: null, memory: null }] };
    expect(containerUsage(unknown)[0].cpu).toBeNaN();
  });
});
