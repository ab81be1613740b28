/*
 * Current CPU and memory of the pods in Headlamp's pod list, for its table columns.
 *
 * Table cells ask for their pod's values one by one; this store turns that into one load per
 * (cluster, namespace) — two kubeprom queries summed by (namespace, pod) — shared by every cell,
 * reused for `ttlMs`, and tells subscribed cells when it changes.
 */
import { checkUsage } from 'kubeprom';
import type { ErrorDescription } from './errors';
import { describeError } from './errors';
import type { MetricsServerResult } from './metricsServer';
import { baseUsage, fallbackNote, prometheusUnreachable } from './metricsServer';
import { podKey } from './viewmodel';

/**
 * Usage from Prometheus, or, when Prometheus cannot be reached (not found, forbidden, down, no
 * answer), from metrics-server with a note saying so. A Prometheus that answers with an error
 * about the query is not replaced: that error is the one to show.
 */
export async function usageWithFallback(
  fromPrometheus: () => Promise<Map<string, Usage>>,
  fromMetricsServer: () => Promise<MetricsServerResult>
): Promise<Map<string, Usage>> {
  let reason: ErrorDescription;
  try {
    return await fromPrometheus();
  } catch (e) {
    reason = describeError(e);
    if (!prometheusUnreachable(reason)) throw e;
  }
  let result: MetricsServerResult;
  try {
    result = await fromMetricsServer();
  } catch (e) {
    const second = describeError(e);
    throw Object.assign(
      new Error(`${reason.message}; metrics-server did not stand in: ${second.summary}`),
      { kind: reason.kind, status: reason.status, hint: reason.hint }
    );
  }
  const note = fallbackNote(reason);
  return new Map(result.rows.map(r => [podKey(r), { cpu: r.cpu, memory: r.memory, note }]));
}

export interface Usage {
  cpu: number | null;
  memory: number | null;
  /** Set when the values do not come from Prometheus: where they come from, and why. */
  note?: string;
  /** Set when metrics-server disagrees with these Prometheus values: both numbers and why. */
  disagreement?: string[];
}

/**
 * Marks the pods whose Prometheus values metrics-server disagrees with (kubeprom's
 * `checkUsage` on the pod totals: the list has no container breakdown), with the summary and
 * likely causes to show. Pods metrics-server does not list are left alone.
 */
export function crossCheckUsage(values: Map<string, Usage>, ms: MetricsServerResult): void {
  // One entry on each side, named alike: the totals are compared, not containers.
  const total = (cpu: number | null, memory: number | null) => [baseUsage('pod', cpu, memory)];
  for (const row of ms.rows) {
    const ours = values.get(podKey(row));
    if (!ours || ours.note) continue;
    const check = checkUsage(total(ours.cpu, ours.memory), total(row.cpu, row.memory));
    if (!check.agree) ours.disagreement = [...check.summary, ...check.messages];
  }
}

export type UsageMetric = 'cpu' | 'memory';

export interface UsageEntry {
  values?: Map<string, Usage>;
  error?: ErrorDescription;
  loading: boolean;
  loadedAt?: number;
}

export type UsageLoader = (cluster: string, namespace: string) => Promise<Map<string, Usage>>;

export class UsageStore {
  private entries = new Map<string, UsageEntry>();
  private listeners = new Set<() => void>();

  constructor(private load: UsageLoader, private ttlMs = 30000, private now = () => Date.now()) {}

  private key(cluster: string, namespace: string) {
    return `${cluster}\u0000${namespace}`;
  }

  entry(cluster: string, namespace: string): UsageEntry | undefined {
    return this.entries.get(this.key(cluster, namespace));
  }

  /** The value for one pod, or null while unknown. */
  value(cluster: string, namespace: string, pod: string, what: UsageMetric): number | null {
    return this.entry(cluster, namespace)?.values?.get(podKey({ namespace, pod }))?.[what] ?? null;
  }

  /** Where the pod's values come from when not from Prometheus. */
  note(cluster: string, namespace: string, pod: string): string | undefined {
    return this.entry(cluster, namespace)?.values?.get(podKey({ namespace, pod }))?.note;
  }

  /** Starts a load unless one is running or the last one is fresh. */
  ensure(cluster: string, namespace: string): void {
    const key = this.key(cluster, namespace);
    const e = this.entries.get(key);
    if (e?.loading) return;
    if (e?.loadedAt !== undefined && this.now() - e.loadedAt < this.ttlMs) return;
    this.entries.set(key, { ...e, loading: true });
    this.load(cluster, namespace).then(
      values => this.set(key, { values, loading: false, loadedAt: this.now() }),
      error =>
        // Keep older values next to the error; retry after the TTL like a success.
        this.set(key, {
          ...this.entries.get(key),
          error: describeError(error),
          loading: false,
          loadedAt: this.now(),
        })
    );
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(key: string, entry: UsageEntry) {
    this.entries.set(key, entry);
    this.listeners.forEach(l => l());
  }
}
