// @vitest-environment node
import type { PodValue, QueryResult } from 'kubeprom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKubepromForTests } from '../testing/kubeprom';
import {
  chartData,
  chartTop,
  formatValue,
  podRows,
  refLines,
  terminations,
  topPods,
  yAxisWidth,
} from './viewmodel';

const pod = (p: string, value: number, extra: Partial<PodValue> = {}): PodValue => ({
  namespace: 'shop',
  pod: p,
  value,
  unit: 'MiB',
  containers: [],
  ...extra,
});
const series = (ts: number[], vs: number[]) => ({
  timestamps: Float64Array.from(ts),
  values: Float64Array.from(vs),
});

describe('chartData', () => {
  it('gives every pod its own line and aligns them on the union of timestamps', () => {
    const data = chartData(
      [
        {
          key: 'usage',
          label: 'working set',
          pods: [pod('a', 0, series([10, 20], [1, 2])), pod('b', 0, series([20, 30], [5, NaN]))],
        },
      ],
      true
    );
    expect(data.lines.map(l => [l.name, l.pod])).toEqual([
      ['a', 'a'],
      ['b', 'b'],
    ]);
    expect(data.rows).toEqual([
      { t: 10, s0: 1, s1: null },
      { t: 20, s0: 2, s1: 5 },
      { t: 30, s0: null, s1: null },
    ]);
  });

  it('names lines by series and pod when a chart has several series', () => {
    const data = chartData(
      [
        { key: 'rx', label: 'receive', pods: [pod('a', 0, series([1], [1]))] },
        { key: 'tx', label: 'transmit', pods: [pod('a', 0, series([1], [2]))] },
      ],
      true
    );
    expect(data.lines.map(l => l.name)).toEqual(['a receive', 'a transmit']);
    expect(
      chartData([{ key: 'rx', label: 'receive', pods: [pod('a', 0, series([1], [1]))] }], false)
        .lines[0].name
    ).toBe('receive');
  });
});

describe('refLines', () => {
  it('draws a request line when all pods agree and none when they differ', () => {
    expect(
      refLines([
        { key: 'request', label: 'request', pods: [pod('a', 256), pod('b', 256)] },
        { key: 'limit', label: 'limit', pods: [pod('a', 512), pod('b', 1024)] },
        { key: 'none', label: 'none', pods: [] },
      ])
    ).toEqual([{ key: 'request', label: 'request', value: 256 }]);
  });
});

describe('terminations', () => {
  it('reads the reason of series whose value is set', () => {
    const result: QueryResult = {
      resultType: 'vector',
      warnings: [],
      infos: [],
      series: [
        {
          labels: { namespace: 'shop', pod: 'db-0', container: 'postgres', reason: 'OOMKilled' },
          ...series([1], [1]),
        },
        {
          labels: { namespace: 'shop', pod: 'db-0', container: 'postgres', reason: 'Error' },
          ...series([1], [0]),
        },
        { labels: { namespace: 'shop', pod: 'web', container: 'app' }, ...series([1], [1]) },
      ],
    };
    const t = terminations(result);
    expect([...t.entries()]).toEqual([
      ['shop/db-0', [{ container: 'postgres', reason: 'OOMKilled' }]],
    ]);
  });
});

describe('podRows and topPods', () => {
  it('merges values per pod and sorts by CPU, then memory, then name', () => {
    const rows = podRows({
      cpu: [pod('a', 100), pod('b', 300), pod('c', 100)],
      memory: [pod('a', 50), pod('b', 10), pod('c', 500), pod('d', 1)],
      restarts: [pod('a', 2)],
    });
    expect(rows.map(r => [r.pod, r.cpu, r.memory])).toEqual([
      ['b', 300, 10],
      ['c', 100, 500],
      ['a', 100, 50],
      ['d', null, 1],
    ]);
    expect(rows.find(r => r.pod === 'a')!.restarts).toBe(2);
    expect(topPods(rows, 'memory', 2).map(r => r.pod)).toEqual(['c', 'a']);
    // Equal usage: by name, so the order is stable between refreshes.
    expect(topPods(rows, 'cpu').map(r => r.pod)).toEqual(['b', 'a', 'c']);
  });

  it('keeps the container breakdown', () => {
    const rows = podRows({
      cpu: [],
      memory: [
        pod('web', 250, {
          containers: [
            { container: 'sidecar', value: 50 },
            { container: 'app', value: 200 },
          ],
        }),
      ],
    });
    expect(rows[0].containers).toEqual([
      { container: 'app', cpu: null, memory: 200 },
      { container: 'sidecar', cpu: null, memory: 50 },
    ]);
  });
});

