import type { CustomMetric, MetricInfo, QuerySpec } from 'kubeprom';
import type { Kubeprom } from '../kubeprom/types';
import type { HelperCustomMetric, QueryHelperValue } from '../types';
import { errorText } from './podView';

// The catalog metrics Kueue mode's table has a column for (see roles.ts); the helper offers
// only these there, as any other would not be shown.
const KUEUE_TABLE_METRICS = new Set([
  'kueue_pending_workloads',
  'kueue_local_queue_pending_workloads',
  'kueue_admission_wait_time',
  'kueue_local_queue_admission_wait_time',
  'kueue_unadmitted_workloads',
  'kueue_local_queue_unadmitted_workloads',
]);

/** The catalog metrics the helper offers in a panel mode. */
export function helperMetrics(metrics: MetricInfo[], mode: string | undefined): MetricInfo[] {
  return mode === 'kueue' ? metrics.filter((m) => KUEUE_TABLE_METRICS.has(m.id)) : metrics;
}

/** Filters the helper offers as text inputs, when the metric accepts them. */
export const TEXT_FILTERS = ['namespace', 'pod', 'container', 'node', 'cluster'] as const;

/** What the helper needs to know of a metric: the filters it accepts and its kind of number. */
export type HelperMetric = Pick<MetricInfo, 'filters' | 'kind'>;

/** Filters and kind of the user's own metric, as buildQuery treats a custom metric. */
export function customMetricInfo(custom: HelperCustomMetric | undefined): HelperMetric {
  const filters = ['namespace', 'pod', 'cluster', 'node', 'workload'];
  if (custom?.scope === 'container') {
    filters.push('container');
  }
  return { filters, kind: custom?.kind ?? 'gauge' };
}

/**
 * The `CustomMetric` of the helper's form, its matcher lines read by the core: `metric` once
 * series, unit and kind are given, `problem` when the matchers cannot be read.
 */
export function helperCustomMetric(
  custom: HelperCustomMetric | undefined,
  kp: Pick<Kubeprom, 'parseMatcherLines'>
): { metric?: CustomMetric; problem?: string } {
  let matchers: Record<string, string>;
  try {
    matchers = kp.parseMatcherLines(custom?.matchers ?? '');
  } catch (e) {
    return { problem: errorText(e) };
  }
  const series = custom?.series?.trim();
  if (!custom || !series || !custom.unit || !custom.kind) {
    return {};
  }
  return { metric: { series, unit: custom.unit, kind: custom.kind, scope: custom.scope ?? 'pod', matchers } };
}

/**
 * The QuerySpec for the helper's form: only the filters the metric accepts, empty inputs left out,
 * values passed on as typed (buildQuery escapes literals, and turns `$var` into variable matchers
 * when `variables` is on).
 */
export function helperToSpec(
  value: QueryHelperValue,
  metric: HelperMetric | undefined,
  custom?: CustomMetric
): QuerySpec | undefined {
  const chosen = value.source === 'custom' ? custom : value.metric;
  if (!chosen) {
    return undefined;
  }
  const accepts = (f: string) => !metric || metric.filters.includes(f);
  const spec: QuerySpec = { metric: chosen };
  for (const f of TEXT_FILTERS) {
    const v = value[f]?.trim();
    if (v && accepts(f)) {
      spec[f] = v;
    }
  }
  const workloadName = value.workloadName?.trim();
  if (value.workloadKind && workloadName && accepts('workload')) {
    spec.workload = { kind: value.workloadKind, name: workloadName };
  }
  const window = value.window?.trim();
  if (window && (!metric || metric.kind === 'rate' || metric.kind === 'increase' || metric.kind === 'quantile')) {
    spec.window = window;
  }
  if (value.quantile !== undefined && (!metric || metric.kind === 'quantile' || metric.filters.includes('quantile'))) {
    spec.quantile = value.quantile;
  }
  if (value.profile) {
    spec.profile = value.profile;
  }
  spec.variables = value.variables ?? 'regex';
  return spec;
}
