/*
 * Per-cluster settings and how they pick the Prometheus endpoint.
 *
 * Settings are stored by Headlamp (ConfigStore of this plugin, edited on the plugin settings
 * page). An address typed by the user wins; otherwise Prometheus is detected once per cluster
 * and the result is cached for the page's lifetime (Headlamp's Prometheus plugin re-detects on
 * every chart mount).
 */
import type { CustomMetric } from 'kubeprom';
import { KubepromError, parseDuration, parseMatcherLines } from 'kubeprom';
import type { AdminDefaults, DetectDeps, Detected } from './detect';
import { detectPrometheus } from './detect';
import type { Endpoint } from './endpoint';
import { formatEndpoint, parseAddress } from './endpoint';
import { kubepromLoaded } from './kubeprom';
import type { CustomChart, PlanContext, RangeKey } from './plan';
import { RANGES } from './plan';

export const PLUGIN_NAME = 'kubeprom-headlamp';

export interface ClusterSettings {
  /** namespace/service:port[/path], namespace/https:service:port, or http(s)://… */
  address?: string;
  /** kubeprom label profile name (listProfiles()). */
  profile?: string;
  /** With a profile that has a cluster label: this cluster's value of it. */
  clusterLabelValue?: string;
  /** Scrape interval of the cAdvisor/kube-state-metrics jobs, e.g. '30s'. */
  scrapeInterval?: string;
  /** Seconds between refreshes; 0 turns polling off. */
  refreshSeconds?: number;
  defaultRange?: RangeKey;
  /** Stack the pods of a workload chart as areas (off: one line per pod). */
  stacked?: boolean;
  /** Per-pod metrics of the user's own, charted on pod and workload pages. */
  customMetrics?: CustomMetricSetting[];
}

/** A custom metric as the settings page stores it: its matchers as typed, `label=value` lines. */
export interface CustomMetricSetting {
  title?: string;
  series?: string;
  unit?: CustomMetric['unit'];
  kind?: CustomMetric['kind'];
  scope?: CustomMetric['scope'];
  matchers?: string;
}

export type PluginConfig = Record<string, ClusterSettings | undefined>;

export interface Effective {
  address?: string;
  profile?: string;
  clusterLabelValue?: string;
  /** Where the cluster label value comes from, when there is one. */
  clusterLabelFrom?: 'setting' | 'admin default' | 'cluster name';
  scrapeIntervalSeconds: number;
  refreshSeconds: number;
  defaultRange: RangeKey;
  stacked: boolean;
  /** The custom metrics that are complete and read, in the order the user gave them. */
  customCharts: CustomChart[];
}

/** The profile that tells clusters apart by a `cluster` label. */
export const MULTI_CLUSTER_PROFILE = 'multi-cluster';

export const DEFAULT_SCRAPE_INTERVAL = 30;
export const DEFAULT_REFRESH_SECONDS = 60;

/**
 * The settings in force for a cluster: the user's own, over the admin defaults (annotations on
 * the admin-labelled Prometheus service, once it has been found), over built-in defaults.
 */
export function effectiveSettings(
  config: PluginConfig | undefined,
  cluster: string,
  admin: AdminDefaults = {}
): Effective {
  const s = config?.[cluster] ?? {};
  // The core reads the interval. Before it has loaded (a first render) the default stands in:
  // nothing is queried until it has, and useSettings computes the settings again once it has.
  const scrape =
    s.scrapeInterval && kubepromLoaded() ? scrapeIntervalSeconds(s.scrapeInterval) : NaN;
  const ownValue = s.clusterLabelValue?.trim() || undefined;
  // The admin's value goes with the admin's profile: a user who picked another profile does not
  // get a cluster filter that profile may not have.
  const adminValue =
    !s.profile || s.profile === admin.profile ? admin.clusterLabelValue : undefined;
  const givenValue = ownValue ?? adminValue;
  // A cluster label value only means something with a profile that has a cluster label: giving
  // one picks the multi-cluster profile unless another profile was chosen. And a multi-cluster
  // profile without a value would sum same-named pods of every cluster, so it selects this
  // Headlamp cluster's name until the user says otherwise.
  const profile = s.profile || admin.profile || (givenValue ? MULTI_CLUSTER_PROFILE : undefined);
  const clusterLabelValue =
    givenValue ?? (profile === MULTI_CLUSTER_PROFILE && cluster ? cluster : undefined);
  return {
    address: s.address?.trim() || undefined,
    profile,
    clusterLabelValue,
    clusterLabelFrom: ownValue
      ? 'setting'
      : adminValue
      ? 'admin default'
      : clusterLabelValue
      ? 'cluster name'
      : undefined,
    scrapeIntervalSeconds: scrape > 0 ? scrape : DEFAULT_SCRAPE_INTERVAL,
    refreshSeconds:
      typeof s.refreshSeconds === 'number' && s.refreshSeconds >= 0
        ? s.refreshSeconds
        : DEFAULT_REFRESH_SECONDS,
    defaultRange: s.defaultRange && s.defaultRange in RANGES ? s.defaultRange : '1h',
    stacked: s.stacked === true,
    // Read by the core, as the scrape interval is; recomputed once it has loaded.
    customCharts: kubepromLoaded()
      ? (s.customMetrics ?? []).flatMap(m => {
          const read = readCustomMetric(m);
          return read.chart ? [read.chart] : [];
        })
      : [],
  };
}

