/*
 * Which kubeprom query specs a view needs, and over which time range.
 *
 * No PromQL is written here: every query is a kubeprom QuerySpec that buildQuery() turns into
 * PromQL for the chosen label profile. This module only decides metrics, filters and windows.
 */
import type { CustomMetric, Profile, QuerySpec, WorkloadKind } from 'kubeprom';

export const RANGES = {
  '1h': 3600,
  '6h': 6 * 3600,
  '24h': 24 * 3600,
  '7d': 7 * 24 * 3600,
} as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];

/** Steps a chart may use, in seconds; round numbers keep points aligned between refreshes. */
const NICE_STEPS = [
  15,
  30,
  60,
  120,
  300,
  600,
  900,
  1800,
  3600,
  2 * 3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86400,
];
/** About one point per two pixels of a detail-view chart. */
export const TARGET_POINTS = 240;
/** Prometheus refuses more than 11,000 points per series. */
const MAX_POINTS = 11000;

/** A PromQL duration for a number of seconds ('90s', '2m', '1h', '1d'). */
export function promDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s % 86400 === 0) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

export interface TimeRange {
  start: number;
  end: number;
  /** Seconds between points. */
  step: number;
  /** Range for rate()/increase(): covers at least one step and four scrapes. */
  window: string;
}

/**
 * Start, end, step and rate window for a chart over `rangeSeconds` ending at `now`.
 *
 * The window follows the step: with a fixed short window (Headlamp's Prometheus plugin uses
 * [1m]) a chart with a 5-minute step samples one minute in five and misses spikes; a window
 * shorter than four scrape intervals gives gaps when a scrape is missed.
 */
