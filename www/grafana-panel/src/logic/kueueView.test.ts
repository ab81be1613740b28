import { createDataFrame, type DataFrame, FieldType } from '@grafana/data';
import { realKubeprom } from '../testing/kubeprom';
import { defaultOptions, type PodResourcesOptions } from '../types';
import { framesToResults } from './frames';
import { buildKueueView } from './kueueView';
import { classifyQueries } from './roles';

const T0 = 1_700_000_000_000;
const kp = realKubeprom();

function series(refId: string, labels: Record<string, string>, values: number[]): DataFrame {
  return createDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => T0 + i * 30_000) },
      { name: 'Value', type: FieldType.number, values, labels },
    ],
  });
}

const PENDING = 'sum by (cluster_queue, status) (kueue_pending_workloads)';
const WAIT =
  'histogram_quantile(0.95, sum by (cluster_queue, le) (rate(kueue_admission_wait_time_seconds_bucket[5m])))';

function view(frames: DataFrame[], options: Partial<PodResourcesOptions> = {}) {
  const opts: PodResourcesOptions = { ...defaultOptions, mode: 'kueue', lint: false, ...options };
  const targets = [
    { refId: 'A', expr: PENDING },
    { refId: 'B', expr: WAIT },
  ];
  return buildKueueView(kp, classifyQueries(targets, framesToResults(frames), opts), opts);
}

