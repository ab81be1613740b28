import { createDataFrame, FieldType, toDataFrame } from '@grafana/data';
import { executedExpr, framesToResults } from './frames';
import { prometheusToFrames } from '../testing/promFrames';

const T0 = 1_700_000_000_000;

describe('framesToResults', () => {
  it('turns multi frames (labels on the value field) into one series each, grouped by refId', () => {
    const frames = [
      createDataFrame({
        refId: 'A',
        fields: [
          { name: 'Time', type: FieldType.time, values: [T0, T0 + 30_000] },
          { name: 'Value', type: FieldType.number, values: [1, 2], labels: { namespace: 'shop', pod: 'a' } },
        ],
      }),
      createDataFrame({
        refId: 'B',
        fields: [
          { name: 'Time', type: FieldType.time, values: [T0] },
          { name: 'Value', type: FieldType.number, values: [5], labels: { namespace: 'shop', pod: 'b' } },
        ],
      }),
      createDataFrame({
        refId: 'A',
        fields: [
          { name: 'Time', type: FieldType.time, values: [T0] },
          {
            name: 'Value',
            type: FieldType.number,
            values: [3],
            labels: { namespace: 'shop', pod: 'c', container: '' },
          },
        ],
      }),
    ];
    const refs = framesToResults(frames);
    expect(refs.map((r) => r.refId)).toEqual(['A', 'B']);
    const a = refs[0].result;
    expect(a.resultType).toBe('matrix');
    expect(a.series).toHaveLength(2);
    expect(a.series[0].labels).toEqual({ namespace: 'shop', pod: 'a' });
    // Grafana time is epoch ms; kubeprom wants unix seconds.
    expect(Array.from(a.series[0].timestamps)).toEqual([T0 / 1000, T0 / 1000 + 30]);
    expect(Array.from(a.series[0].values)).toEqual([1, 2]);
    expect(a.series[0].values).toBeInstanceOf(Float64Array);
    // An empty label is no label, as in Prometheus.
    expect(a.series[1].labels).toEqual({ namespace: 'shop', pod: 'c' });
    expect(refs[1].result.resultType).toBe('vector');
  });

  it('reads wide frames, skipping null cells and keeping NaN', () => {
    const frame = createDataFrame({
      refId: 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: [T0, T0 + 1000, T0 + 2000] },
        { name: 'x', type: FieldType.number, values: [1, null, 3], labels: { pod: 'a', namespace: 'n' } },
        { name: 'y', type: FieldType.number, values: [NaN, 5, null], labels: { pod: 'b', namespace: 'n' } },
      ],
    });
    const [ref] = framesToResults([frame]);
    expect(ref.result.series).toHaveLength(2);
    expect(Array.from(ref.result.series[0].timestamps)).toEqual([T0 / 1000, T0 / 1000 + 2]);
    expect(Array.from(ref.result.series[0].values)).toEqual([1, 3]);
    expect(Number.isNaN(ref.result.series[1].values[0])).toBe(true);
    expect(Array.from(ref.result.series[1].values).slice(1)).toEqual([5]);
  });

  it('reads table format: labels from string columns, one series per label set', () => {
    const frame = toDataFrame({
      refId: 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: [T0 + 1000, T0, T0] },
        { name: 'namespace', type: FieldType.string, values: ['shop', 'shop', 'shop'] },
        { name: 'pod', type: FieldType.string, values: ['a', 'a', 'b'] },
        { name: 'container', type: FieldType.string, values: ['app', 'app', ''] },
        { name: 'Value #A', type: FieldType.number, values: [2, 1, 7] },
      ],
    });
    const [ref] = framesToResults([frame]);
    expect(ref.result.series).toHaveLength(2);
    const a = ref.result.series.find((s) => s.labels.pod === 'a')!;
    expect(a.labels).toEqual({ namespace: 'shop', pod: 'a', container: 'app' });
    // Rows arrive in any order; samples are put in time order.
    expect(Array.from(a.timestamps)).toEqual([T0 / 1000, T0 / 1000 + 1]);
    expect(Array.from(a.values)).toEqual([1, 2]);
    const b = ref.result.series.find((s) => s.labels.pod === 'b')!;
    expect(b.labels).toEqual({ namespace: 'shop', pod: 'b' });
  });

  it('carries data source notices as warnings and infos, and the executed query', () => {
    const frames = prometheusToFrames(
      {
        status: 'success',
        warnings: ['PromQL warning: encountered a mix of histograms and floats'],
        infos: ['PromQL info: metric might not be a counter'],
        data: { resultType: 'vector', result: [{ metric: { namespace: 'n', pod: 'p' }, value: [T0 / 1000, '+Inf'] }] },
      },
      { refId: 'Q', expr: 'sum by (namespace, pod) (x)\n# two lines', stepSeconds: 30 }
    );
    const [ref] = framesToResults(frames);
    expect(ref.refId).toBe('Q');
    expect(ref.result.warnings).toEqual(['PromQL warning: encountered a mix of histograms and floats']);
    expect(ref.result.infos).toEqual(['PromQL info: metric might not be a counter']);
    expect(ref.result.series[0].values[0]).toBe(Infinity);
    expect(ref.executedExpr).toBe('sum by (namespace, pod) (x)\n# two lines');
  });

  it('ignores frames without numbers', () => {
    const frame = toDataFrame({ fields: [{ name: 'msg', type: FieldType.string, values: ['x'] }] });
    expect(framesToResults([frame])[0].result.series).toEqual([]);
  });
});

describe('executedExpr', () => {
  it('is undefined without the data source marker', () => {
    expect(executedExpr(createDataFrame({ fields: [], meta: { executedQueryString: 'SELECT 1' } }))).toBeUndefined();
    expect(executedExpr(createDataFrame({ fields: [] }))).toBeUndefined();
  });
});
