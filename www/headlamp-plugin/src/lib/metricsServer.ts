/*
 * Current CPU and memory from the Kubernetes metrics API (metrics-server), for when Prometheus
 * cannot be reached.
 *
 * `/apis/metrics.k8s.io/v1beta1/namespaces/NS/pods[/NAME]` answers PodMetrics (or a
 * PodMetricsList): per container, `usage.cpu` and `usage.memory` as Kubernetes quantities.
 * metrics-server lists only the pod's real containers (no pause container, no pod-level cgroup),
 * so the pod's value is the sum of its containers, as `kubectl top pod` computes it.
 */
import type { ContainerUsage } from 'kubeprom';
import type { ErrorDescription } from './errors';
import { parseQuantity } from './quantity';
import type { PodRow } from './viewmodel';
import { podKey } from './viewmodel';

export interface ContainerMetrics {
  name?: string;
  usage?: { cpu?: unknown; memory?: unknown };
}

export interface PodMetrics {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: ContainerMetrics[];
}

export interface PodMetricsList {
  kind?: string;
  items?: PodMetrics[];
}

export interface MetricsServerResult {
  /** CPU in millicores and memory in MiB, like the Prometheus rows; busiest CPU first. */
  rows: PodRow[];
  /** Items left out, and why (a missing name, a usage that is not a quantity). */
  skipped: { pod: string; message: string }[];
}

const MiB = 1024 * 1024;

/** The API path of one pod's metrics, or of every pod's in a namespace. */
export function metricsPath(namespace: string, pod?: string): string {
  const ns = encodeURIComponent(namespace);
  return `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods${
    pod === undefined ? '' : `/${encodeURIComponent(pod)}`
  }`;
}

function podRow(item: PodMetrics): PodRow {
  const namespace = item.metadata?.namespace;
  const pod = item.metadata?.name;
  if (!namespace || !pod) throw new Error('no metadata.name or metadata.namespace');
  const containers = (item.containers ?? []).map((c, i) => {
    const name = c.name || `#${i}`;
    const read = (what: 'cpu' | 'memory') => {
      try {
        return parseQuantity(c.usage?.[what]);
      } catch (e) {
        throw new Error(`container ${name} ${what}: ${(e as Error).message}`);
      }
    };
    return { container: name, cpu: read('cpu') * 1000, memory: read('memory') / MiB };
  });
  const sum = (k: 'cpu' | 'memory') => containers.reduce((s, c) => s + c[k], 0);
  return {
    namespace,
    pod,
    // A pod without containers in the answer has no usage yet: unknown, not zero.
    cpu: containers.length ? sum('cpu') : null,
    memory: containers.length ? sum('memory') : null,
    restarts: null,
    reasons: [],
    containers: containers.sort((a, b) => a.container.localeCompare(b.container)),
  };
}

/** Rows from a PodMetrics or PodMetricsList answer. */
export function podMetricsRows(body: PodMetrics | PodMetricsList): MetricsServerResult {
  const items: PodMetrics[] = Array.isArray((body as PodMetricsList)?.items)
    ? (body as PodMetricsList).items!
    : [body as PodMetrics];
  const rows: PodRow[] = [];
  const skipped: MetricsServerResult['skipped'] = [];
  for (const item of items) {
    try {
      rows.push(podRow(item));
    } catch (e) {
      skipped.push({ pod: item?.metadata?.name ?? '?', message: (e as Error).message });
    }
  }
  const num = (v: number | null) => (v === null ? -Infinity : v);
  rows.sort((a, b) => num(b.cpu) - num(a.cpu) || podKey(a).localeCompare(podKey(b)));
  return { rows, skipped };
}

/** Reads the metrics API through `get` (Headlamp's ApiProxy in the plugin). */
export async function loadMetricsServer(
  get: (path: string) => Promise<unknown>,
  namespace: string,
  pod?: string
): Promise<MetricsServerResult> {
  return podMetricsRows((await get(metricsPath(namespace, pod))) as PodMetrics | PodMetricsList);
}

/**
 * Whether a failure means Prometheus cannot be reached (so another source should stand in), as
 * opposed to Prometheus answering with an error about the query itself: not found, no
 * permission, nothing listening, a proxy in the way, no answer in time.
 */
export function prometheusUnreachable(error: ErrorDescription): boolean {
  if (['network', 'timeout', 'malformed', 'not_found'].includes(error.kind)) return true;
  return error.status !== undefined && [401, 403, 404, 502, 503, 504].includes(error.status);
}

/** The note shown next to values that came from metrics-server. */
export function fallbackNote(reason: ErrorDescription): string {
  return `from metrics-server (Prometheus unreachable: ${reason.summary})`;
}

/**
 * The failure to report when every query of a view failed because Prometheus cannot be reached
 * (their messages may differ: network errors name the URL of each query); undefined otherwise.
 */
export function unreachableOutage(
  errors: (ErrorDescription | undefined)[]
): ErrorDescription | undefined {
  if (errors.length === 0 || errors.some(e => !e || !prometheusUnreachable(e))) return undefined;
  return errors[0];
}

/**
 * A row's containers in the core's base units (cores, bytes), for `checkUsage`: rows carry
 * millicores and MiB. A missing value stays NaN, never zero.
 */
export function containerUsage(row: PodRow): ContainerUsage[] {
  return row.containers.map(c => baseUsage(c.container, c.cpu, c.memory));
}

/** One usage in millicores and MiB, as rows carry it, in the core's cores and bytes. */
export function baseUsage(
  container: string,
  cpu: number | null,
  memory: number | null
): ContainerUsage {
  return {
    container,
    cpu: cpu === null ? NaN : cpu / 1000,
    memory: memory === null ? NaN : memory * MiB,
  };
}
