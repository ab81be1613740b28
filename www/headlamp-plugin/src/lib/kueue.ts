/*
 * Kueue queues from Prometheus: pending workloads by status, admission wait p95 and admission
 * rate per ClusterQueue. A LocalQueue shows the numbers of the ClusterQueue it feeds (Kueue's
 * per-LocalQueue metrics are behind a feature gate and absent from many installations).
 */
import type { QueryResult, QuerySpec } from 'kubeprom';
import type { PlanContext } from './plan';
import { instantWindow } from './plan';

export interface KueuePlan {
  pending: QuerySpec;
  wait: QuerySpec;
  admitted: QuerySpec;
}

export function planKueue(ctx: PlanContext, clusterQueue?: string): KueuePlan {
  const common: Partial<QuerySpec> = {};
  if (ctx.profile !== undefined) common.profile = ctx.profile;
  if (ctx.cluster) common.cluster = ctx.cluster;
  if (clusterQueue) common.selector = { cluster_queue: clusterQueue };
  const window = instantWindow(ctx.scrapeIntervalSeconds);
  return {
    pending: { ...common, metric: 'kueue_pending_workloads' },
    // Admission waits are rare events: a longer window than rates of busy counters.
    wait: { ...common, metric: 'kueue_admission_wait_time', quantile: 0.95, window: '1h' },
    admitted: { ...common, metric: 'kueue_admitted_workloads_rate', window },
  };
}

export interface QueueRow {
  clusterQueue: string;
  active: number | null;
  inadmissible: number | null;
  /** Seconds; NaN when no workload was admitted in the window. */
  waitP95: number | null;
  admittedPerSecond: number | null;
}

const last = (values: Float64Array) => (values.length ? values[values.length - 1] : NaN);

export function queueRows(results: {
  pending: QueryResult;
  wait: QueryResult;
  admitted: QueryResult;
}): QueueRow[] {
  const rows = new Map<string, QueueRow>();
  const row = (cq: string) => {
    let r = rows.get(cq);
    if (!r) {
      r = {
        clusterQueue: cq,
        active: null,
        inadmissible: null,
        waitP95: null,
        admittedPerSecond: null,
      };
      rows.set(cq, r);
    }
    return r;
  };
  for (const s of results.pending.series) {
    const cq = s.labels.cluster_queue;
    if (!cq) continue;
    const status = s.labels.status;
    if (status === 'active' || status === 'inadmissible') {
      row(cq)[status] = (row(cq)[status] ?? 0) + last(s.values);
    }
  }
  for (const s of results.wait.series) {
    if (s.labels.cluster_queue) row(s.labels.cluster_queue).waitP95 = last(s.values);
  }
  for (const s of results.admitted.series) {
    if (s.labels.cluster_queue) row(s.labels.cluster_queue).admittedPerSecond = last(s.values);
  }
  return [...rows.values()].sort((a, b) => a.clusterQueue.localeCompare(b.clusterQueue));
}
