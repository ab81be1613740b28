import { createDataFrame, FieldType } from '@grafana/data';
import { defaultOptions } from '../types';
import { framesToResults } from './frames';
import { classifyQueries, detectResource, displayUnit } from './roles';

const frame = (refId: string, labels: Record<string, string>) =>
  createDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: [0] },
      { name: 'Value', type: FieldType.number, values: [1], labels },
    ],
  });

describe('classifyQueries', () => {
  it('pairs targets with their frames and guesses roles from the metric names', () => {
    const frames = [
      frame('A', { namespace: 'n', pod: 'p' }),
      frame('R', { namespace: 'n', pod: 'p' }),
      frame('X', { __name__: 'kube_pod_container_resource_limits', namespace: 'n', pod: 'p' }),
    ];
    const targets = [
      { refId: 'A', expr: 'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""})' },
      { refId: 'R', expr: 'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="memory"})' },
      { refId: 'H', expr: 'up', hide: true },
    ];
    const qs = classifyQueries(targets, framesToResults(frames), defaultOptions);
    expect(qs.map((q) => [q.refId, q.role, q.ref !== undefined])).toEqual([
      ['A', 'usage', true],
      ['R', 'requests', true],
      // not in the request (e.g. from a dashboard data source): recognised by __name__
      ['X', 'limits', true],
    ]);
    // A ratio of usage to requests is usage, not requests.
    const ratio = classifyQueries(
      [
        {
          refId: 'A',
          expr: 'container_memory_working_set_bytes / on (namespace, pod) kube_pod_container_resource_requests',
        },
      ],
      [],
      defaultOptions
    );
    expect(ratio[0].role).toBe('usage');
  });

  it('uses the refId options over the guess, and the Kueue roles in Kueue mode', () => {
    const targets = [
      { refId: 'A', expr: 'sum(foo)' },
      { refId: 'B', expr: 'sum(bar)' },
    ];
    expect(
      classifyQueries(targets, [], { ...defaultOptions, requestsRefId: 'A', limitsRefId: 'B' }).map((q) => q.role)
    ).toEqual(['requests', 'limits']);
    const kueue = classifyQueries(
      [
        { refId: 'A', expr: 'sum by (cluster_queue, status) (kueue_pending_workloads)' },
        {
          refId: 'B',
          expr: 'histogram_quantile(0.95, sum by (cluster_queue, le) (rate(kueue_admission_wait_time_seconds_bucket[5m])))',
        },
      ],
      [],
      { ...defaultOptions, mode: 'kueue' }
    );
    expect(kueue.map((q) => q.role)).toEqual(['kueue-pending', 'kueue-wait']);
  });

  it('reads unadmitted workloads apart, and no other Kueue metric as pending workloads', () => {
    const roles = classifyQueries(
      [
        { refId: 'A', expr: 'sum by (cluster_queue, reason, underlying_cause) (kueue_unadmitted_workloads)' },
        { refId: 'B', expr: 'sum by (namespace, name, reason) (kueue_local_queue_unadmitted_workloads)' },
        { refId: 'C', expr: 'sum by (cluster_queue) (rate(kueue_admitted_workloads_total[5m]))' },
        {
          refId: 'D',
          expr: 'histogram_quantile(0.95, sum by (cluster_queue, le) (rate(kueue_quota_reserved_wait_time_seconds_bucket[5m])))',
        },
        { refId: 'E', expr: 'sum by (cluster_queue, status) (kueue_local_queue_pending_workloads)' },
        // A recording rule names no Kueue metric: read as pending workloads, as before.
        { refId: 'F', expr: 'cluster_queue:pending:sum' },
      ],
      [],
      { ...defaultOptions, mode: 'kueue' }
    );
    expect(roles.map((q) => q.role)).toEqual([
      'kueue-unadmitted',
      'kueue-unadmitted',
      'kueue-unsupported',
      'kueue-unsupported',
      'kueue-pending',
      'kueue-pending',
    ]);
  });
});

describe('detectResource and displayUnit', () => {
  it('picks MiB for memory, millicores for CPU, nothing for other quantities', () => {
    const q = (expr: string) => classifyQueries([{ refId: 'A', expr }], [], defaultOptions);
    expect(detectResource(q('container_memory_working_set_bytes'))).toBe('memory');
    expect(detectResource(q('rate(container_cpu_usage_seconds_total[5m])'))).toBe('cpu');
    expect(detectResource(q('kube_pod_container_status_restarts_total'))).toBe('unknown');
    // kube-state-metrics series keep their resource label unless aggregated away
    const ksm = classifyQueries(
      [{ refId: 'A', expr: 'x' }],
      framesToResults([frame('A', { resource: 'cpu', namespace: 'n', pod: 'p' })]),
      defaultOptions
    );
    expect(detectResource(ksm)).toBe('cpu');
    expect(displayUnit('auto', 'memory', 'pods')).toBe('MiB');
    expect(displayUnit('auto', 'cpu', 'pods')).toBe('millicores');
    expect(displayUnit('auto', 'unknown', 'pods')).toBeUndefined();
    expect(displayUnit('GiB', 'cpu', 'pods')).toBe('GiB');
    expect(displayUnit('none', 'memory', 'pods')).toBeUndefined();
    expect(displayUnit('MiB', 'memory', 'kueue')).toBeUndefined();
  });
});
