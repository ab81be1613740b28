/*
 * Right-sizing on a workload's page: what to ask kubeprom's recommendResources for, and the
 * words and tones of its statuses. The numbers, rounding and statuses are the core's.
 */
import type { RecommendSpec, ResourceStatus } from 'kubeprom';
import type { PlanContext, Scope } from './plan';

/** The spec for a workload's page, or null for a page of no workload. */
export function rightSizingSpec(ctx: PlanContext, scope: Scope): RecommendSpec | null {
  if (!scope.workload || !scope.namespace) return null;
  const spec: RecommendSpec = { namespace: scope.namespace, workload: scope.workload };
  if (ctx.profile !== undefined) spec.profile = ctx.profile;
  if (ctx.cluster) spec.cluster = ctx.cluster;
  return spec;
}

export const STATUS_TEXT: Record<ResourceStatus, string> = {
  fine: 'Fine',
  'over-provisioned': 'Over-provisioned',
  'under-provisioned': 'Under-provisioned',
  'not-enough-data': 'Not enough data',
};

/** Headlamp's StatusLabel tone for a status: too little is the risk, too much the waste. */
export function statusTone(status: ResourceStatus): 'success' | 'warning' | 'error' | '' {
  switch (status) {
    case 'fine':
      return 'success';
    case 'over-provisioned':
      return 'warning';
    case 'under-provisioned':
      return 'error';
    default:
      return '';
  }
}

/** Recommendations change slowly over a 14-day history: ask again at most every 10 minutes. */
export function rightSizingRefreshSeconds(refreshSeconds: number): number {
  return Math.max(refreshSeconds, 600);
}
