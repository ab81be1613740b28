import type { MetricInfo, QuerySpec } from 'kubeprom';
import type { QueryHelperValue } from '../types';

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

/**
 * The QuerySpec for the helper's form: only the filters the metric accepts, empty inputs left out,
 * values passed on as typed (buildQuery escapes literals, and turns `$var` into variable matchers
 * when `variables` is on).
 */
export function helperToSpec(value: QueryHelperValue, metric: MetricInfo | undefined): QuerySpec | undefined {
  if (!value.metric) {
    return undefined;
  }
  const accepts = (f: string) => !metric || metric.filters.includes(f);
  const spec: QuerySpec = { metric: value.metric };
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
