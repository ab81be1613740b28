// @vitest-environment node
import { buildQuery } from 'kubeprom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKubepromForTests } from '../testing/kubeprom';
import type { DetectDeps } from './detect';
import { formatEndpoint } from './endpoint';
import { planCurrent } from './plan';
import {
  effectiveSettings,
  EndpointCache,
  planContext,
  readCustomMetric,
  resolveEndpoint,
  scrapeIntervalSeconds,
} from './settings';

// The scrape interval is read by the core.
beforeAll(loadKubepromForTests);

const never: DetectDeps = {
  list: async () => [],
  probe: async () => {
    throw new Error('unreachable');
  },
};

const oneService: DetectDeps = {
  list: async (kind, selector) =>
    kind === 'services' && selector === 'app.kubernetes.io/name=prometheus'
      ? [
          {
            metadata: { name: 'prometheus-k8s', namespace: 'monitoring' },
            spec: { ports: [{ name: 'web', port: 9090 }] },
          },
        ]
      : [],
  probe: async () => undefined,
};

describe('effectiveSettings', () => {
  it('fills defaults and ignores unusable values', () => {
    expect(effectiveSettings(undefined, 'c')).toEqual({
      address: undefined,
      profile: undefined,
      clusterLabelValue: undefined,
      clusterLabelFrom: undefined,
      scrapeIntervalSeconds: 30,
      refreshSeconds: 60,
      defaultRange: '1h',
      stacked: false,
      customCharts: [],
    });
    const e = effectiveSettings(
      {
        c: {
          address: '  ',
          scrapeInterval: 'fast',
          refreshSeconds: -1,
          defaultRange: '2y' as any,
          profile: 'plain',
        },
      },
      'c'
    );
    expect(e).toMatchObject({
      address: undefined,
      scrapeIntervalSeconds: 30,
      refreshSeconds: 60,
      defaultRange: '1h',
    });
    expect(planContext(e)).toEqual({ scrapeIntervalSeconds: 30, profile: 'plain' });
  });

  it('charts the custom metrics that are complete, and says what the others lack', () => {
    const e = effectiveSettings(
      {
        c: {
          customMetrics: [
            {
              series: ' orders_queue_depth ',
              unit: 'count',
              kind: 'gauge',
              matchers: 'job = shop/web\n',
            },
            { title: 'No kind', series: 'x', unit: 'count' },
            { title: 'Bad line', series: 'y', unit: 'count', kind: 'rate', matchers: 'oops' },
            { title: 'Per container', series: 'z', unit: 'bytes', kind: 'gauge', scope: 'container' },
          ],
        },
      },
      'c'
    );
    expect(e.customCharts).toEqual([
      {
        title: 'orders_queue_depth',
        metric: {
          series: 'orders_queue_depth',
          unit: 'count',
          kind: 'gauge',
          scope: 'pod',
          matchers: { job: 'shop/web' },
        },
      },
      {
        title: 'Per container',
        metric: { series: 'z', unit: 'bytes', kind: 'gauge', scope: 'container', matchers: {} },
      },
    ]);
    expect(planContext(e).customCharts).toEqual(e.customCharts);
    expect(readCustomMetric({ series: 'x', unit: 'count' }).problem).toBe(
      'Choose gauge, rate or increase.'
    );
    expect(readCustomMetric({ series: 'y', unit: 'count', kind: 'rate', matchers: 'oops' }).problem).toBe(
      'matchers: line 1: "oops" is not label=value'
    );
    expect(readCustomMetric({}).problem).toBe('Give the series name.');
  });

  it('reads the settings of the right cluster', () => {
    const e = effectiveSettings(
      { a: { scrapeInterval: '15s', refreshSeconds: 0 }, b: { address: 'm/p:9090' } },
      'a'
    );
    expect(e.scrapeIntervalSeconds).toBe(15);
    expect(e.refreshSeconds).toBe(0);
    expect(e.address).toBeUndefined();
  });
});

describe('scrapeIntervalSeconds', () => {
  it('reads PromQL durations and refuses the rest', () => {
    expect(scrapeIntervalSeconds('30s')).toBe(30);
    expect(scrapeIntervalSeconds('1m30s')).toBe(90);
    expect(scrapeIntervalSeconds('2h')).toBe(7200);
    expect(scrapeIntervalSeconds('500ms')).toBe(0.5);
    expect(scrapeIntervalSeconds(' 15s ')).toBe(15);
    for (const bad of ['30', 'abc', '', '30s1m', '1.5m', '0s']) {
      expect(scrapeIntervalSeconds(bad)).toBeNaN();
    }
  });
});

