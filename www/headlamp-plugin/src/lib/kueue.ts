/*
 * Kueue queues from Prometheus: pending workloads in all and by status, admission wait p95,
 * admission rate, and with Kueue 0.18+ what the unadmitted workloads wait for and the CPU and
 * memory they request, per ClusterQueue. A LocalQueue shows the numbers of the ClusterQueue it feeds
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
  unadmitted: QuerySpec;
  pendingCpu: QuerySpec;
  pendingMemory: QuerySpec;
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
    unadmitted: { ...common, metric: 'kueue_unadmitted_workloads' },
    pendingCpu: { ...common, metric: 'kueue_pending_cpu' },
    pendingMemory: { ...common, metric: 'kueue_pending_memory' },
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
  /**
   * Unadmitted workloads by what holds them: the underlying cause of a missing quota reservation
   * (`WaitingForQuota`, `NoMatchingFlavor`...) or, once quota is reserved, the reason
   * (`UnsatisfiedAdmissionChecks`). Most first; empty without Kueue 0.18's metrics.
   */
  waitingFor: { cause: string; workloads: number }[];
  /** Cores and bytes requested by pending workloads (Kueue 0.18+). */
  pendingCpu: number | null;
  pendingMemory: number | null;
}

/** Queue answers, one per query of the plan. */
export type KueueAnswers = Record<keyof KueuePlan, QueryResult>;

/**
 * One row per cluster queue found in any of the answers. The numbers are the core's
 * aggregateGroups: pending by `status` (each status once, a series without one only where a queue
 * has none), the wait quantile as the largest of a queue's series, admissions, unadmitted
 * workloads and pending requests added up.
 */
export function queueRows(results: KueueAnswers): QueueRow[] {
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
        waitingFor: [],
        pendingCpu: null,
        pendingMemory: null,
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
  // A series keeps `underlying_cause` only while quota is missing: the cause, else the reason.
  for (const g of byQueue(results.unadmitted, {
    group: ['cluster_queue', ['underlying_cause', 'reason']],
  })) {
    row(g.labels.cluster_queue).waitingFor.push({ cause: g.key[1], workloads: g.value });
  }
  for (const r of rows.values()) {
    r.waitingFor.sort((a, b) => b.workloads - a.workloads || a.cause.localeCompare(b.cause));
  }
  for (const g of byQueue(results.pendingCpu)) {
    row(g.labels.cluster_queue).pendingCpu = g.value;
  }
  for (const g of byQueue(results.pendingMemory)) {
    row(g.labels.cluster_queue).pendingMemory = g.value;
  }
  return [...rows.values()].sort((a, b) => a.clusterQueue.localeCompare(b.clusterQueue));
}
