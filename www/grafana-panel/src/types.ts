import type { CustomMetric, QuerySpec, WorkloadKind } from 'kubeprom';

/**
 * What the panel shows: pods (usage per pod), Kueue cluster queues (pending workloads, wait time),
 * or right-sizing (recommended requests and limits of one workload's containers).
 */
export type PanelMode = 'pods' | 'kueue' | 'rightsizing';

/** Statistic over the time range of each series; the kubeprom core computes it. */
export type StatOption = 'last' | 'avg' | 'max' | 'p95';

/**
 * Display unit. `auto` picks MiB for memory queries and millicores for CPU queries (from the query
 * text and the series' metric names); `none` shows the values as they come.
 */
export type UnitOption = 'auto' | 'none' | 'millicores' | 'cores' | 'bytes' | 'KiB' | 'MiB' | 'GiB';

/** Row order of the table. */
export type SortOption = 'value-desc' | 'value-asc' | 'name' | 'limit-desc';

/** What the visual column of the table draws. */
export type VisualOption = 'bar' | 'sparkline' | 'both' | 'none';

/** The query helper's saved form: a QuerySpec with its filters kept as strings. */
/** The query helper's own metric (kubeprom's `CustomMetric`) as typed in its form. */
export interface HelperCustomMetric {
  series?: string;
  unit?: CustomMetric['unit'];
  kind?: CustomMetric['kind'];
  scope?: CustomMetric['scope'];
  /** One `label=value` per line: exact-match labels every series of the metric has. */
  matchers?: string;
}

export interface QueryHelperValue {
  /** A catalog metric (default) or the user's own. */
  source?: 'catalog' | 'custom';
  metric?: string;
  custom?: HelperCustomMetric;
  namespace?: string;
  pod?: string;
  container?: string;
  node?: string;
  cluster?: string;
  workloadKind?: WorkloadKind;
  workloadName?: string;
  window?: string;
  quantile?: number;
  profile?: string;
  variables?: NonNullable<QuerySpec['variables']>;
}

/**
 * Right-sizing mode's workload and settings, kubeprom's `RecommendSpec` as the options pane keeps
 * it. Unset settings take the core's defaults. Namespace, workload name, container and cluster may
 * be single-value dashboard variables (`$namespace`).
 */
export interface RightSizingOptions {
  namespace?: string;
  workloadKind?: WorkloadKind;
  workloadName?: string;
  /** Only this container. */
  container?: string;
  cluster?: string;
  /** History to learn from, a PromQL duration. */
  window?: string;
  /** CPU request = this quantile of usage, in (0, 1]. */
  cpuPercentile?: number;
  /** Share added to the memory peak. */
  memoryBuffer?: number;
  /** CPU limit = this many times the request; unset or 0: no CPU limit recommended. */
  cpuLimitTimes?: number;
  /** History a container needs for a recommendation, a PromQL duration. */
  minHistory?: string;
  /** Label conventions of the scrape setup (a kubeprom profile name). */
  profile?: string;
}

export interface PodResourcesOptions {
  mode: PanelMode;
  stat: StatOption;
  unit: UnitOption;
  /** Show only the N pods (or queues) with the highest value; 0 shows all. */
  topN: number;
  sort: SortOption;
  visual: VisualOption;
  /** Show the per-container breakdown under each pod. */
  showContainers: boolean;
  /** refId of the query that returns requests; empty: found from the query text. */
  requestsRefId: string;
  /** refId of the query that returns limits; empty: found from the query text. */
  limitsRefId: string;
  /** Lint the panel's queries and show findings with fixes. */
  lint: boolean;
  /** Scrape interval of the targets, for the rate-window check (e.g. `30s`); empty: not checked. */
  scrapeInterval: string;
  /** State of the query helper in the panel editor; the panel itself does not read it. */
  queryHelper?: QueryHelperValue;
  /** The workload and settings of right-sizing mode. */
  rightSizing: RightSizingOptions;
}

export const defaultOptions: PodResourcesOptions = {
  mode: 'pods',
  stat: 'last',
  unit: 'auto',
  topN: 0,
  sort: 'value-desc',
  visual: 'both',
  showContainers: false,
  requestsRefId: '',
  limitsRefId: '',
  lint: true,
  scrapeInterval: '',
  rightSizing: { workloadKind: 'Deployment' },
};
