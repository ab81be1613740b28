// @vitest-environment node
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKubepromForTests } from '../testing/kubeprom';
import type { Usage } from './usage';
import { crossCheckUsage, UsageStore } from './usage';

const tick = () => new Promise(r => setTimeout(r, 0));

describe('UsageStore', () => {
  it('loads once per namespace for every cell, and again after the TTL', async () => {
    const calls: string[] = [];
    let now = 0;
    const store = new UsageStore(
      async (cluster, ns) => {
        calls.push(`${cluster}/${ns}`);
        return new Map<string, Usage>([[`${ns}/a`, { cpu: 100, memory: 250 }]]);
      },
      30000,
      () => now
    );
    let notified = 0;
    store.subscribe(() => notified++);
    for (let i = 0; i < 5; i++) store.ensure('c', 'shop');
    store.ensure('c', 'batch');
    await tick();
    expect(calls).toEqual(['c/shop', 'c/batch']);
    expect(notified).toBe(2);
    expect(store.value('c', 'shop', 'a', 'memory')).toBe(250);
    expect(store.value('c', 'shop', 'b', 'memory')).toBeNull();
    now = 10000;
    store.ensure('c', 'shop');
    expect(calls).toHaveLength(2);
    now = 31000;
    store.ensure('c', 'shop');
    await tick();
    expect(calls).toEqual(['c/shop', 'c/batch', 'c/shop']);
  });

  it('keeps old values when a refresh fails and records the error', async () => {
    let fail = false;
    let now = 0;
    const store = new UsageStore(
      async () => {
        if (fail) throw Object.assign(new Error('down'), { kind: 'http', status: 503 });
        return new Map([['n/p', { cpu: 1, memory: 2 }]]);
      },
      10,
      () => now
    );
    store.ensure('c', 'n');
    await tick();
    fail = true;
    now = 100;
    store.ensure('c', 'n');
    await tick();
    expect(store.entry('c', 'n')?.error?.summary).toBe('http (HTTP 503): down');
    expect(store.value('c', 'n', 'p', 'cpu')).toBe(1);
  });
});

describe('crossCheckUsage', () => {
  beforeAll(loadKubepromForTests);

  it('marks the pods metrics-server disagrees with, and only those', () => {
    const values = new Map<string, Usage>([
      ['shop/a', { cpu: 300, memory: 250 }],
      ['shop/b', { cpu: 300, memory: 500 }],
      ['shop/c', { cpu: 10, memory: 10 }],
    ]);
    const row = (pod: string, cpu: number, memory: number) => ({
      namespace: 'shop',
      pod,
      cpu,
      memory,
      restarts: null,
      reasons: [],
      containers: [],
    });
    crossCheckUsage(values, { rows: [row('a', 300, 250), row('b', 300, 250)], skipped: [] });
    expect(values.get('shop/a')!.disagreement).toBeUndefined();
    expect(values.get('shop/b')!.disagreement).toEqual([
      'memory: Prometheus 500 MiB, metrics-server 250 MiB',
      expect.stringContaining("about twice metrics-server's memory"),
    ]);
    // Not listed by metrics-server: nothing to compare.
    expect(values.get('shop/c')!.disagreement).toBeUndefined();
  });
});
