// Types of the kubeprom ES module (www/index.js). The contract is ../shared/API.md.

/** What `init` accepts: a URL of the .wasm, a fetch Response, its bytes, or a compiled module. */
export type InitInput =
  | string
  | URL
  | Request
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<Response | BufferSource | WebAssembly.Module>;

/** Where the linter module comes from: `false` skips it, `true` or omitted loads it from its default place. */
export interface InitOptions {
  /**
   * The linter is a second wasm module (promql-parser makes it ~2.5x the core). Omitted: loaded
   * from `kubeprom_lint_bg.wasm` next to `kubeprom_lint.js`, and a failure only makes `lintQuery`
   * throw `unsupported`. `true`: the same, but a failure rejects `init`. `false`: not loaded (hosts
   * that never lint). Otherwise its URL, Response, bytes or module. Bundled hosts pass a URL,
   * since a bundle's `import.meta.url` is not the glue's.
   */
  lint?: boolean | InitInput;
}

/**
 * Loads the core module (browser: fetches `kubeprom_bg.wasm` next to the generated glue by
 * default) and, unless `options.lint` is false, the linter module.
 */
export default function init(input?: InitInput | { module_or_path: InitInput }, options?: InitOptions): Promise<void>;
/** Loads the linter module alone, for hosts that called `init(..., { lint: false })`. */
export function initLint(input?: InitInput | { module_or_path: InitInput }): Promise<void>;
/**
 * Loads the core synchronously from bytes or a compiled module (Node, workers, tests);
 * `options.lint` (bytes or module of `kubeprom_lint_bg.wasm`) loads the linter too.
 */
export function initSync(
  input: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module,
  options?: { lint?: BufferSource | WebAssembly.Module | { module: BufferSource | WebAssembly.Module } },
): void;
/** Loads the linter module synchronously from its bytes or a compiled module. */
export function initLintSync(input: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): void;

/** Every error kubeprom throws or rejects with. */
export class KubepromError extends Error {
  /**
   * Prometheus' own errorType ('bad_data', 'timeout', 'execution', ...) for an error envelope,
   * also from backends that answer with an HTTP status code instead (VictoriaMetrics' '422' is
   * 'bad_data' for a query it cannot parse, 'execution' for a resource limit, 'timeout');
   * 'malformed' for a body that is not a Prometheus API response; 'invalid_argument' for bad input;
   * 'too_large' for a body over `maxBytes`; 'network', 'timeout', 'aborted' for requests that did
   * not complete; 'http' for a non-Prometheus HTTP error such as a Kubernetes API Status (403 ...);
   * 'unsupported' for a feature left out of this build.
   */
  readonly kind: string;
  /** The backend's own errorType, when `kind` translates it (VictoriaMetrics: '422'). */
  readonly errorType?: string;
  /** HTTP status, when the error came with an HTTP response. */
  readonly status?: number;
  /** Seconds to wait before retrying, from a `Retry-After` header (429/503). */
  readonly retryAfter?: number;
  constructor(kind: string, message: string, status?: number);
}

export type Unit = 'cores' | 'bytes' | 'bytes/s' | 'ratio' | 'count' | 'seconds' | 'ops/s';
export type MetricKind = 'gauge' | 'rate' | 'increase' | 'quantile' | 'ratio' | 'info';
export type MetricSource =
  | 'cadvisor'
  | 'kube-state-metrics'
  | 'kueue'
  | 'controller-runtime'
  | 'kuberay'
  | 'spark-operator'
  | 'numaflow'
  | 'prometheus';

