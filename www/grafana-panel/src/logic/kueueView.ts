import type { AggregateReport, QueryResult, Series } from 'kubeprom';
import type { Kubeprom } from '../kubeprom/types';
import type { PodResourcesOptions } from '../types';
import { mergeResults } from './frames';
import { lintQueries, type QueryLint } from './lint';
import { errorText, type Notice } from './podView';
import type { PanelQuery, Role } from './roles';

export interface QueueRow {
  /** Cluster queue name, or `namespace/name` of a local queue. */
  queue: string;
  /**
   * Pending workloads by status (`active`, `inadmissible`), as the statistic over time; one entry
   * per status of the view, NaN where the queue has no series for it.
   */
  byStatus: Array<{ status: string; value: number; text: string }>;
  pending: number;
  pendingText: string;
  /** Admission wait quantile in seconds (the panel's query decides which quantile; p95 by default). */
  wait?: number;
  /** The core's text for the wait, or for no value when there is none. */
  waitText: string;
  series?: { times: number[]; values: number[] };
}

export interface KueueView {
  rows: QueueRow[];
  totalQueues: number;
  statuses: string[];
  scaleMax: number;
  notices: Notice[];
  lint: QueryLint[];
}

type Core = Pick<Kubeprom, 'aggregatePodsReport' | 'lintQuery' | 'formatValue'>;

// Labels that name the scrape target (the Kueue controller replica), not the queue. A metric that
// two replicas export is the same series twice; kubeprom's rules count it once when the series
// differ only in `instance`, so these labels are folded into it.
const TARGET_LABELS = ['instance', 'job', 'pod', 'container', 'namespace', 'service', 'endpoint', 'replica_role'];

/**
 * The Kueue view: pending workloads per queue and status, and the admission wait quantile per queue.
 *
 * The core's per-pod aggregation does exactly what a queue needs (group, statistic over time,
 * count a twice-scraped series once, sum the parts), so each queue is given to it as a "pod" whose
 * "containers" are the statuses.
 */
export function buildKueueView(kp: Core, queries: PanelQuery[], options: PodResourcesOptions): KueueView {
  const notices: Notice[] = [];
  let lint: QueryLint[] = [];
  if (options.lint) {
    try {
      lint = lintQueries(kp, queries, { scrapeInterval: options.scrapeInterval.trim() || undefined });
    } catch (e) {
      notices.push({ severity: 'error', title: 'Query check failed', text: errorText(e) });
    }
  }
  const keepSeries = options.visual === 'sparkline' || options.visual === 'both';
  const pending = aggregateQueues(kp, queries, 'kueue-pending', 'status', { stat: options.stat, keepSeries }, notices);
  const wait = aggregateQueues(kp, queries, 'kueue-wait', undefined, { stat: options.stat }, notices);
  if (!pending && !wait) {
    notices.push({
      severity: 'warning',
      title: 'No Kueue query',
      text: 'Add a query for kueue_pending_workloads (and kueue_admission_wait_time for the wait), e.g. from the query helper.',
    });
  }

  const waitByQueue = new Map<string, number>();
  for (const p of wait?.pods ?? []) {
    // One quantile series per queue unless the query keeps more labels (e.g. priority_class):
    // quantiles do not add up, so the queue shows the largest.
    const values = p.containers.map((c) => c.value).filter((v) => !Number.isNaN(v));
    waitByQueue.set(p.pod, values.length > 0 ? Math.max(...values) : NaN);
  }

  const statuses = new Set<string>();
  const rows = new Map<string, QueueRow>();
  for (const p of pending?.pods ?? []) {
    const byStatus = p.containers
      .filter((c) => c.container !== NO_STATUS)
      .map((c) => ({ status: c.container, value: c.value, text: kp.formatValue(c.value, 'count') }));
    byStatus.forEach((s) => statuses.add(s.status));
    const row: QueueRow = {
      queue: p.pod,
      byStatus,
      pending: p.value,
      pendingText: kp.formatValue(p.value, 'count'),
      waitText: kp.formatValue(NaN, 'seconds'),
    };
    if (p.timestamps && p.values && p.values.length > 0) {
      row.series = { times: Array.from(p.timestamps, (t) => t * 1000), values: Array.from(p.values) };
    }
    rows.set(p.pod, row);
  }
  for (const [queue, w] of waitByQueue) {
    const row = rows.get(queue) ?? { queue, byStatus: [], pending: NaN, pendingText: kp.formatValue(NaN, 'count') };
    rows.set(queue, { ...row, wait: w, waitText: kp.formatValue(w, 'seconds') });
  }
  const statusList = [...statuses].sort();
  for (const row of rows.values()) {
    const have = new Map(row.byStatus.map((s) => [s.status, s]));
    row.byStatus = statusList.map(
      (status) => have.get(status) ?? { status, value: NaN, text: kp.formatValue(NaN, 'count') }
    );
  }

  let list = [...rows.values()].sort(
    (a, b) => cmpDesc(a.pending, b.pending) || cmpDesc(a.wait ?? NaN, b.wait ?? NaN) || a.queue.localeCompare(b.queue)
  );
  const totalQueues = list.length;
  if (options.topN > 0) {
    list = list.slice(0, options.topN);
  }
  if (options.sort === 'name') {
    list.sort((a, b) => a.queue.localeCompare(b.queue));
  } else if (options.sort === 'value-asc') {
    list.reverse();
  }
  const scaleMax = Math.max(0, ...list.map((r) => r.pending).filter(Number.isFinite));
  return { rows: list, totalQueues, statuses: statusList, scaleMax, notices, lint };
}

