import { describe, expect, it } from 'vitest';
import type { DetectDeps } from './detect';
import { formatEndpoint } from './endpoint';
import { effectiveSettings, EndpointCache, planContext, resolveEndpoint } from './settings';

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
      scrapeIntervalSeconds: 30,
      refreshSeconds: 60,
      defaultRange: '1h',
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

describe('resolveEndpoint', () => {
  it('uses the configured address without detecting', async () => {
    const r = await resolveEndpoint(
      effectiveSettings({ c: { address: 'vm/vmselect:8481/select/0/prometheus' } }, 'c'),
      never
    );
    expect(r.source).toBe('settings');
    expect(formatEndpoint(r.endpoint)).toBe('vm/vmselect:8481/select/0/prometheus');
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
    expect((await cache.get('c', withAddress, () => counting)).source).toBe('settings');

    await expect(cache.get('d', e, () => never)).rejects.toThrow('No Prometheus found');
    expect((await cache.get('d', e, () => counting)).source).toBe('detected');
  });
});