export function timeRange(
  rangeSeconds: number,
  now: number,
  scrapeIntervalSeconds = 30,
  targetPoints = TARGET_POINTS
): TimeRange {
  const raw = rangeSeconds / targetPoints;
  let step = NICE_STEPS.find(s => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
  while (rangeSeconds / step > MAX_POINTS) {
    step *= 2;
  }
  const end = Math.floor(now / step) * step;
  const start = end - rangeSeconds;
  const window = promDuration(Math.max(step, 4 * scrapeIntervalSeconds));
  return { start, end, step, window };
}

/** Rate window for "current value" cards and tables. */
export function instantWindow(scrapeIntervalSeconds = 30): string {
  return promDuration(Math.max(60, 4 * scrapeIntervalSeconds));
}

/** How values are shown: the unit aggregatePods converts to, or the metric's own unit. */
export type DisplayUnit =
  | 'millicores'
  | 'MiB'
  | 'cores'
  | 'bytes'
  | 'bytes/s'
  | 'count'
  | 'seconds'
  | 'ops/s'
  | 'ratio';

/** A per-pod metric of the user's own, charted beside the catalog's (from the settings). */
export interface CustomChart {
  title: string;
  metric: CustomMetric;
}

export interface PlanContext {
  profile?: string | Profile;
  /** Value of the profile's cluster label for this Headlamp cluster. */
  cluster?: string;
  scrapeIntervalSeconds: number;
  /** The user's own per-pod metrics, one chart each after the catalog's. */
  customCharts?: CustomChart[];
}

/** The pods a view is about: one pod, a workload's pods, or a namespace. */
export interface Scope {
  namespace?: string;
  pod?: string;
  workload?: { kind: WorkloadKind; name: string };
}

export interface SeriesPlan {
  key: string;
  label: string;
  spec: QuerySpec;
}

export interface ChartPlan {
  id: string;
  title: string;
  unit: DisplayUnit;
  /** Range queries; each gives one line per pod. */
  series: SeriesPlan[];
  /** Instant queries drawn as horizontal reference lines (requests, limits). */
  refs: SeriesPlan[];
}

export interface CardPlan {
  id: 'cpu' | 'memory' | 'restarts' | 'reason';
  title: string;
  unit: DisplayUnit;
  spec: QuerySpec;
}

function base(ctx: PlanContext, scope: Scope, metric: QuerySpec['metric']): QuerySpec {
  const spec: QuerySpec = { metric };
  if (scope.namespace !== undefined) spec.namespace = scope.namespace;
  if (scope.pod !== undefined) spec.pod = scope.pod;
  if (scope.workload) spec.workload = { ...scope.workload };
  if (ctx.profile !== undefined) spec.profile = ctx.profile;
  if (ctx.cluster) spec.cluster = ctx.cluster;
  return spec;
}

function withWindow(spec: QuerySpec, window: string): QuerySpec {
  return { ...spec, window };
}

/** Charts for a pod or for every pod of a workload. */
export function planCharts(ctx: PlanContext, scope: Scope, range: TimeRange): ChartPlan[] {
  const q = (metric: QuerySpec['metric']) => base(ctx, scope, metric);
  const rate = (metric: string) => withWindow(q(metric), range.window);
  return [
    {
      id: 'cpu',
      title: 'CPU',
      unit: 'millicores',
      series: [{ key: 'usage', label: 'usage', spec: rate('pod_cpu_usage') }],
      refs: [
        { key: 'request', label: 'request', spec: q('pod_cpu_requests') },
        { key: 'limit', label: 'limit', spec: q('pod_cpu_limits') },
      ],
    },
    {
      id: 'memory',
      title: 'Memory (working set)',
      unit: 'MiB',
      series: [{ key: 'usage', label: 'working set', spec: q('pod_memory_working_set') }],
      refs: [
        { key: 'request', label: 'request', spec: q('pod_memory_requests') },
        { key: 'limit', label: 'limit', spec: q('pod_memory_limits') },
      ],
    },
    {
      id: 'network',
      title: 'Network',
      unit: 'bytes/s',
      series: [
        { key: 'rx', label: 'receive', spec: rate('pod_network_receive') },
        { key: 'tx', label: 'transmit', spec: rate('pod_network_transmit') },
      ],
      refs: [],
    },
    {
      id: 'disk',
      title: 'Disk I/O',
      unit: 'bytes/s',
      series: [
        { key: 'read', label: 'read', spec: rate('pod_fs_read') },
        { key: 'write', label: 'write', spec: rate('pod_fs_write') },
      ],
      refs: [],
    },
    {
      id: 'restarts',
      title: 'Restarts',
      unit: 'count',
      series: [{ key: 'restarts', label: 'restarts', spec: q('pod_restarts') }],
      refs: [],
    },
    ...(ctx.customCharts ?? []).map(
      (c, i): ChartPlan => ({
        id: `custom-${i}`,
        title: c.title,
        unit: c.metric.unit,
        series: [
          {
            key: 'value',
            label: c.title,
            spec: c.metric.kind === 'gauge' ? q(c.metric) : withWindow(q(c.metric), range.window),
          },
        ],
        refs: [],
      })
    ),
  ];
}

const PER_CONTAINER = ['namespace', 'pod', 'container'];

/** Current values: status cards of a pod, columns of a workload's pod table. */
export function planCurrent(ctx: PlanContext, scope: Scope): CardPlan[] {
  const q = (metric: string) => base(ctx, scope, metric);
  // Per container, so that aggregatePods does the summing into pods and the cards can show the
  // container breakdown next to the pod total.
  const perContainer = (spec: QuerySpec): QuerySpec => ({ ...spec, by: PER_CONTAINER });
  return [
    {
      id: 'cpu',
      title: 'CPU',
      unit: 'millicores',
      spec: perContainer(withWindow(q('pod_cpu_usage'), instantWindow(ctx.scrapeIntervalSeconds))),
    },
    { id: 'memory', title: 'Memory', unit: 'MiB', spec: perContainer(q('pod_memory_working_set')) },
    { id: 'restarts', title: 'Restarts', unit: 'count', spec: q('pod_restarts') },
    {
      id: 'reason',
      title: 'Last termination',
      unit: 'count',
      spec: q('pod_last_terminated_reason'),
    },
  ];
}

/**
 * CPU and memory of every pod in a namespace (or the cluster): one query each, summed by
 * (namespace, pod) in Prometheus, since lists need no container breakdown.
 */
export function planUsage(ctx: PlanContext, namespace?: string): CardPlan[] {
  const scope: Scope = namespace ? { namespace } : {};
  return planCurrent(ctx, scope)
    .filter(c => c.id === 'cpu' || c.id === 'memory')
    .map(c => {
      const spec = { ...c.spec };
      delete spec.by;
      return { ...c, spec };
    });
}

/** The scope of a Headlamp resource, or null when the plugin has nothing to show for it. */
export function scopeOf(resource: {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}): Scope | null {
  const name = resource.metadata?.name;
  const namespace = resource.metadata?.namespace;
  if (!name) return null;
  switch (resource.kind) {
    case 'Pod':
      return namespace ? { namespace, pod: name } : null;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
    case 'CronJob':
      return namespace ? { namespace, workload: { kind: resource.kind, name } } : null;
    case 'Namespace':
      return { namespace: name };
    default:
      return null;
  }
}
