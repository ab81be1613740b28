import { getActiveThreshold, type ThresholdsConfig, ThresholdsMode } from '@grafana/data';
import type { AggregateOptions, AggregateReport, PodValue, QueryResult } from 'kubeprom';
import type { Kubeprom } from '../kubeprom/types';
import type { PodResourcesOptions, SortOption } from '../types';
import { mergeResults, unreadNotices } from './frames';
import { lintQueries, type QueryLint } from './lint';
import { detectResource, displayUnit, type PanelQuery, type Role } from './roles';

/** A message above the table. */
export interface Notice {
  severity: 'info' | 'warning' | 'error';
  title: string;
  text: string;
}

export interface ContainerCell {
  container: string;
  value: number;
  text: string;
}

export interface PodRow {
  /** `namespace/pod`, unique per row. */
  key: string;
  namespace: string;
  pod: string;
  /** The statistic over time, in `unit`; NaN when every sample was NaN. */
  value: number;
  text: string;
  containers: ContainerCell[];
  request?: number;
  /** The core's text for the request, or for no value when there is none. */
  requestText: string;
  limit?: number;
  limitText: string;
  /** value / limit × 100, when a limit is known. */
  percentOfLimit?: number;
  percentOfLimitText: string;
  /** Threshold colour name (resolve with theme.visualization.getColorByName). */
  color: string;
  /** The pod's series over time (epoch ms), in `unit`, for the sparkline. */
  series?: { times: number[]; values: number[] };
}

export interface PodView {
  rows: PodRow[];
  /** Pods before top-N. */
  totalPods: number;
  /** Unit of every value in the view (a kubeprom unit name), undefined when values are shown as they come. */
  unit?: string;
  /** The largest of value, request and limit over the shown rows: the full width of a bar. */
  scaleMax: number;
  notices: Notice[];
  lint: QueryLint[];
}

type Core = Pick<Kubeprom, 'aggregatePodsReport' | 'lintQuery' | 'formatValue'>;

const DEFAULT_THRESHOLDS: ThresholdsConfig = {
  mode: ThresholdsMode.Absolute,
  steps: [{ value: -Infinity, color: 'green' }],
};

/**
 * The per-pod view of the panel's queries. Every number comes from the kubeprom core's
 * aggregatePodsReport, so pods count each container once by kubeprom's rules (no pod-level cgroup
 * series, no pause container, one scraper per container).
 */
export function buildPodView(
  kp: Core,
  queries: PanelQuery[],
  options: PodResourcesOptions,
  thresholds: ThresholdsConfig | undefined
): PodView {
  const notices: Notice[] = [];
  const unit = displayUnit(options.unit, detectResource(queries), 'pods');
  const lint = options.lint ? safeLint(kp, queries, options, notices) : [];
  for (const u of unreadNotices(queries.map((q) => q.ref))) {
    notices.push({ severity: 'warning', title: `Query ${u.refId}: not shown`, text: u.text });
  }

  const usage = resultOf(queries, 'usage');
  if (!usage) {
    notices.push({
      severity: 'warning',
      title: 'No usage query',
      text: 'Add a query that returns a value per pod, e.g. from the query helper in the panel options.',
    });
    return { rows: [], totalPods: 0, unit, scaleMax: 0, notices, lint };
  }

  const aggOpts: AggregateOptions = {
    stat: options.stat,
    keepSeries: options.visual === 'sparkline' || options.visual === 'both',
  };
  if (unit) {
    aggOpts.unit = unit;
  }
  const report = aggregate(kp, usage, aggOpts, 'usage', notices);
  if (!report) {
    return { rows: [], totalPods: 0, unit, scaleMax: 0, notices, lint };
  }
  explainReport(report, notices, 'usage');
  for (const w of usage.warnings) {
    notices.push({ severity: 'warning', title: 'Prometheus warning', text: w });
  }

  const markerOpts: AggregateOptions = { stat: 'last', ...(unit ? { unit } : {}) };
  const requests = byPod(aggregateRole(kp, queries, 'requests', markerOpts, notices));
  const limits = byPod(aggregateRole(kp, queries, 'limits', markerOpts, notices));

  let rows = report.pods.map((p) => toRow(kp, p, unit, requests.get(podKey(p)), limits.get(podKey(p))));
  const totalPods = rows.length;
  if (options.topN > 0 && rows.length > options.topN) {
    rows = [...rows].sort((a, b) => byValueDesc(a, b)).slice(0, options.topN);
  }
  rows = sortRows(rows, options.sort);

  const scaleMax = Math.max(0, ...rows.flatMap((r) => [r.value, r.request ?? 0, r.limit ?? 0].filter(Number.isFinite)));
  const { steps, mode } = thresholds ?? DEFAULT_THRESHOLDS;
  for (const r of rows) {
    r.color = thresholdColor(r, steps, mode);
  }
  return { rows, totalPods, unit, scaleMax, notices, lint };
}

/**
 * Absolute thresholds compare the value in the display unit; percentage thresholds compare the
 * share of the pod's limit, and a pod without a limit gets the base colour (nothing to run into).
 */
function thresholdColor(row: PodRow, steps: ThresholdsConfig['steps'], mode: ThresholdsMode): string {
  const basis = mode === ThresholdsMode.Percentage ? row.percentOfLimit : row.value;
  if (basis === undefined) {
    return steps[0]?.color ?? 'text';
  }
  return Number.isNaN(basis) ? 'text' : getActiveThreshold(basis, steps).color;
}

