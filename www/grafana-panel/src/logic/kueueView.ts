import type { GroupOptions, GroupReport, GroupValue, QueryResult } from 'kubeprom';
import type { Kubeprom } from '../kubeprom/types';
import type { PodResourcesOptions } from '../types';
import { mergeResults, unreadNotices } from './frames';
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
  /**
   * Unadmitted workloads (Kueue 0.18+) by what holds them, most first: the underlying cause of a
   * missing quota reservation (`WaitingForQuota`...), or the reason once quota is reserved
   * (`UnsatisfiedAdmissionChecks`). Empty without a kueue_unadmitted_workloads query.
   */
  waitingFor: Array<{ cause: string; value: number; text: string }>;
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

type Core = Pick<Kubeprom, 'aggregateGroups' | 'lintQuery' | 'formatValue'>;

// Labels that name the scrape target (the Kueue controller replica), not the queue: series equal
// but for them are one queue series exported twice (two replicas), counted once.
const TARGET_LABELS = ['instance', 'job', 'pod', 'container', 'namespace', 'service', 'endpoint', 'replica_role'];

/**
 * The Kueue view: pending workloads per queue and status, and the admission wait quantile per queue.
 *
 * The core's aggregateGroups does every number: one group per queue, its statuses as the parts,
 * the statistic over time, a series that two Kueue replicas export counted once.
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
  for (const u of unreadNotices(queries.map((q) => q.ref))) {
    notices.push({ severity: 'warning', title: `Query ${u.refId}: not shown`, text: u.text });
  }
  const keepSeries = options.visual === 'sparkline' || options.visual === 'both';
  const pending = aggregateQueues(
    kp,
    queries,
    'kueue-pending',
    { part: 'status', stat: options.stat, keepSeries },
    notices
  );
  // Quantiles do not add up: a queue whose wait query keeps more labels (e.g. priority_class)
  // shows the largest of its series.
  const wait = aggregateQueues(kp, queries, 'kueue-wait', { combine: 'max', stat: options.stat }, notices);
  // A series keeps `underlying_cause` only while quota is missing: the cause, else the reason.
  const unadmitted = aggregateQueues(kp, queries, 'kueue-unadmitted', { stat: options.stat }, notices, [
    'underlying_cause',
    'reason',
  ]);
  const unsupported = queries.filter((q) => q.role === 'kueue-unsupported').map((q) => q.refId);
  if (unsupported.length > 0) {
    notices.push({
      severity: 'warning',
      title: `Not shown: ${unsupported.join(', ')}`,
      text: 'The Kueue view has columns for kueue_pending_workloads, kueue_admission_wait_time and kueue_unadmitted_workloads (and their local queue twins); other Kueue metrics belong in a time series panel.',
    });
  }
  if (!pending && !wait && !unadmitted) {
    notices.push({
      severity: 'warning',
      title: 'No Kueue query',
      text: 'Add a query for kueue_pending_workloads (and kueue_admission_wait_time for the wait), e.g. from the query helper.',
    });
  }

  const statuses = new Set<string>();
  const rows = new Map<string, QueueRow>();
  const rowOf = (queue: string): QueueRow => {
    let row = rows.get(queue);
    if (!row) {
      row = {
        queue,
        byStatus: [],
        pending: NaN,
        pendingText: kp.formatValue(NaN, 'count'),
        waitText: kp.formatValue(NaN, 'seconds'),
        waitingFor: [],
      };
      rows.set(queue, row);
    }
    return row;
  };
  for (const [queue, g] of pending ?? []) {
    const row = rowOf(queue);
    row.byStatus = g.parts
      .filter((p) => p.part !== '')
      .map((p) => ({ status: p.part, value: p.value, text: kp.formatValue(p.value, 'count') }));
    row.byStatus.forEach((s) => statuses.add(s.status));
    row.pending = g.value;
    row.pendingText = kp.formatValue(g.value, 'count');
    if (g.timestamps && g.values && g.values.length > 0) {
      row.series = { times: Array.from(g.timestamps, (t) => t * 1000), values: Array.from(g.values) };
    }
  }
  for (const [queue, g] of wait ?? []) {
    const row = rowOf(queue);
    row.wait = g.value;
    row.waitText = kp.formatValue(g.value, 'seconds');
  }
  for (const [queue, g] of unadmitted ?? []) {
    const cause = g.key[g.key.length - 1];
    rowOf(queue).waitingFor.push({ cause, value: g.value, text: kp.formatValue(g.value, 'count') });
  }
  const statusList = [...statuses].sort();
  for (const row of rows.values()) {
    row.waitingFor.sort((a, b) => cmpDesc(a.value, b.value) || a.cause.localeCompare(b.cause));
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

// Cluster queue metrics (kueue_pending_workloads, ...) carry `cluster_queue`; local queue metrics
// (kueue_local_queue_*) carry the LocalQueue's `name` and `namespace`, which a ServiceMonitor
// without honorLabels renames to exported_namespace (its `namespace` is then the controller's).
const CLUSTER_QUEUE: GroupOptions['group'] = ['cluster_queue'];
const LOCAL_QUEUE: GroupOptions['group'] = [['exported_namespace', 'namespace'], 'name'];

/**
 * The groups of one role's queries with their queue name (a cluster queue's name, or
 * `namespace/name` of a local queue). A query's result is read as cluster queues when any of its
 * series has `cluster_queue` and no local queue `name`, otherwise as local queues; the queries of
 * each kind are aggregated together. `within` adds a group label (alternatives, the first present
 * winning) under the queue: several groups per queue, the label's value last in each key.
 */
function aggregateQueues(
  kp: Core,
  queries: PanelQuery[],
  role: Role,
  opts: Pick<GroupOptions, 'part' | 'combine' | 'stat' | 'keepSeries'>,
  notices: Notice[],
  within?: string[]
): Array<[string, GroupValue]> | undefined {
  const results = queries.filter((q) => q.role === role && q.ref).map((q) => q.ref!.result);
  if (results.length === 0) {
    return undefined;
  }
  // A local queue's unadmitted workloads name their cluster queue too.
  const isClusterQueue = (r: QueryResult) =>
    r.series.some((s) => s.labels.cluster_queue !== undefined && s.labels.name === undefined);
  const groups: Array<[string, GroupValue]> = [];
  let unattributed = 0;
  let aggregated = false;
  for (const [group, kind] of [
    [CLUSTER_QUEUE, results.filter(isClusterQueue)],
    [LOCAL_QUEUE, results.filter((r) => !isClusterQueue(r))],
  ] as const) {
    if (kind.length === 0) {
      continue;
    }
    let report: GroupReport;
    try {
      const by = within ? [...group, within] : group;
      report = kp.aggregateGroups(mergeResults(kind), { ...opts, group: by, identity: TARGET_LABELS });
    } catch (e) {
      notices.push({ severity: 'error', title: 'Cannot aggregate the Kueue query', text: errorText(e) });
      continue;
    }
    aggregated = true;
    unattributed += report.unattributed.length;
    for (const g of report.groups) {
      groups.push([(within ? g.key.slice(0, -1) : g.key).join('/'), g]);
    }
  }
  if (unattributed > 0) {
    notices.push({
      severity: 'warning',
      title: `${unattributed} series without a queue`,
      text: 'Series without a cluster_queue (or a local queue name) label are not shown. Keep cluster_queue in the query grouping.',
    });
  }
  return aggregated ? groups : undefined;
}

function cmpDesc(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) {
    return an === bn ? 0 : an ? 1 : -1;
  }
  return b - a;
}