describe('buildKueueView with the real kubeprom core', () => {
  it('shows pending workloads per queue and status, and the wait quantile', () => {
    const v = view([
      series('A', { cluster_queue: 'gpu', status: 'active' }, [2, 4]),
      series('A', { cluster_queue: 'gpu', status: 'inadmissible' }, [1, 3]),
      series('A', { cluster_queue: 'cpu', status: 'active' }, [1, 1]),
      series('B', { cluster_queue: 'gpu' }, [30, 150]),
      series('B', { cluster_queue: 'cpu' }, [NaN, NaN]),
    ]);
    expect(v.statuses).toEqual(['active', 'inadmissible']);
    expect(v.rows.map((r) => r.queue)).toEqual(['gpu', 'cpu']);
    const gpu = v.rows[0];
    expect(gpu.pending).toBe(4 + 3);
    expect(gpu.byStatus).toEqual([
      { status: 'active', value: 4, text: '4' },
      { status: 'inadmissible', value: 3, text: '3' },
    ]);
    expect(gpu.wait).toBe(150);
    expect(gpu.waitText).toBe('2m 30s');
    expect(gpu.series?.values).toEqual([3, 7]);
    // No admissions in the window: the quantile is NaN, shown as a dash.
    expect(Number.isNaN(v.rows[1].wait)).toBe(true);
    expect(v.rows[1].waitText).toBe('—');
    // cpu has no inadmissible series: that cell has no value either.
    expect(v.rows[1].byStatus.map((s) => [s.status, s.text])).toEqual([
      ['active', '1'],
      ['inadmissible', '—'],
    ]);
  });

  it('writes waits in at most two units, and queues without a pending series as no value', () => {
    const waits: Record<string, number> = { a: 0.25, b: 42, c: 75, d: 3_900, e: 183_600 };
    const v = view(
      Object.entries(waits).map(([cq, w]) => series('B', { cluster_queue: cq }, [w])),
      { sort: 'name' }
    );
    expect(v.rows.map((r) => [r.queue, r.waitText, r.pendingText])).toEqual([
      ['a', '250ms', '—'],
      ['b', '42s', '—'],
      ['c', '1m 15s', '—'],
      ['d', '1h 5m', '—'],
      ['e', '2d 3h', '—'],
    ]);
  });

  it('counts a queue once when two Kueue replicas export it', () => {
    const target = { job: 'kueue', namespace: 'kueue-system', __name__: 'kueue_pending_workloads' };
    const v = view([
      series(
        'A',
        {
          ...target,
          cluster_queue: 'gpu',
          status: 'active',
          instance: '10.0.0.1:8443',
          pod: 'kueue-a',
          replica_role: 'leader',
        },
        [5]
      ),
      series(
        'A',
        {
          ...target,
          cluster_queue: 'gpu',
          status: 'active',
          instance: '10.0.0.2:8443',
          pod: 'kueue-b',
          replica_role: 'follower',
        },
        [5]
      ),
    ]);
    expect(v.rows).toHaveLength(1);
    expect(v.rows[0].pending).toBe(5);
  });

  it('sums series that differ in other labels into their status, and shows the largest wait', () => {
    const v = view([
      series('A', { cluster_queue: 'gpu', status: 'active', priority_class: 'high' }, [2]),
      series('A', { cluster_queue: 'gpu', status: 'active', priority_class: 'low' }, [3]),
      series('A', { cluster_queue: 'gpu', status: 'inadmissible', priority_class: 'low' }, [1]),
      series('B', { cluster_queue: 'gpu', priority_class: 'high' }, [30]),
      series('B', { cluster_queue: 'gpu', priority_class: 'low' }, [90]),
    ]);
    // priority_class is not a part of its own: the statuses are the parts.
    expect(v.statuses).toEqual(['active', 'inadmissible']);
    expect(v.rows[0].pending).toBe(6);
    expect(v.rows[0].byStatus.map((s) => [s.status, s.value])).toEqual([
      ['active', 5],
      ['inadmissible', 1],
    ]);
    // Quantiles do not add up: the queue shows the largest.
    expect(v.rows[0].wait).toBe(90);
    expect(v.rows[0].waitText).toBe('1m 30s');
  });

  it('counts a series without a status only for a queue that has none by status', () => {
    const v = view([
      series('A', { cluster_queue: 'gpu', status: 'active' }, [2]),
      series('A', { cluster_queue: 'gpu' }, [2]),
      series('A', { cluster_queue: 'cpu' }, [4]),
    ]);
    expect(v.rows.map((r) => [r.queue, r.pending, r.byStatus.map((s) => s.text)])).toEqual([
      ['cpu', 4, ['—']],
      ['gpu', 2, ['2']],
    ]);
  });

  it('reads local queue metrics by namespace and name', () => {
    const v = view([
      series('A', { exported_namespace: 'team-a', namespace: 'kueue-system', name: 'lq', status: 'active' }, [6]),
      series('A', { namespace: 'team-b', name: 'lq', status: 'active' }, [2]),
    ]);
    expect(v.rows.map((r) => [r.queue, r.pending])).toEqual([
      ['team-a/lq', 6],
      ['team-b/lq', 2],
    ]);
  });

  it('reads each query as cluster queues or local queues', () => {
    const frames = [
      series('A', { cluster_queue: 'gpu', status: 'active' }, [3]),
      series('C', { exported_namespace: 'team-a', namespace: 'kueue-system', name: 'lq', status: 'active' }, [1]),
    ];
    const opts: PodResourcesOptions = { ...defaultOptions, mode: 'kueue', lint: false };
    const targets = [
      { refId: 'A', expr: PENDING },
      { refId: 'C', expr: 'sum by (exported_namespace, name, status) (kueue_local_queue_pending_workloads)' },
    ];
    const v = buildKueueView(kp, classifyQueries(targets, framesToResults(frames), opts), opts);
    expect(v.rows.map((r) => [r.queue, r.pending])).toEqual([
      ['gpu', 3],
      ['team-a/lq', 1],
    ]);
    expect(v.notices).toEqual([]);
  });

  it('shows what unadmitted workloads wait for, from cluster or local queue series', () => {
    const opts: PodResourcesOptions = { ...defaultOptions, mode: 'kueue', lint: false };
    const targets = [
      { refId: 'A', expr: PENDING },
      { refId: 'U', expr: 'sum by (cluster_queue, reason, underlying_cause) (kueue_unadmitted_workloads)' },
      {
        refId: 'L',
        expr: 'sum by (exported_namespace, name, cluster_queue, reason, underlying_cause) (kueue_local_queue_unadmitted_workloads)',
      },
      { refId: 'R', expr: 'sum by (cluster_queue) (rate(kueue_admitted_workloads_total[5m]))' },
    ];
    const frames = [
      series('A', { cluster_queue: 'gpu', status: 'active' }, [14]),
      series('U', { cluster_queue: 'gpu', reason: 'NoReservation', underlying_cause: 'NoMatchingFlavor' }, [3]),
      series('U', { cluster_queue: 'gpu', reason: 'NoReservation', underlying_cause: 'WaitingForQuota' }, [9, 11]),
      // Quota reserved: no underlying cause; the reason says what is left.
      series('U', { cluster_queue: 'gpu', reason: 'UnsatisfiedAdmissionChecks' }, [2]),
      // A local queue's series names its cluster queue, yet is the local queue's row.
      series(
        'L',
        {
          exported_namespace: 'team-a',
          name: 'lq',
          cluster_queue: 'gpu',
          reason: 'NoReservation',
          underlying_cause: 'WaitingForQuota',
        },
        [8]
      ),
      // Admissions per second are no pending workloads: not added to any queue.
      series('R', { cluster_queue: 'gpu' }, [0.5]),
    ];
    const v = buildKueueView(kp, classifyQueries(targets, framesToResults(frames), opts), opts);
    expect(v.rows.map((r) => [r.queue, r.pending, r.waitingFor.map((w) => [w.cause, w.value, w.text])])).toEqual([
      [
        'gpu',
        14,
        [
          ['WaitingForQuota', 11, '11'],
          ['NoMatchingFlavor', 3, '3'],
          ['UnsatisfiedAdmissionChecks', 2, '2'],
        ],
      ],
      ['team-a/lq', NaN, [['WaitingForQuota', 8, '8']]],
    ]);
    expect(v.notices.map((n) => n.title)).toEqual(['Not shown: R']);
  });

  it('warns about series without a queue and orders by name or top N', () => {
    const frames = [
      series('A', { cluster_queue: 'b', status: 'active' }, [1]),
      series('A', { cluster_queue: 'a', status: 'active' }, [2]),
      series('A', { status: 'active' }, [9]),
    ];
    const v = view(frames, { sort: 'name' });
    expect(v.rows.map((r) => r.queue)).toEqual(['a', 'b']);
    expect(v.notices.map((n) => n.title)).toContain('1 series without a queue');
    const top = view(frames, { topN: 1 });
    expect(top.rows.map((r) => r.queue)).toEqual(['a']);
    expect(top.totalQueues).toBe(2);
  });
});
