import type { MetricInfo, QuerySpec } from 'kubeprom';
import type { QueryHelperValue } from '../types';

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