// The text is the core's: expectations follow its rules (CPU as kubectl top writes it, binary
// units scaled to fit, rates per second, durations in two units, three significant digits below
// 100, whole numbers from 100), worked out by hand.
describe('formatValue', () => {
  beforeAll(loadKubepromForTests);

  it.each([
    [300, 'millicores', '300m'],
    [1500, 'millicores', '1500m'],
    [2.4, 'millicores', '2m'],
    [0.3, 'millicores', '0.3m'],
    [12500, 'millicores', '12.5 cores'],
    [250, 'MiB', '250 MiB'],
    [12000, 'MiB', '11.7 GiB'],
    [1024 * 12, 'MiB', '12 GiB'],
    [0.5, 'MiB', '512 KiB'],
    [1536, 'bytes/s', '1.5 KiB/s'],
    [1.2 * 1024 * 1024, 'bytes/s', '1.2 MiB/s'],
    [3, 'count', '3'],
    [2.5, 'count', '2.5'],
    [1234, 'count', '1234'],
    [0.5, 'ops/s', '0.5/s'],
    [0.0125, 'ops/s', '0.0125/s'],
    [42.123, 'ops/s', '42.1/s'],
    [0.25, 'seconds', '250ms'],
    [42, 'seconds', '42s'],
    [75, 'seconds', '1m 15s'],
    [3600, 'seconds', '1h'],
    [3900, 'seconds', '1h 5m'],
    [2 * 86400 + 3 * 3600, 'seconds', '2d 3h'],
    [null, 'MiB', '—'],
    [undefined, 'seconds', '—'],
    [NaN, 'MiB', '—'],
    [Infinity, 'count', '+Inf'],
    [-Infinity, 'ops/s', '-Inf'],
  ] as const)('%s %s → %s', (v, unit, text) => {
    expect(formatValue(v, unit)).toBe(text);
  });
});

describe('yAxisWidth and chartTop', () => {
  beforeAll(loadKubepromForTests);

  it('makes room for the longest label of the axis range, whatever the unit', () => {
    // The Network chart of the dataset: 125000 B/s at the top, ticks such as "68.4 KiB/s".
    const network = yAxisWidth(125000, 'bytes/s');
    expect(network).toBeGreaterThanOrEqual(Math.ceil('68.4 KiB/s'.length * 7.5 + 14));
    expect(network).toBeGreaterThan(80);
    // Small counts ("2.25" at three quarters) need less room than throughput.
    expect(yAxisWidth(3, 'count')).toBe(Math.ceil('2.25'.length * 7.5 + 14));
    expect(yAxisWidth(3, 'count')).toBeLessThan(network);
    // No data or NaN still gives an axis.
    expect(yAxisWidth(NaN, 'MiB')).toBeGreaterThan(0);
  });

  it('takes the largest line, or the largest sum when stacked, and the reference lines', () => {
    const data = {
      rows: [
        { t: 1, a: 3, b: 4 },
        { t: 2, a: 5, b: null },
      ],
      lines: [
        { dataKey: 'a', name: 'a', series: 's', pod: 'a' },
        { dataKey: 'b', name: 'b', series: 's', pod: 'b' },
        { dataKey: 'c', name: 'c', series: 'other', pod: 'a' },
      ],
    } as any;
    data.rows[0].c = 6;
    expect(chartTop(data, [], false)).toBe(6);
    // a and b stack to 7; c is another series' stack.
    expect(chartTop(data, [], true)).toBe(7);
    expect(chartTop(data, [9, NaN], false)).toBe(9);
  });
});