const NO_STATUS = 'all';
const QUEUE_NAMESPACE = 'kueue';

function aggregateQueues(
  kp: Core,
  queries: PanelQuery[],
  role: Role,
  partLabel: string | undefined,
  opts: { stat: PodResourcesOptions['stat']; keepSeries?: boolean },
  notices: Notice[]
): AggregateReport | undefined {
  const results = queries.filter((q) => q.role === role && q.ref).map((q) => q.ref!.result);
  if (results.length === 0) {
    return undefined;
  }
  const merged = mergeResults(results);
  const { result, unattributed } = queuesAsPods(merged, partLabel);
  if (unattributed > 0) {
    notices.push({
      severity: 'warning',
      title: `${unattributed} series without a queue`,
      text: 'Series without a cluster_queue (or a local queue name) label are not shown. Keep cluster_queue in the query grouping.',
    });
  }
  try {
    return kp.aggregatePodsReport(result, opts);
  } catch (e) {
    notices.push({ severity: 'error', title: 'Cannot aggregate the Kueue query', text: errorText(e) });
    return undefined;
  }
}

/** Relabels queue series as pod series; see buildKueueView. */
export function queuesAsPods(
  result: QueryResult,
  partLabel: string | undefined
): { result: QueryResult; unattributed: number } {
  const series: Series[] = [];
  let unattributed = 0;
  for (const s of result.series) {
    const queue = queueOf(s.labels);
    if (!queue) {
      unattributed++;
      continue;
    }
    const labels: Record<string, string> = {};
    const target: string[] = [];
    for (const [k, v] of Object.entries(s.labels)) {
      if (TARGET_LABELS.includes(k)) {
        target.push(`${k}=${v}`);
      } else if (
        k !== '__name__' &&
        k !== 'cluster_queue' &&
        k !== 'name' &&
        k !== 'exported_namespace' &&
        k !== partLabel
      ) {
        labels[k] = v;
      }
    }
    // Other labels (e.g. priority_class) stay apart as parts of the queue.
    const rest = Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(',');
    const part = (partLabel && s.labels[partLabel]) || rest || NO_STATUS;
    series.push({
      labels: {
        ...labels,
        namespace: QUEUE_NAMESPACE,
        pod: queue,
        container: partLabel && s.labels[partLabel] && rest ? `${part} (${rest})` : part,
        ...(target.length > 0 ? { instance: target.sort().join(',') } : {}),
      },
      timestamps: s.timestamps,
      values: s.values,
    });
  }
  return { result: { ...result, series }, unattributed };
}

function queueOf(labels: Record<string, string>): string | undefined {
  if (labels.cluster_queue) {
    return labels.cluster_queue;
  }
  // kueue_local_queue_* metrics: `name` and `namespace` of the LocalQueue; a ServiceMonitor without
  // honorLabels renames the metric's namespace to exported_namespace.
  const ns = labels.exported_namespace ?? labels.namespace;
  if (labels.name && ns) {
    return `${ns}/${labels.name}`;
  }
  return undefined;
}

function cmpDesc(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) {
    return an === bn ? 0 : an ? 1 : -1;
  }
  return b - a;
}
