/*
 * Kueue queues from Prometheus: pending workloads in all and by status, admission wait p95 and
 * admission rate per ClusterQueue. A LocalQueue shows the numbers of the ClusterQueue it feeds
 * (Kueue's per-LocalQueue metrics are behind a feature gate and absent from many installations).
 */
import type { GroupOptions, QueryResult, QuerySpec } from 'kubeprom';
import { aggregateGroups } from 'kubeprom';
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
  /** Pending workloads of every status. */
  pending: number | null;
  active: number | null;
  inadmissible: number | null;
  /** Seconds; NaN when no workload was admitted in the window. */
  waitP95: number | null;
  admittedPerSecond: number | null;
}

/**
 * One row per cluster queue found in any of the three answers. The numbers are the core's
 * aggregateGroups: pending by `status` (each status once, a series without one only where a queue
 * has none), the wait quantile as the largest of a queue's series, admissions added up.
 */
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
        pending: null,
        active: null,
        inadmissible: null,
        waitP95: null,
        admittedPerSecond: null,
      };
      rows.set(cq, r);
    }
    return r;
  };
  const byQueue = (result: QueryResult, opts?: Partial<GroupOptions>) =>
    aggregateGroups(result, { group: ['cluster_queue'], ...opts }).groups;
  for (const g of byQueue(results.pending, { part: 'status' })) {
    const r = row(g.labels.cluster_queue);
    r.pending = g.value;
    r.active = g.parts.find(p => p.part === 'active')?.value ?? null;
    r.inadmissible = g.parts.find(p => p.part === 'inadmissible')?.value ?? null;
  }
  for (const g of byQueue(results.wait, { combine: 'max' })) {
    row(g.labels.cluster_queue).waitP95 = g.value;
  }
  for (const g of byQueue(results.admitted)) {
    row(g.labels.cluster_queue).admittedPerSecond = g.value;
  }
  return [...rows.values()].sort((a, b) => a.clusterQueue.localeCompare(b.clusterQueue));
}
