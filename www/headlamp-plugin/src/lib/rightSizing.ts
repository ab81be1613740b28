/*
 * Right-sizing on workload and namespace pages: what to ask kubeprom's recommendResources for,
 * and the words and tones of its statuses. The numbers, rounding, statuses and kubectl commands
 * are the core's; the plugin only counts and filters the containers the core gives.
 */
import type { ContainerAdvice, RecommendSpec, ResourceStatus, WorkloadKind } from 'kubeprom';
import type { PlanContext, Scope } from './plan';

function withSettings(ctx: PlanContext, spec: RecommendSpec): RecommendSpec {
  if (ctx.profile !== undefined) spec.profile = ctx.profile;
  if (ctx.cluster) spec.cluster = ctx.cluster;
  return spec;
}

/** The spec for a workload's page, or null for a page of no workload. */
export function rightSizingSpec(ctx: PlanContext, scope: Scope): RecommendSpec | null {
  if (!scope.workload || !scope.namespace) return null;
  return withSettings(ctx, { namespace: scope.namespace, workload: scope.workload });
}

/**
 * The spec for a namespace's page: without a workload the core right-sizes every workload of
 * the namespace, each container carrying its own workload.
 */
export function namespaceRightSizingSpec(ctx: PlanContext, namespace: string): RecommendSpec {
  return withSettings(ctx, { namespace });
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

/** Whether the core advises changing the container's resources: too little or too much. */
export function needsChange(c: ContainerAdvice): boolean {
  return c.status === 'under-provisioned' || c.status === 'over-provisioned';
}

/** Most urgent first: the order of the summary's counts. */
const SUMMARY_ORDER: ResourceStatus[] = [
  'under-provisioned',
  'over-provisioned',
  'fine',
  'not-enough-data',
];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * One line over a namespace's containers, so a long table can be judged before it is read:
 * "5 containers of 4 workloads: 3 under-provisioned, 1 fine, 1 not enough data".
 */
export function rightSizingSummary(containers: ContainerAdvice[]): string {
  const workloads = new Set(containers.map(c => workloadId(c.workload)));
  const counts = SUMMARY_ORDER.map(status => ({
    status,
    n: containers.filter(c => c.status === status).length,
  })).filter(s => s.n > 0);
  const head = `${plural(containers.length, 'container', 'containers')} of ${plural(
    workloads.size,
    'workload',
    'workloads'
  )}`;
  if (counts.length === 0) return head;
  return `${head}: ${counts.map(s => `${s.n} ${STATUS_TEXT[s.status].toLowerCase()}`).join(', ')}`;
}

/** `Deployment/api`: how the page and its tests name a workload. */
export function workloadId(w: { kind: WorkloadKind; name: string }): string {
  return `${w.kind}/${w.name}`;
}

/**
 * Headlamp's link to a workload's details page: its routes for workloads are named by their
 * kind (`Deployment` → /deployments/:namespace/:name), every kind the core names included.
 */
export function workloadRoute(
  namespace: string,
  w: { kind: WorkloadKind; name: string }
): { routeName: string; params: { namespace: string; name: string } } {
  return { routeName: w.kind, params: { namespace, name: w.name } };
}