describe('cluster label value', () => {
  it('picks the multi-cluster profile when a value is given', () => {
    const e = effectiveSettings({ prod: { clusterLabelValue: ' eu-1 ' } }, 'prod');
    expect(e).toMatchObject({
      profile: 'multi-cluster',
      clusterLabelValue: 'eu-1',
      clusterLabelFrom: 'setting',
    });
    expect(planContext(e)).toEqual({
      scrapeIntervalSeconds: 30,
      profile: 'multi-cluster',
      cluster: 'eu-1',
    });
  });

  it('selects this Headlamp cluster by name with the multi-cluster profile and no value', () => {
    const e = effectiveSettings({ prod: { profile: 'multi-cluster' } }, 'prod');
    expect(e).toMatchObject({ clusterLabelValue: 'prod', clusterLabelFrom: 'cluster name' });
  });

  it('builds queries that select the cluster, and never another cluster’s series', () => {
    for (const cluster of ['a', 'b']) {
      const ctx = planContext(
        effectiveSettings({ [cluster]: { profile: 'multi-cluster' } }, cluster)
      );
      for (const card of planCurrent(ctx, { namespace: 'shop', pod: 'web' })) {
        const q = buildQuery(card.spec);
        expect(q).toContain(`cluster="${cluster}"`);
        expect(q).not.toContain(`cluster="${cluster === 'a' ? 'b' : 'a'}"`);
      }
    }
  });

  it('takes the admin’s profile and value when the user set none, and the user’s over them', () => {
    const admin = { profile: 'multi-cluster', clusterLabelValue: 'eu-1' };
    expect(effectiveSettings({}, 'prod', admin)).toMatchObject({
      profile: 'multi-cluster',
      clusterLabelValue: 'eu-1',
      clusterLabelFrom: 'admin default',
    });
    expect(effectiveSettings({ prod: { clusterLabelValue: 'mine' } }, 'prod', admin)).toMatchObject(
      { profile: 'multi-cluster', clusterLabelValue: 'mine', clusterLabelFrom: 'setting' }
    );
    // A user who chose another profile does not inherit a cluster filter meant for the admin's.
    expect(effectiveSettings({ prod: { profile: 'plain' } }, 'prod', admin)).toMatchObject({
      profile: 'plain',
      clusterLabelValue: undefined,
    });
    // A value alone (no admin profile) still picks the multi-cluster profile.
    expect(effectiveSettings({}, 'prod', { clusterLabelValue: 'eu-2' })).toMatchObject({
      profile: 'multi-cluster',
      clusterLabelValue: 'eu-2',
    });
  });

  it('leaves single-cluster profiles alone', () => {
    expect(effectiveSettings({ c: { profile: 'plain' } }, 'c').clusterLabelValue).toBeUndefined();
  });
});

describe('resolveEndpoint', () => {
  it('uses the configured address without detecting', async () => {
    const r = await resolveEndpoint(
      effectiveSettings({ c: { address: 'vm/vmselect:8481/select/0/prometheus' } }, 'c'),
      never
    );
    expect(r.source).toBe('user');
    expect(r.how).toContain('user setting');
    expect(formatEndpoint(r.endpoint)).toBe('vm/vmselect:8481/select/0/prometheus');
  });

  it('calls the admin-labelled service the admin default, with its annotations', async () => {
    const admin: DetectDeps = {
      list: async (kind, selector) =>
        kind === 'services' && selector === 'headlamp-prometheus=true'
          ? [
              {
                metadata: {
                  name: 'vmselect',
                  namespace: 'vm',
                  annotations: {
                    'headlamp-prometheus/port': '8481',
                    'headlamp-prometheus/path': '/select/0/prometheus',
                  },
                },
                spec: { ports: [{ name: 'http', port: 8481 }] },
              },
            ]
          : [],
      probe: async () => undefined,
    };
    const r = await resolveEndpoint(effectiveSettings({}, 'c'), admin);
    expect(r.source).toBe('admin');
    expect(r.defaults).toEqual({});
    expect(formatEndpoint(r.endpoint)).toBe('vm/vmselect:8481/select/0/prometheus');
    expect(r.how).toBe(
      'admin default: service vm/vmselect labelled headlamp-prometheus=true, ' +
        'headlamp-prometheus/port=8481, headlamp-prometheus/path=/select/0/prometheus'
    );
    const annotated: DetectDeps = {
      ...admin,
      list: async (kind, selector) =>
        (await admin.list(kind, selector)).map(o => ({
          ...o,
          metadata: {
            ...o.metadata,
            annotations: {
              ...o.metadata.annotations,
              'headlamp-prometheus/profile': 'multi-cluster',
              'headlamp-prometheus/cluster-label-value': ' eu-1 ',
            },
          },
        })),
    };
    const withDefaults = await resolveEndpoint(effectiveSettings({}, 'c'), annotated);
    expect(withDefaults.defaults).toEqual({ profile: 'multi-cluster', clusterLabelValue: 'eu-1' });
    expect(withDefaults.how).toContain('headlamp-prometheus/cluster-label-value=eu-1');
    // The user's own address wins over the admin default.
    const mine = await resolveEndpoint(
      effectiveSettings({ c: { address: 'monitoring/prometheus-k8s:9090' } }, 'c'),
      admin
    );
    expect(mine.source).toBe('user');
  });

  it('detects when no address is set and says how', async () => {
    const r = await resolveEndpoint(effectiveSettings({}, 'c'), oneService);
    expect(r.source).toBe('detected');
    expect(formatEndpoint(r.endpoint)).toBe('monitoring/prometheus-k8s:9090');
    expect(r.how).toContain('app.kubernetes.io/name=prometheus');
  });
});

describe('EndpointCache', () => {
  it('detects once per cluster, again after the address changes, and retries failures', async () => {
    let lists = 0;
    const counting: DetectDeps = {
      ...oneService,
      list: (k, s) => {
        lists++;
        return oneService.list(k, s);
      },
    };
    const cache = new EndpointCache();
    const e = effectiveSettings({}, 'c');
    const a = await cache.get('c', e, () => counting);
    const listsAfterFirst = lists;
    const b = await cache.get('c', e, () => counting);
    expect(b).toBe(a);
    expect(lists).toBe(listsAfterFirst);

    const withAddress = effectiveSettings({ c: { address: 'x/y:1' } }, 'c');
    expect((await cache.get('c', withAddress, () => counting)).source).toBe('user');

    await expect(cache.get('d', e, () => never)).rejects.toThrow('No Prometheus found');
    expect((await cache.get('d', e, () => counting)).source).toBe('detected');
  });
});
