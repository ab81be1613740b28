import type { CustomMetric, MetricInfo, QuerySpec } from 'kubeprom';
import type { HelperCustomMetric, QueryHelperValue } from '../types';

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

/** The lines of a matchers text that are not `label=value`, numbered from 1. */
export function matcherProblems(text: string | undefined): string[] {
  return (text ?? '')
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== '' && !line.includes('='))
    .map(({ line, n }) => `line ${n}: "${line}" is not label=value`);
}

/** The `CustomMetric` of the helper's form; undefined until series, unit and kind are given. */
export function helperCustomMetric(custom: HelperCustomMetric | undefined): CustomMetric | undefined {
  const series = custom?.series?.trim();
  if (!custom || !series || !custom.unit || !custom.kind || matcherProblems(custom.matchers).length > 0) {
    return undefined;
  }
  const matchers: Record<string, string> = {};
  for (const line of (custom.matchers ?? '').split('\n')) {
    const at = line.indexOf('=');
    if (at >= 0) {
      // Spaces around `=` are layout; quotes and everything else are part of the value.
      matchers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return { series, unit: custom.unit, kind: custom.kind, scope: custom.scope ?? 'pod', matchers };
}

/**
 * The QuerySpec for the helper's form: only the filters the metric accepts, empty inputs left out,
 * values passed on as typed (buildQuery escapes literals, and turns `$var` into variable matchers
 * when `variables` is on).
 */
export function helperToSpec(value: QueryHelperValue, metric: HelperMetric | undefined): QuerySpec | undefined {
  const chosen = value.source === 'custom' ? helperCustomMetric(value.custom) : value.metric;
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