export interface MetricInfo {
  id: string;
  title: string;
  unit: Unit;
  kind: MetricKind;
  source: MetricSource;
  description: string;
  /** Labels each result series carries when `by` is not given. */
  defaultBy: string[];
  /** Filters of QuerySpec this metric accepts besides `selector`, `window`, `by`, `profile`. */
  filters: string[];
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob';

/** Label conventions of a scrape setup. Every selector is a set of exact-match label filters. */
export interface Profile {
  /** Selects cAdvisor series, e.g. { job: 'kubelet', metrics_path: '/metrics/cadvisor' }. */
  cadvisor?: Record<string, string>;
  /** Selects kube-state-metrics series, e.g. { job: 'kube-state-metrics' }. */
  kubeStateMetrics?: Record<string, string>;
  /**
   * Name of the label that tells clusters apart in a shared Prometheus (e.g. 'cluster', or a
   * Prometheus 3 name such as 'k8s.cluster.name', written quoted).
   */
  clusterLabel?: string;
  /**
   * Sources whose histograms Prometheus stores as native histograms (Prometheus 3 with
   * `scrape_native_histograms`, or OTLP exponential histograms): their quantile metrics read the
   * histogram itself, `histogram_quantile(q, sum by (...) (rate(name[w])))` without `_bucket` or `le`.
   */
  nativeHistograms?: MetricSource[];
}

/**
 * A per-pod metric of the caller's own (an application's series), built with the catalog's rules:
 * every value an exact-match literal, series equal but for their scrape (`instance`, `job`,
 * `service`, `endpoint`, HA and Thanos replica labels) counted once, the pod's series summed,
 * workloads by ownership. A bad definition is an `invalid_argument` error naming the field.
 */
export interface CustomMetric {
  /** The metric name of the series; any UTF-8 (written `{"my.metric"}` where it must be). */
  series: string;
  /** The unit of the values, as `listMetrics()` names units. */
  unit: 'cores' | 'bytes' | 'bytes/s' | 'ratio' | 'count' | 'seconds' | 'ops/s';
  /** `gauge`: the value itself; `rate`/`increase`: of a counter over `window`. */
  kind: 'gauge' | 'rate' | 'increase';
  /**
   * `pod` (default): every series of the pod counts. `container`: only series of real
   * containers (`container!=""`, not `POD`), and `QuerySpec.container` applies.
   */
  scope?: 'pod' | 'container';
  /** Exact-match labels every series of the metric has, e.g. `{ job: 'orders' }`. */
  matchers?: Record<string, string>;
}

export interface QuerySpec {
  /** A catalog id (`listMetrics()`), or a per-pod metric of the caller's own. */
  metric: string | CustomMetric;
  namespace?: string;
  pod?: string;
  container?: string;
  node?: string;
  /** With a profile that has a `clusterLabel`: the cluster to select. */
  cluster?: string;
  workload?: { kind: WorkloadKind; name: string };
  /**
   * More exact-match filters, label name to value. Names may be any non-empty string: a name
   * outside `[a-zA-Z_][a-zA-Z0-9_]*` (OpenTelemetry's `k8s.pod.name`) is written quoted,
   * `{"k8s.pod.name"="web-0"}`, which Prometheus 3 reads; classic names stay bare, so
   * Prometheus 2 reads every query it read before.
   */
  selector?: Record<string, string>;
  window?: string;
  /** Output grouping labels; any non-empty names, quoted where needed as in `selector`. */
  by?: string[];
  quantile?: number;
  profile?: string | Profile;
  /**
   * Values passed through as Grafana template variables instead of literals: a filter whose value
   * is exactly `$name`, `${name}` or `[[name]]` becomes a matcher on the variable. 'exact' makes
   * the matcher `=` (single-value variables); 'regex' makes it `=~` (multi-value variables, which
   * Grafana escapes itself). Default: off, every value is a literal.
   */
  variables?: 'off' | 'exact' | 'regex';
}

/** Names of the built-in profiles. */
export function listProfiles(): string[];
export function listMetrics(): MetricInfo[];
export function buildQuery(spec: QuerySpec): string;

/**
 * In a result from `parseResponse` or the client, every series' `timestamps` (and `values`) are
 * views (`subarray`) of one array holding the whole result's samples: two allocations per result
 * instead of two per series. Transferring one view's `buffer` to a worker detaches them all;
 * `slice()` a series' arrays to keep or transfer them on their own.
 */
export interface Series {
  labels: Record<string, string>;
  /** Unix seconds. */
  timestamps: Float64Array;
  /**
   * Sample values. A native histogram sample is here too, as its count (what the per-pod and
   * per-group calls use), after the series' float samples when the body gave those first.
   */
  values: Float64Array;
  /**
   * The series' native histogram samples whole (`histogram` in a vector, `histograms` in a
   * matrix), only on series that have any. A matrix series may have float samples and
   * histogram samples both; each is in `timestamps`/`values` as well.
   */
  histograms?: NativeHistograms;
}

/**
 * How a bucket's bounds count, Prometheus' `<boundary_rule>`: 0 "open left" (lower bound
 * excluded, upper included), 1 "open right" (lower included, upper excluded), 2 "open both",
 * 3 "closed both". With Prometheus' exponential schemas positive buckets are 0, negative ones 1
 * and the zero bucket (minus to plus the zero threshold) 3.
 */
export type BoundaryRule = 0 | 1 | 2 | 3;

/**
 * Native histogram samples in columns. Sample `i` (of `timestamps.length`) has buckets
 * `bucketStarts[i]` up to `bucketStarts[i + 1]` in the bucket arrays. Numbers are as the body
 * writes them, `NaN`, `+Inf` and `-Inf` included (a custom-bucket histogram's outer bounds
 * are `-Inf` and `+Inf`); buckets with a count of zero are not in the body, so not here.
 * Bucket counts are per bucket, not cumulative like a classic histogram's `le` buckets.
 */
export interface NativeHistograms {
  /** Unix seconds, one per sample. */
  timestamps: Float64Array;
  /** Count of observations, one per sample. */
  counts: Float64Array;
  /** Sum of observations, one per sample. */
  sums: Float64Array;
  /** Where each sample's buckets start, plus one entry for the end: `timestamps.length + 1` long. */
  bucketStarts: Uint32Array;
  /** Per bucket, a {@link BoundaryRule}. */
  boundaryRules: Uint8Array;
  /** Per bucket, its lower bound. */
  lowerBounds: Float64Array;
  /** Per bucket, its upper bound. */
  upperBounds: Float64Array;
  /** Per bucket, the observations in it. */
  bucketCounts: Float64Array;
}

export interface QueryResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  /**
   * The series. In a result of `parseResponse` or the client, made on first read (one array,
   * the same on every read; it may be replaced). Until then the parsed result stays in wasm
   * memory, where `aggregatePods`, `aggregatePodsReport`, `aggregateGroups` and
   * `recommendResources` read it without a JS object per series. It is freed when the
   * series are first read or replaced, or when the result is garbage-collected; past 128 MiB of
   * such results the oldest move out of wasm as a copy of their body (parsed again if used).
   */
  series: Series[];
  warnings: string[];
  infos: string[];
}

