import type { DataQuery } from '@grafana/schema';
import { createDataFrame, type DataFrame, FieldType, ThresholdsMode } from '@grafana/data';
import { realKubeprom } from '../testing/kubeprom';
import { defaultOptions, type PodResourcesOptions } from '../types';
import { framesToResults } from './frames';
import { buildPodView } from './podView';
import { classifyQueries } from './roles';

const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;
const kp = realKubeprom();

/** One Prometheus-style frame (labels on the value field), as the data source sends a series. */
function series(refId: string, labels: Record<string, string>, values: number[], stepMs = 30_000): DataFrame {
  return createDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => T0 + i * stepMs) },
      { name: 'Value', type: FieldType.number, values, labels },
    ],
  });
}

function view(
  frames: DataFrame[],
  targets: Array<DataQuery & { expr?: string }>,
  options: Partial<PodResourcesOptions> = {},
  thresholds?: Parameters<typeof buildPodView>[3]
) {
  const opts = { ...defaultOptions, ...options };
  return buildPodView(kp, classifyQueries(targets, framesToResults(frames), opts), opts, thresholds);
}

const cadvisor = { job: 'kubelet', metrics_path: '/metrics/cadvisor', __name__: 'container_memory_working_set_bytes' };

// The shop/web pod of the test model: app 200 MiB + sidecar 50 MiB; cAdvisor also reports the
// pod-level cgroup (no container label, 256 MiB) and the pause container (1 MiB), and a second
// kubelet scrape of app.
function rawWorkingSetFrames(): DataFrame[] {
  const pod = { ...cadvisor, namespace: 'shop', pod: 'web-7d4b9c-abcde' };
  return [
    series('A', { ...pod, container: 'app', instance: 'node-1' }, [200 * MiB, 200 * MiB]),
    series('A', { ...pod, container: 'app', instance: 'node-1-dup' }, [200 * MiB, 200 * MiB]),
    series('A', { ...pod, container: 'sidecar', instance: 'node-1' }, [50 * MiB, 50 * MiB]),
    series('A', { ...pod, instance: 'node-1' }, [256 * MiB, 256 * MiB]),
    series('A', { ...pod, container: 'POD', instance: 'node-1' }, [1 * MiB, 1 * MiB]),
  ];
}

