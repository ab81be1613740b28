import type { DataQuery } from '@grafana/schema';
import type { RefResult } from './frames';
import type { PanelMode, PodResourcesOptions, UnitOption } from '../types';

/** What a query contributes to the panel. */
export type Role =
  | 'usage'
  | 'requests'
  | 'limits'
  | 'kueue-pending'
  | 'kueue-wait'
  | 'kueue-unadmitted'
  /** A Kueue metric the queue table has no column for (a rate, another wait histogram...). */
  | 'kueue-unsupported';

/** A query of the panel: its refId, the text the user wrote, and its results. */
export interface PanelQuery {
  refId: string;
  /** The query text of the target (Prometheus `expr`), template variables not interpolated. */
  expr?: string;
  /** The query as Prometheus ran it, from the frame metadata. */
  executedExpr?: string;
  role: Role;
  ref?: RefResult;
}

/** A Prometheus target as the panel sees it; other data sources have no `expr`. */
export type TargetLike = DataQuery & { expr?: unknown };

// Metric names of kube-state-metrics and Kueue, matched as whole words in the query text. This is
// only a guess at what a query is for; the refId options override it.
const REQUESTS = /\bkube_pod_(container_resource_requests|resource_request)\b/;
const LIMITS = /\bkube_pod_(container_resource_limits|resource_limit)\b/;
const CADVISOR = /\bcontainer_[a-z_]+\b/;
const KUEUE_WAIT = /\bkueue_(local_queue_)?admission_wait_time_seconds(_bucket|_sum|_count)?\b/;
const KUEUE_UNADMITTED = /\bkueue_(local_queue_)?unadmitted_workloads\b/;
const KUEUE_PENDING = /\bkueue_(local_queue_)?pending_workloads\b/;
const KUEUE_ANY = /\bkueue_[a-z_]+\b/;

/**
 * Pairs the panel's queries (request targets) with their results and decides the role of each.
 * Queries that returned frames but are not in the request (e.g. a dashboard data source) keep
 * their refId and are treated by their series' metric names.
 */
export function classifyQueries(
  targets: TargetLike[] | undefined,
  refs: RefResult[],
  options: Pick<PodResourcesOptions, 'mode' | 'requestsRefId' | 'limitsRefId'>
): PanelQuery[] {
  const byRef = new Map(refs.map((r) => [r.refId, r]));
  const queries: PanelQuery[] = [];
  const seen = new Set<string>();
  for (const t of targets ?? []) {
    if (t.hide || seen.has(t.refId)) {
      continue;
    }
    seen.add(t.refId);
    const ref = byRef.get(t.refId);
    const expr = typeof t.expr === 'string' && t.expr.trim() !== '' ? t.expr : undefined;
    queries.push({ refId: t.refId, expr, executedExpr: ref?.executedExpr, ref, role: 'usage' });
  }
  for (const ref of refs) {
    if (!seen.has(ref.refId)) {
      seen.add(ref.refId);
      queries.push({ refId: ref.refId, executedExpr: ref.executedExpr, ref, role: 'usage' });
    }
  }
  for (const q of queries) {
    q.role = roleOf(q, options);
  }
  return queries;
}

function roleOf(q: PanelQuery, options: Pick<PodResourcesOptions, 'mode' | 'requestsRefId' | 'limitsRefId'>): Role {
  const text = [q.expr ?? '', q.executedExpr ?? '', ...metricNames(q)].join('\n');
  if (options.mode === 'kueue') {
    if (KUEUE_WAIT.test(text)) {
      return 'kueue-wait';
    }
    if (KUEUE_UNADMITTED.test(text)) {
      return 'kueue-unadmitted';
    }
    // Read as pending workloads: what names them, and what names no Kueue metric at all (a
    // recording rule); any other Kueue metric would be miscounted as pending workloads.
    return KUEUE_PENDING.test(text) || !KUEUE_ANY.test(text) ? 'kueue-pending' : 'kueue-unsupported';
  }
  if (options.requestsRefId && q.refId === options.requestsRefId) {
    return 'requests';
  }
  if (options.limitsRefId && q.refId === options.limitsRefId) {
    return 'limits';
  }
  if (CADVISOR.test(text)) {
    return 'usage';
  }
  if (!options.requestsRefId && REQUESTS.test(text)) {
    return 'requests';
  }
  if (!options.limitsRefId && LIMITS.test(text)) {
    return 'limits';
  }
  return 'usage';
}

function metricNames(q: PanelQuery): string[] {
  const names = new Set<string>();
  for (const s of q.ref?.result.series ?? []) {
    if (s.labels.__name__) {
      names.add(s.labels.__name__);
    }
  }
  return [...names];
}

/** The kind of quantity the usage queries measure, for the `auto` unit. */
export type Resource = 'memory' | 'cpu' | 'unknown';

export function detectResource(queries: PanelQuery[]): Resource {
  const usage = queries.filter((q) => q.role === 'usage');
  const text = usage.map((q) => [q.expr ?? '', q.executedExpr ?? '', ...metricNames(q)].join('\n')).join('\n');
  const resourceLabels = new Set(usage.flatMap((q) => (q.ref?.result.series ?? []).map((s) => s.labels.resource)));
  if (/memory|_bytes\b/.test(text) || resourceLabels.has('memory')) {
    return 'memory';
  }
  if (/cpu/.test(text) || resourceLabels.has('cpu')) {
    return 'cpu';
  }
  return 'unknown';
}

/** The unit to convert to (a kubeprom unit name), or undefined to keep values as they come. */
export function displayUnit(option: UnitOption, resource: Resource, mode: PanelMode): string | undefined {
  if (mode === 'kueue') {
    return undefined;
  }
  if (option === 'none') {
    return undefined;
  }
  if (option !== 'auto') {
    return option;
  }
  switch (resource) {
    case 'memory':
      return 'MiB';
    case 'cpu':
      return 'millicores';
    default:
      return undefined;
  }
}