export interface ParseOptions {
  /** Refuse bodies larger than this many bytes with kind 'too_large' (default 256 MiB). */
  maxBytes?: number;
}

export function parseResponse(body: string | Uint8Array | ArrayBuffer, opts?: ParseOptions): QueryResult;

export type Stat = 'last' | 'avg' | 'min' | 'max' | 'p50' | 'p95' | 'p99';

export interface AggregateOptions {
  /** Target unit: 'cores' | 'millicores' | 'bytes' | 'KiB' | 'MiB' | 'GiB' | 'percent' | ... */
  unit?: string;
  /** Unit of the values in the result; default: the base unit of `unit`'s dimension. */
  sourceUnit?: string;
  stat?: Stat;
  keepSeries?: boolean;
}

export interface PodValue {
  namespace: string;
  pod: string;
  value: number;
  unit: string;
  containers: { container: string; value: number }[];
  /** With the `stats` option: each statistic, equal to `value` of a call with that `stat`. */
  stats?: Partial<Record<Stat, number>>;
  timestamps?: Float64Array;
  values?: Float64Array;
}

/**
 * Options of the per-pod calls: the aggregation's, any number of statistics at once, and which
 * pods to return (see `PodSelectionOptions`, declared with `aggregatePodsFromBytes`).
 */