describe('buildPodView with the real kubeprom core', () => {
  it('counts each container once, like kubectl top pod, and says what it left out', () => {
    const v = view(rawWorkingSetFrames(), [
      { refId: 'A', expr: 'container_memory_working_set_bytes{namespace="shop"}' },
    ]);
    expect(v.unit).toBe('MiB');
    expect(v.rows).toHaveLength(1);
    expect(v.rows[0]).toMatchObject({ namespace: 'shop', pod: 'web-7d4b9c-abcde', value: 200 + 50, text: '250 MiB' });
    expect(v.rows[0].containers.map((c) => [c.container, c.value])).toEqual([
      ['app', 200],
      ['sidecar', 50],
    ]);
    const dropped = v.notices.find((n) => n.title.includes('not counted'));
    // pod-level cgroup + pause container + second scrape of app
    expect(dropped?.title).toBe('3 series not counted');
  });

  it('converts CPU cores to millicores for a CPU query', () => {
    const pod = { namespace: 'shop', pod: 'web-7d4b9c-abcde' };
    const frames = [
      series('A', { ...pod, container: 'app' }, [0.25]),
      series('A', { ...pod, container: 'sidecar' }, [0.05]),
    ];
    const v = view(frames, [
      { refId: 'A', expr: 'sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total[5m]))' },
    ]);
    expect(v.unit).toBe('millicores');
    expect(v.rows[0].value).toBeCloseTo(300, 9);
    expect(v.rows[0].text).toBe('300m');
  });

  it('writes CPU as kubectl top does and sizes scaled to a binary unit', () => {
    const cpu = view(
      [
        series('A', { namespace: 'n', pod: 'a' }, [1.5]),
        series('A', { namespace: 'n', pod: 'b' }, [12.5]),
        series('A', { namespace: 'n', pod: 'c' }, [0.0123]),
      ],
      [{ refId: 'A', expr: 'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total[5m]))' }],
      { sort: 'name' }
    );
    // Whole millicores below ten cores (1500m, 12.3m rounds to 12m), cores from ten up.
    expect(cpu.rows.map((r) => r.text)).toEqual(['1500m', '12.5 cores', '12m']);
    const memory = view(
      [
        series('A', { namespace: 'n', pod: 'a' }, [12_000 * MiB]),
        series('A', { namespace: 'n', pod: 'b' }, [1024 * MiB]),
        series('A', { namespace: 'n', pod: 'c' }, [0.5 * MiB]),
      ],
      [{ refId: 'A', expr: 'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""})' }],
      { sort: 'name' }
    );
    expect(memory.unit).toBe('MiB');
    // 12000 / 1024 = 11.71875 GiB, three significant digits; 0.5 MiB = 512 KiB.
    expect(memory.rows.map((r) => [r.value, r.text])).toEqual([
      [12_000, '11.7 GiB'],
      [1024, '1 GiB'],
      [0.5, '512 KiB'],
    ]);
  });

  it('applies the statistic over time', () => {
    // 1..18 then 50, 50: last 50, max 50, avg (171 + 100) / 20, p95 50 by any quantile method.
    const values = [...Array.from({ length: 18 }, (_, i) => i + 1), 50, 50].map((x) => x * MiB);
    const frames = [series('A', { namespace: 'n', pod: 'p' }, values)];
    const t = [{ refId: 'A', expr: 'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""})' }];
    expect(view(frames, t, { stat: 'last' }).rows[0].value).toBeCloseTo(50, 9);
    expect(view(frames, t, { stat: 'max' }).rows[0].value).toBeCloseTo(50, 9);
    expect(view(frames, t, { stat: 'avg' }).rows[0].value).toBeCloseTo(271 / 20, 9);
    expect(view(frames, t, { stat: 'p95' }).rows[0].value).toBeCloseTo(50, 9);
  });

  it('keeps the per-pod series for sparklines, in the display unit and epoch ms', () => {
    const frames = [
      series('A', { namespace: 'n', pod: 'p', container: 'a' }, [1 * MiB, 2 * MiB]),
      series('A', { namespace: 'n', pod: 'p', container: 'b' }, [3 * MiB, 4 * MiB]),
    ];
    const v = view(frames, [{ refId: 'A', expr: 'container_memory_working_set_bytes{container!=""}' }], {
      visual: 'sparkline',
    });
    expect(v.rows[0].series).toEqual({ times: [T0, T0 + 30_000], values: [4, 6] });
    expect(
      view(frames, [{ refId: 'A', expr: 'container_memory_working_set_bytes' }], { visual: 'bar' }).rows[0].series
    ).toBeUndefined();
  });

  it('adds request and limit markers from the kube-state-metrics queries', () => {
    const frames = [
      series('A', { namespace: 'shop', pod: 'a' }, [300 * MiB]),
      series('A', { namespace: 'shop', pod: 'b' }, [100 * MiB]),
      series('B', { namespace: 'shop', pod: 'a' }, [256 * MiB]),
      series('C', { namespace: 'shop', pod: 'a' }, [400 * MiB]),
    ];
    const targets = [
      { refId: 'A', expr: 'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""})' },
      { refId: 'B', expr: 'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="memory"})' },
      { refId: 'C', expr: 'sum by (namespace, pod) (kube_pod_container_resource_limits{resource="memory"})' },
    ];
    const v = view(frames, targets);
    expect(v.rows.map((r) => r.pod)).toEqual(['a', 'b']);
    expect(v.rows[0]).toMatchObject({
      request: 256,
      requestText: '256 MiB',
      limit: 400,
      limitText: '400 MiB',
      percentOfLimit: 75,
      percentOfLimitText: '75%',
    });
    expect(v.rows[1].request).toBeUndefined();
    // No request or limit: the core's text for no value.
    expect(v.rows[1]).toMatchObject({ requestText: '—', limitText: '—', percentOfLimitText: '—' });
    expect(v.scaleMax).toBe(400);
    // Default thresholds (percent of limit): 75% is below 80.
    // Explicit refIds override the guess from the query text.
    const swapped = view(frames, targets, { requestsRefId: 'C', limitsRefId: 'B' });
    expect(swapped.rows[0]).toMatchObject({ request: 400, limit: 256 });
  });

  it('colours rows by thresholds: absolute in the display unit, percentage of the limit', () => {
    const frames = [
      series('A', { namespace: 'n', pod: 'a' }, [90 * MiB]),
      series('A', { namespace: 'n', pod: 'b' }, [10 * MiB]),
      series('C', { namespace: 'n', pod: 'b' }, [10 * MiB]),
    ];
    const targets = [
      { refId: 'A', expr: 'container_memory_working_set_bytes{container!=""}' },
      { refId: 'C', expr: 'kube_pod_container_resource_limits{resource="memory"}' },
    ];
    const steps = [
      { value: -Infinity, color: 'green' },
      { value: 50, color: 'red' },
    ];
    const abs = view(frames, targets, { sort: 'name' }, { mode: ThresholdsMode.Absolute, steps });
    expect(abs.rows.map((r) => [r.pod, r.color])).toEqual([
      ['a', 'red'],
      ['b', 'green'],
    ]);
    // b uses 100% of its limit; a has no limit, so nothing to run into: the base colour.
    const pct = view(
      frames,
      targets,
      { sort: 'name' },
      { mode: ThresholdsMode.Percentage, steps: [...steps.slice(0, 1), { value: 99, color: 'red' }] }
    );
    expect(pct.rows.map((r) => [r.pod, r.color])).toEqual([
      ['a', 'green'],
      ['b', 'red'],
    ]);
  });

  it('shows the top N by value, in the chosen order', () => {
    const frames = ['a', 'b', 'c', 'd'].map((pod, i) => series('A', { namespace: 'n', pod }, [(i + 1) * MiB]));
    const t = [{ refId: 'A', expr: 'container_memory_working_set_bytes' }];
    const v = view(frames, t, { topN: 2, sort: 'value-desc' });
    expect(v.rows.map((r) => r.pod)).toEqual(['d', 'c']);
    expect(v.totalPods).toBe(4);
    expect(view(frames, t, { topN: 2, sort: 'name' }).rows.map((r) => r.pod)).toEqual(['c', 'd']);
    expect(view(frames, t, { topN: 0, sort: 'value-asc' }).rows.map((r) => r.pod)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('warns about series that belong to no pod, and about a missing usage query', () => {
    const frames = [series('A', { namespace: 'n', pod: 'a' }, [MiB]), series('A', { node: 'x' }, [MiB])];
    const v = view(frames, [{ refId: 'A', expr: 'container_memory_working_set_bytes' }]);
    expect(v.rows).toHaveLength(1);
    expect(v.notices.map((n) => n.title)).toContain('1 series without a pod');
    const none = view(
      [series('B', { namespace: 'n', pod: 'a' }, [MiB])],
      [{ refId: 'B', expr: 'kube_pod_container_resource_requests' }]
    );
    expect(none.rows).toEqual([]);
    expect(none.notices.map((n) => n.title)).toContain('No usage query');
  });

  it('shows values as they come for an unknown quantity', () => {
    const v = view(
      [series('A', { namespace: 'n', pod: 'a' }, [3])],
      [{ refId: 'A', expr: 'kube_pod_container_status_restarts_total' }]
    );
    expect(v.unit).toBeUndefined();
    expect(v.rows[0].text).toBe('3');
  });
});

describe('native histograms', () => {
  // As Grafana's Prometheus data source gives a native histogram: one heatmap-cells frame, the
  // bucket bounds and counts as fields (grafana/grafana pkg/promlib).
  function heatmapCells(refId: string): DataFrame {
    return createDataFrame({
      refId,
      meta: { type: 'heatmap-cells' as never },
      fields: [
        { name: 'xMax', type: FieldType.time, values: [T0, T0] },
        { name: 'yMin', type: FieldType.number, values: [0.5, 1] },
        { name: 'yMax', type: FieldType.number, values: [1, 2] },
        { name: 'count', type: FieldType.number, values: [3, 7] },
        { name: 'yLayout', type: FieldType.number, values: [0, 0] },
      ],
    });
  }

  it('are named as not shown, never read as numbers, and other queries still show', () => {
    const v = view(
      [heatmapCells('B'), series('A', { namespace: 'shop', pod: 'web-0', container: 'app' }, [200 * MiB])],
      [
        { refId: 'A', expr: 'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""})' },
        { refId: 'B', expr: 'rate(http_request_duration_seconds[5m])' },
      ]
    );
    expect(v.rows.map((r) => [r.pod, r.value])).toEqual([['web-0', 200]]);
    expect(v.unit).toBe('MiB');
    const notice = v.notices.find((n) => n.title === 'Query B: not shown');
    expect(notice?.text).toContain('native histogram');
    expect(framesToResults([heatmapCells('B')])[0].result.series).toEqual([]);
  });
});
