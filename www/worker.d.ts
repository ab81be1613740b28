// Types of kubeprom's worker mode (`kubeprom/worker`): the core's functions, each answered by a
// module worker and returning a promise of the same result.
import type * as kubeprom from './index.js';

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/** A PrometheusClient living in the worker, with the same methods. */
export interface WorkerClient {
  readonly baseUrl: string;
  query: kubeprom.PrometheusClient['query'];
  queryRange: kubeprom.PrometheusClient['queryRange'];
  targets: kubeprom.PrometheusClient['targets'];
  /** The client's `queryPods`, in the worker: only the pods cross to the page. */
  queryPods: kubeprom.PrometheusClient['queryPods'];
  /** The client's `queryRangePods`, in the worker. */
  queryRangePods: kubeprom.PrometheusClient['queryRangePods'];
  /** The client's `recommendResources`, its queries run from the worker. */
  recommendResources: kubeprom.PrometheusClient['recommendResources'];
  /** Frees the client in the worker. */
  close(): Promise<void>;
}

export type WorkerFunctions = {
  [K in
    | 'listMetrics'
    | 'listProfiles'
    | 'buildQuery'
    | 'parseResponse'
    | 'aggregatePods'
    | 'aggregatePodsReport'
    | 'aggregatePodsFromBytes'
    | 'aggregateGroups'
    | 'kueuePendingSummary'
    | 'kueuePendingReport'
    | 'toExposition'
    | 'parseQuantity'
    | 'formatValue'
    | 'formatDuration'
    | 'parseDuration'
    | 'parseMatcherLines'
    | 'checkUsage'
    | 'planRecommendation'
    | 'recommendResources'
    | 'lintQuery'
    | 'lintDashboard'
    | 'lintRules']: Async<(typeof kubeprom)[K]>;
};

export interface WorkerKubeprom extends WorkerFunctions {
  /** `new PrometheusClient(opts)`, in the worker. */
  client(opts: kubeprom.ClientOptions): Promise<WorkerClient>;
  /** `PrometheusClient.headlampServiceProxy(opts)`, in the worker. */
  headlampServiceProxy(opts: Parameters<typeof kubeprom.PrometheusClient.headlampServiceProxy>[0]): Promise<WorkerClient>;
  /** Stops the worker; pending calls reject with kind 'aborted'. */
  terminate(): void;
}

export interface WorkerOptions {
  /** The core's wasm (URL or bytes); default next to the glue. */
  wasm?: string | URL | BufferSource;
  /** Load the linter too, for `lintQuery`, `lintDashboard` and `lintRules`. */
  lint?: boolean;
  /** A Worker already made from `worker-thread.js` (bundlers that must see `new Worker(new URL(...))`). */
  worker?: Worker;
}

/** Starts a worker with kubeprom loaded; every call is answered off the page's thread. */
export function startWorker(options?: WorkerOptions): Promise<WorkerKubeprom>;