export type PodOptions = AggregateOptions & PodSelectionOptions & { stats?: Stat[] };

export function aggregatePods(result: QueryResult, opts?: PodOptions): PodValue[];

export interface AggregateReport {
  pods: PodValue[];
  /** Label sets of series that carry no `namespace` or `pod` label, so belong to no pod. */
  unattributed: Record<string, string>[];
  /** Series left out because another series already counts the same container. */
  droppedDuplicates: number;
  /** NaN samples that the stats skipped. */
  skippedSamples: number;
  /** Pods in the whole answer, before `top` and `pods` picked some. */
  totalPods: number;
}

/** aggregatePods with what it left out and why. */
export function aggregatePodsReport(result: QueryResult, opts?: PodOptions): AggregateReport;

export interface GroupOptions extends AggregateOptions {
  /**
   * Labels whose values name a group, in order (at most 4). An entry that is a list names
   * alternatives, the first present in a series winning: `['exported_namespace', 'namespace']`
   * for a metric whose own `namespace` a scrape without `honorLabels` renamed.
   */
  group: Array<string | string[]>;
  /**
   * The label naming a group's parts (`container` for pods, `status` for Kueue's pending
   * workloads). A series without it is the whole group, counted only when the group has no parts.
   */
  part?: string;
  /**
   * Labels that tell scrapers apart, beside `instance`, `replica`, `prometheus_replica`,
   * `prometheus` and `__replica__`: series equal but for them count once (the controller
   * replica's `pod`, `job`, `service`...). Group and part labels are never identity.
   */
  identity?: string[];
  /** How series of a part and parts of a group combine per timestamp: `sum` (default), or `max` for quantiles. */
  combine?: 'sum' | 'max';
}

export interface GroupValue {
  /** The group labels' values, in the order of `group`. */
  key: string[];
  /** The same values by label name (the first name of each `group` entry). */
  labels: Record<string, string>;
  value: number;
  unit: string;
  /** The parts combined into the group, by value of the part label; `''` for a series without it. */
  parts: { part: string; value: number }[];
  timestamps?: Float64Array;
  values?: Float64Array;
}

export interface GroupReport {
  /** One entry per group key, sorted by key. */
  groups: GroupValue[];
  /** Label sets of series without one of the group labels. */
  unattributed: Record<string, string>[];
  droppedDuplicates: number;
  skippedSamples: number;
}

/**
 * The per-pod rules for any group: one series per label set without identity labels, parts
 * combined once each, a series without a part only where the group has none. Queues by status,
 * controllers by name, targets by job.
 */
export function aggregateGroups(result: QueryResult, opts: GroupOptions): GroupReport;

/** A pod of `aggregatePodsFromBytes`: the same as `aggregatePods` gives. */
export type FromBytesPod = PodValue;

export interface FromBytesReport extends AggregateReport {
  pods: FromBytesPod[];
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  /** Warnings Prometheus (or Thanos/Mimir) attached: results may be partial. */
  warnings: string[];
  infos: string[];
}

export interface PodSelectionOptions {
  /**
   * Only the first `top` pods by `value`, in `order` (default `'desc'`, the busiest first), pods
   * without a value last and ties by namespace and pod; picked in wasm, so a cluster of 50,000
   * pods costs 20 objects for a top 20.
   */
  top?: number;
  order?: 'desc' | 'asc';
  /** Only these pods (the visible page of a pod list); the result keeps namespace and pod order. */
  pods?: { namespace: string; pod: string }[];
}

/**
 * The fast path: a query or query_range response body straight to per-pod values, without a JS
 * object per series or sample. Same pods, numbers (bit for bit) and errors as `parseResponse`
 * then `aggregatePodsReport`; `maxBytes` as in `parseResponse`.
 */
export function aggregatePodsFromBytes(
  body: string | Uint8Array | ArrayBuffer,
  opts?: PodOptions & ParseOptions,
): FromBytesReport;