/**
 * A stored custom metric as a chart: `chart` when series, unit and kind are given and its
 * matcher lines read (by the core, which must be loaded), else `problem` saying what is missing.
 */
export function readCustomMetric(m: CustomMetricSetting): { chart?: CustomChart; problem?: string } {
  const series = m.series?.trim();
  if (!series) return { problem: 'Give the series name.' };
  if (!m.kind) return { problem: 'Choose gauge, rate or increase.' };
  if (!m.unit) return { problem: 'Choose a unit.' };
  let matchers: Record<string, string>;
  try {
    matchers = parseMatcherLines(m.matchers ?? '');
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
  return {
    chart: {
      title: m.title?.trim() || series,
      metric: { series, unit: m.unit, kind: m.kind, scope: m.scope ?? 'pod', matchers },
    },
  };
}

/**
 * Seconds of a scrape interval setting, a PromQL duration read by the core ('15s', '1m'); NaN
 * when it is not one. Needs kubeprom loaded.
 */
export function scrapeIntervalSeconds(text: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    if (e instanceof KubepromError && e.kind === 'invalid_argument') return NaN;
    throw e;
  }
}

export function planContext(e: Effective): PlanContext {
  const ctx: PlanContext = { scrapeIntervalSeconds: e.scrapeIntervalSeconds };
  if (e.profile) ctx.profile = e.profile;
  if (e.clusterLabelValue) ctx.cluster = e.clusterLabelValue;
  if (e.customCharts.length > 0) ctx.customCharts = e.customCharts;
  return ctx;
}

/**
 * Where the endpoint in use came from: the user's own setting, the admin's cluster-wide default
 * (the `headlamp-prometheus=true` label and its annotations, read through the Kubernetes API), or
 * the labels of common installations.
 */
export type EndpointSource = 'user' | 'admin' | 'detected';

export const SOURCE_LABELS: Record<EndpointSource, string> = {
  user: 'user setting',
  admin: 'admin default',
  detected: 'found by label',
};

export interface Resolved {
  endpoint: Endpoint;
  source: EndpointSource;
  /** How it was found, for the settings page and section captions. */
  how: string;
  /** Settings the admin set with the endpoint (none for a user's own address). */
  defaults: AdminDefaults;
  attempts: Detected['attempts'];
}

/** Picks the endpoint: the user's address, else the admin default, else detection. */
export async function resolveEndpoint(e: Effective, deps: DetectDeps): Promise<Resolved> {
  if (e.address) {
    const endpoint = parseAddress(e.address);
    return {
      endpoint,
      source: 'user',
      how: `${SOURCE_LABELS.user}: address in the plugin settings`,
      defaults: {},
      attempts: [],
    };
  }
  const detected = await detectPrometheus(deps);
  const source: EndpointSource = detected.admin ? 'admin' : 'detected';
  return {
    endpoint: detected.endpoint,
    source,
    how: `${SOURCE_LABELS[source]}: ${detected.why}`,
    defaults: detected.defaults,
    attempts: detected.attempts,
  };
}

/** Resolutions per cluster, shared by every section on the page. */
export class EndpointCache {
  private entries = new Map<string, { key: string; promise: Promise<Resolved> }>();

  get(cluster: string, e: Effective, deps: () => DetectDeps): Promise<Resolved> {
    const key = e.address ?? '';
    const hit = this.entries.get(cluster);
    if (hit && hit.key === key) return hit.promise;
    const promise = resolveEndpoint(e, deps());
    this.entries.set(cluster, { key, promise });
    // A failure is not cached: the next view (or Retry) tries again.
    promise.catch(() => {
      if (this.entries.get(cluster)?.promise === promise) this.entries.delete(cluster);
    });
    return promise;
  }

  invalidate(cluster?: string) {
    if (cluster === undefined) this.entries.clear();
    else this.entries.delete(cluster);
  }
}

export const endpointCache = new EndpointCache();

export function describeResolved(r: Resolved): string {
  return `${formatEndpoint(r.endpoint)} (${r.how})`;
}