function safeLint(kp: Core, queries: PanelQuery[], options: PodResourcesOptions, notices: Notice[]): QueryLint[] {
  try {
    return lintQueries(kp, queries, { scrapeInterval: options.scrapeInterval.trim() || undefined });
  } catch (e) {
    notices.push({ severity: 'error', title: 'Query check failed', text: errorText(e) });
    return [];
  }
}

function resultOf(queries: PanelQuery[], role: Role): QueryResult | undefined {
  const results = queries.filter((q) => q.role === role && q.ref).map((q) => q.ref!.result);
  return results.length > 0 ? mergeResults(results) : undefined;
}

function aggregateRole(
  kp: Core,
  queries: PanelQuery[],
  role: Role,
  opts: AggregateOptions,
  notices: Notice[]
): PodValue[] {
  const result = resultOf(queries, role);
  if (!result) {
    return [];
  }
  const report = aggregate(kp, result, opts, role, notices);
  return report?.pods ?? [];
}

function aggregate(
  kp: Core,
  result: QueryResult,
  opts: AggregateOptions,
  what: string,
  notices: Notice[]
): AggregateReport | undefined {
  try {
    return kp.aggregatePodsReport(result, opts);
  } catch (e) {
    notices.push({ severity: 'error', title: `Cannot aggregate the ${what} query per pod`, text: errorText(e) });
    return undefined;
  }
}

function explainReport(report: AggregateReport, notices: Notice[], what: string) {
  if (report.droppedDuplicates > 0) {
    const n = report.droppedDuplicates;
    notices.push({
      severity: 'info',
      title: `${n} series not counted`,
      text:
        `The ${what} query returned ${n} ${n === 1 ? 'series that counts' : 'series that count'} a container a second time ` +
        '(the pod-level cgroup series, the pause container, or a second scrape of the same container). ' +
        'The panel counts each container once, as kubectl top pod does.',
    });
  }
  if (report.unattributed.length > 0) {
    const n = report.unattributed.length;
    notices.push({
      severity: 'warning',
      title: `${n} series without a pod`,
      text: `${n} ${n === 1 ? 'series has' : 'series have'} no namespace and pod labels and ${n === 1 ? 'is' : 'are'} not shown. Keep namespace and pod in the query's grouping, e.g. sum by (namespace, pod) (...).`,
    });
  }
}

function toRow(kp: Core, p: PodValue, unit: string | undefined, request?: PodValue, limit?: PodValue): PodRow {
  const u = unit ?? p.unit;
  const inUnit = (v: number) => kp.formatValue(v, u);
  const row: PodRow = {
    key: podKey(p),
    namespace: p.namespace,
    pod: p.pod,
    value: p.value,
    text: inUnit(p.value),
    containers: p.containers.map((c) => ({ container: c.container, value: c.value, text: inUnit(c.value) })),
    requestText: inUnit(NaN),
    limitText: inUnit(NaN),
    percentOfLimitText: kp.formatValue(NaN, 'percent'),
    color: 'text',
  };
  if (request && Number.isFinite(request.value)) {
    row.request = request.value;
    row.requestText = inUnit(request.value);
  }
  if (limit && Number.isFinite(limit.value)) {
    row.limit = limit.value;
    row.limitText = inUnit(limit.value);
    if (limit.value > 0 && Number.isFinite(p.value)) {
      row.percentOfLimit = (p.value / limit.value) * 100;
      row.percentOfLimitText = kp.formatValue(row.percentOfLimit, 'percent');
    }
  }
  if (p.timestamps && p.values && p.values.length > 0) {
    row.series = { times: Array.from(p.timestamps, (t) => t * 1000), values: Array.from(p.values) };
  }
  return row;
}

function podKey(p: { namespace: string; pod: string }): string {
  return `${p.namespace}/${p.pod}`;
}

function byPod(pods: PodValue[]): Map<string, PodValue> {
  return new Map(pods.map((p) => [podKey(p), p]));
}

/** NaN sorts last in either direction. */
function cmpNumber(a: number, b: number, dir: 1 | -1): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) {
    return an === bn ? 0 : an ? 1 : -1;
  }
  return a === b ? 0 : (a < b ? -1 : 1) * dir;
}

function byName(a: PodRow, b: PodRow): number {
  return a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod);
}

function byValueDesc(a: PodRow, b: PodRow): number {
  return cmpNumber(a.value, b.value, -1) || byName(a, b);
}

/** Rows in the given order; ties fall back to namespace, then pod. */
export function sortRows(rows: PodRow[], sort: SortOption): PodRow[] {
  const out = [...rows];
  switch (sort) {
    case 'value-desc':
      return out.sort(byValueDesc);
    case 'value-asc':
      return out.sort((a, b) => cmpNumber(a.value, b.value, 1) || byName(a, b));
    case 'limit-desc':
      return out.sort((a, b) => cmpNumber(a.percentOfLimit ?? NaN, b.percentOfLimit ?? NaN, -1) || byValueDesc(a, b));
    case 'name':
    default:
      return out.sort(byName);
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const kind = (e as { kind?: unknown }).kind;
    return typeof kind === 'string' ? `${e.message} (${kind})` : e.message;
  }
  return String(e);
}