export interface Finding {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** UTF-16 offsets into the query. */
  start: number;
  end: number;
  /** The whole query rewritten, when a safe fix exists. */
  fix?: string;
}

/** Findings on a PromQL query; throws `unsupported` when the linter module is not loaded (see `init`). */
export function lintQuery(promql: string, opts?: { scrapeInterval?: string }): Finding[];

/** What a file finding or skipped query belongs to. */
export type FileSubject =
  | { kind: 'panel'; id?: number; title: string; refId?: string }
  | { kind: 'variable'; name: string }
  | { kind: 'group'; name: string }
  | { kind: 'rule'; group: string; index: number; name?: string };

/**
 * A finding in a dashboard or rule file: `Finding`'s fields, where `rule` is a query rule (as
 * from `lintQuery`) or a rule-file check (`rule-alert-or-record`, ...), `start`/`end` are UTF-16
 * offsets into the string at `pointer` (0 and 0 when that value is not a string) and `fix` is
 * that whole string rewritten.
 */
export interface FileFinding extends Finding {
  subject: FileSubject;
  /** JSON pointer of the string it points into, such as `/panels/2/targets/0/expr`. */
  pointer: string;
}

/** A query the file lint did not read, and why (a non-Prometheus data source, a library panel, a template variable it cannot stand in for). */
export interface SkippedQuery {
  subject: FileSubject;
  pointer: string;
  reason: string;
}

export interface FileReport {
  findings: FileFinding[];
  skipped: SkippedQuery[];
  /** How many PromQL expressions were linted. */
  linted: number;
}

/**
 * Lints every Prometheus query of a Grafana dashboard (panel targets, rows, collapsed rows,
 * query variables): its JSON text or the parsed object. Throws `invalid_argument` when it is not
 * a dashboard (the message names the JSON pointer), `unsupported` without the linter module.
 */
export function lintDashboard(dashboard: string | object, opts?: { scrapeInterval?: string }): FileReport;

/**
 * Lints a Prometheus rule file (`{ groups }`) or a `PrometheusRule` object: every `expr`, and
 * the rules themselves. Pass the parsed document: rule files are YAML, which the caller parses
 * (for instance with the `yaml` npm package), so the linter module carries no YAML parser; JSON
 * text is accepted too.
 */
export function lintRules(rules: string | object, opts?: { scrapeInterval?: string }): FileReport;

export interface ClientOptions {
  baseUrl: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Refuse response bodies over this many bytes with kind 'too_large' (default 256 MiB). */
  maxBytes?: number;
}

export interface RequestOptions {
  /** Aborts the request; the promise rejects with kind 'aborted'. */
  signal?: AbortSignal;
}

export interface Target {
  job: string;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  /** Unix seconds of the last scrape, NaN when never scraped. */
  lastScrape: number;
  labels: Record<string, string>;
}

export class PrometheusClient {
  constructor(opts: ClientOptions);
  static headlampServiceProxy(opts: {
    cluster: string;
    namespace: string;
    service: string;
    port: number | string;
    scheme?: 'http' | 'https';
    /** Path under the service, e.g. '/select/0/prometheus' for VictoriaMetrics vmselect. */
    path?: string;
    /** Origin of Headlamp's backend; default: relative to the page. */
    origin?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
    /** Refuse response bodies over this many bytes with kind 'too_large' (default 256 MiB). */
    maxBytes?: number;
  }): PrometheusClient;
  readonly baseUrl: string;
  query(promql: string, time?: number, opts?: RequestOptions): Promise<QueryResult>;
  queryRange(promql: string, start: number, end: number, step: number, opts?: RequestOptions): Promise<QueryResult>;
  targets(opts?: RequestOptions): Promise<Target[]>;
  /**
   * An instant query straight to per-pod values: `aggregatePodsFromBytes` of its body, which is
   * scanned while it arrives, so parsing overlaps the download and no JS object is made per
   * series. Same report, numbers and errors as `aggregatePodsFromBytes(body, podOptions)`; a
   * body is refused with kind 'too_large' as soon as it passes the client's `maxBytes`.
   */
  queryPods(promql: string, time?: number, podOptions?: PodOptions, opts?: RequestOptions): Promise<FromBytesReport>;
  /**
   * Right-sizing with this client: `planRecommendation`'s queries run at `time` (default now),
   * all at once, then `recommendResources` of their answers.
   */
  recommendResources(spec: RecommendSpec, time?: number, opts?: RequestOptions): Promise<Recommendation>;
  /** `queryPods` for a range query. */
  queryRangePods(
    promql: string,
    start: number,
    end: number,
    step: number,
    podOptions?: PodOptions,
    opts?: RequestOptions,
  ): Promise<FromBytesReport>;
}

/**
 * What to right-size: a workload's containers, or without `workload` those of every workload of
 * the namespace (pods joined to their Deployment, StatefulSet, DaemonSet, Job or CronJob by
 * ownership; pods of no such owner left out), from their usage over `window`. The method (the
 * README's "Right-sizing"): CPU request = the `cpuPercentile` of usage (the busiest replica at
 * each `step`), memory request = limit = the peak working set plus `memoryBuffer`, rounded up
 * (10m/100m, 16Mi/128Mi steps) and at least `minCpu`/`minMemory`; an OOMKilled container gets at
 * least its current memory limit plus the buffer.
 */
export interface RecommendSpec {
  namespace: string;
  /** The workload; absent: every workload of the namespace. */
  workload?: { kind: WorkloadKind; name: string };
  /** Only this container. */
  container?: string;
  /** History to learn from; default '14d'. */
  window?: string;
  /** Resolution of the history; default '5m'. */
  step?: string;
  /** Range of the CPU rate at each step; default '5m'. */
  rateWindow?: string;
  /** In (0, 1]; default 0.95. */
  cpuPercentile?: number;
  /** Share added to the memory peak, 0 to 10; default 0.15. */
  memoryBuffer?: number;
  /** Default 'none': no CPU limit recommended. */
  cpuLimit?: 'none' | { requestTimes: number };
  /** Cores; default 0.01. */
  minCpu?: number;
  /** Bytes; default 100Mi. */
  minMemory?: number;
  /** History a container needs for a recommendation; default '1d'. */
  minHistory?: string;
  /** Share of the recommendation a current value may differ by and be fine; default 0.2 (and always 20m / 16Mi). */
  tolerance?: number;
  profile?: string | Profile;
  cluster?: string;
}

export type ResourceStatus = 'fine' | 'over-provisioned' | 'under-provisioned' | 'not-enough-data';

export interface ResourceAdvice {
  /** Cores or bytes; absent when not set. */
  current?: number;
  /** Absent when nothing is recommended (not enough data; a CPU limit under the 'none' policy). */
  recommended?: number;
  /** The recommendation as a Kubernetes quantity: '250m', '512Mi', '2Gi'. */
  quantity?: string;
  /** current - recommended, when both are known. */
  difference?: number;
  status?: ResourceStatus;
}

export interface ContainerAdvice {
  /** The container's workload: the spec's, or in a namespace's recommendation its own. */
  workload: { kind: WorkloadKind; name: string };
  container: string;
  /** The worst of its resources' statuses, or 'not-enough-data'. */
  status: ResourceStatus;
  historySeconds: number;
  /** The usage percentile, cores. */
  cpuUsage?: number;
  /** The peak working set, bytes. */
  memoryPeak?: number;
  oomKilled: boolean;
  cpuRequest: ResourceAdvice;
  cpuLimit: ResourceAdvice;
  memoryRequest: ResourceAdvice;
  memoryLimit: ResourceAdvice;
  /** `kubectl set resources ...` applying the recommendation. */
  kubectl?: string;
}

export type RecommendationNeed =
  | 'cpuUsage'
  | 'cpuSamples'
  | 'memoryPeak'
  | 'oomKilled'
  | 'cpuRequest'
  | 'cpuLimit'
  | 'memoryRequest'
  | 'memoryLimit';

export interface RecommendationQuery {
  need: RecommendationNeed;
  /** An instant query, evaluated at the end of the history. */
  promql: string;
}

export interface Recommendation {
  /** Sorted by workload (name, then kind) and container name; empty for a workload without pods. */
  containers: ContainerAdvice[];
  /** The PromQL the numbers come from, to show. */
  queries: RecommendationQuery[];
}

/** The instant queries right-sizing needs (for callers that run queries themselves, like Grafana). */
export function planRecommendation(spec: RecommendSpec): { queries: RecommendationQuery[] };

/** The recommendation from the answers of `planRecommendation`'s queries, keyed by `need`. */
export function recommendResources(spec: RecommendSpec, answers: Record<RecommendationNeed, QueryResult>): Recommendation;

/** The settings of `rightSizingRules`; each defaults as in `RecommendSpec`. */
export interface RightSizingRulesSpec {
  window?: string;
  step?: string;
  rateWindow?: string;
  cpuPercentile?: number;
  memoryBuffer?: number;
  minCpu?: number;
  minMemory?: number;
  minHistory?: string;
  tolerance?: number;
  profile?: string | Profile;
}

/**
 * Right-sizing as Prometheus rules over every workload's containers (pods by ownership):
 * recording rules for the recommended and current requests and the history's length, and
 * alert conditions over them whose value is how far the request is from the recommendation
 * (the excess or the shortfall, positive). The method of
 * `recommendResources`, compared unrounded, and without the OOM-killed memory floor.
 */
export interface RightSizingRules {
  /** How often the group should be evaluated ('1h'). */
  interval: string;
  /** Labels of every recorded series and alert: the cluster label if any, namespace, workload, workload_kind, container. */
  labels: string[];
  records: { record: string; expr: string }[];
  alerts: { alert: string; resource: 'cpu' | 'memory'; status: 'over-provisioned' | 'under-provisioned'; expr: string }[];
}

export function rightSizingRules(spec?: RightSizingRulesSpec): RightSizingRules;

/** Wait-time distribution; p50, p95 and max are NaN when count is 0. */
export interface WaitStats {
  /** Upper bounds in seconds with cumulative counts, the last one +Inf. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
  p50: number;
  p95: number;
  max: number;
}

export interface QueueSummary {
  clusterQueue: string;
  /** Set for a local queue's summary; absent for the whole cluster queue. */
  namespace?: string;
  localQueue?: string;
  pending: number;
  priorityMin?: number;
  priorityMax?: number;
  /** Unix seconds of the oldest pending workload's creation. */
  oldestCreation?: number;
  /** Pending workloads per priority, highest priority first. */
  byPriority: { priority: number; pending: number }[];
  wait: WaitStats;
  /** The first pending workloads in queue order. */
  head: { namespace: string; name: string; localQueue: string; position: number; priority: number; waitSeconds: number }[];
}

export interface KueueSummaryReport {
  summaries: QueueSummary[];
  /** Items that could not be read, with the path of the bad field. */
  skipped: { index: number; path: string; message: string }[];
}

export function kueuePendingSummary(
  visibilityResponse: string | Uint8Array | ArrayBuffer,
  opts?: { now?: number; clusterQueue?: string; headLimit?: number },
): QueueSummary[];

export function kueuePendingReport(
  visibilityResponse: string | Uint8Array | ArrayBuffer,
  opts?: { now?: number; clusterQueue?: string; headLimit?: number },
): KueueSummaryReport;

export function toExposition(summaries: QueueSummary[]): string;

/**
 * A Kubernetes resource quantity ("250m", "1234567n", "200Mi", "123456Ki", "1e3"), as the
 * metrics.k8s.io API and resource requests write them, in its base unit (cores for CPU, bytes for
 * memory). Throws KubepromError 'invalid_argument' for anything else.
 */
export function parseQuantity(quantity: string): number;

/**
 * Text for a value given in `unit` (any unit `aggregatePods` converts to, or another name, which
 * is written after the number), by the rules both plugins share: CPU as `kubectl top` writes it
 * (`250m`, `1500m`, then `12.5 cores`), sizes and throughput in binary units scaled to fit
 * (`250 MiB`, `11.7 GiB`, `1.2 MiB/s`), rates per second (`0.5/s`), durations in at most two
 * units (`250ms`, `42s`, `1m 15s`, `1h 5m`), ratios as percentages (`12.5%`), three significant
 * digits below 100, `—` for NaN, `+Inf`/`-Inf`. Throws 'invalid_argument' when `unit` is not a
 * string (undefined writes the number alone).
 */
export function formatValue(value: number, unit?: string): string;

/** A duration in seconds as `formatValue(seconds, 'seconds')` writes it (`1m 15s`). */
export function formatDuration(seconds: number): string;

/**
 * Seconds in a PromQL duration (`30s`, `1m30s`, `1h`, `500ms`; units y w d h m s ms, largest
 * first, each once). Throws 'invalid_argument' for anything else.
 */
export function parseDuration(duration: string): number;

/**
 * Exact-match labels written one `label=value` per line, as plugin settings take a custom
 * metric's `matchers` (`'job=shop/web\ntier=frontend'` gives `{ job: 'shop/web', tier: 'frontend' }`).
 * Blank lines and spaces around name and value are layout; the value is everything after the
 * first `=`. A line without `=`, an empty name or a label given twice is an `invalid_argument`
 * error naming the line.
 */
export function parseMatcherLines(text: string): Record<string, string>;

/** One container's current usage from one source: CPU in cores, memory in bytes (NaN or absent: no value). */
export interface ContainerUsage {
  /** `''` for a series without a container label (the pod-level cgroup). */
  container: string;
  cpu?: number;
  memory?: number;
}

/** How far apart the sources may be and agree: within `relative` of metrics-server's value or within the margin, whichever is larger. */
export interface UsageTolerance {
  /** Default 0.1 (10%). */
  relative?: number;
  /** Default 0.02 (20m). */
  cpuCores?: number;
  /** Default 16 MiB. */
  memoryBytes?: number;
}

/** Why Prometheus and metrics-server likely disagree. */
export type UsageCause =
  | { kind: 'doubleCount'; resource: 'cpu' | 'memory' }
  | { kind: 'containersOnlyInPrometheus'; containers: string[] }
  | { kind: 'containersOnlyInMetricsServer'; containers: string[] }
  | { kind: 'windows' }
  | { kind: 'staleScrape' };

export interface UsageComparison {
  resource: 'cpu' | 'memory';
  /** The pod's sum of its containers (NaN: no value). */
  prometheus: number;
  metricsServer: number;
  /** Prometheus minus metrics-server. */
  difference: number;
  agree: boolean;
}

export interface UsageCheck {
  /** CPU, then memory. */
  comparisons: [UsageComparison, UsageComparison];
  agree: boolean;
  /** Likely causes, most telling first; empty when both agree. */
  causes: UsageCause[];
  /** Each cause as a sentence to show, in the same order. */
  messages: string[];
  /** One line per disagreeing resource with both numbers (`memory: Prometheus 500 MiB, metrics-server 250 MiB`). */
  summary: string[];
}

/**
 * A pod's current usage from Prometheus checked against metrics-server's (`metrics.k8s.io`, what
 * `kubectl top pod` shows): each side's pod value is the sum of its containers. When a resource
 * is apart by more than the tolerance, the likely causes: a factor near two (a double count),
 * containers only one side has (a missing container filter, or series not scraped), and for
 * the same containers, CPU windows or a stale memory sample. A bad tolerance is an
 * `invalid_argument` error naming the field.
 */
export function checkUsage(
  prometheus: ContainerUsage[],
  metricsServer: ContainerUsage[],
  tolerance?: UsageTolerance
): UsageCheck;
