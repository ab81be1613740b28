// kubeprom's worker mode: the same API, answered by a module worker (www/worker-thread.js), so
// fetching, parsing and aggregating a large response never blocks the page. Every function
// returns a promise of what the function itself returns; results arrive with their typed arrays'
// buffers transferred. Errors are KubepromError with the same kind, status, retryAfter and errorType.
import { KubepromError } from './index.js';

/** The core's functions, by name; each becomes an async method of the worker API. */
const FUNCTIONS = [
  'listMetrics',
  'listProfiles',
  'buildQuery',
  'parseResponse',
  'aggregatePods',
  'aggregatePodsReport',
  'aggregatePodsFromBytes',
  'aggregateGroups',
  'kueuePendingSummary',
  'kueuePendingReport',
  'toExposition',
  'parseQuantity',
  'formatValue',
  'formatDuration',
  'parseDuration',
  'parseMatcherLines',
  'checkUsage',
  'planRecommendation',
  'recommendResources',
  'lintQuery',
  'lintDashboard',
  'lintRules',
];

/** Request and answer by message id over one worker. */
class Channel {
  constructor(worker) {
    this.worker = worker;
    this.next = 1;
    this.pending = new Map();
    worker.onmessage = ({ data }) => {
      const settle = this.pending.get(data.id);
      if (settle === undefined) return;
      this.pending.delete(data.id);
      if (data.error) {
        const { kind, message, status, retryAfter, errorType } = data.error;
        const e = new KubepromError(kind, message, status);
        if (retryAfter !== undefined) e.retryAfter = retryAfter;
        if (errorType !== undefined) e.errorType = errorType;
        settle.reject(e);
      } else {
        settle.resolve(data.value);
      }
    };
    worker.onerror = (event) => {
      const e = new KubepromError('unsupported', `the kubeprom worker failed: ${event.message ?? 'no message'}`);
      for (const settle of this.pending.values()) settle.reject(e);
      this.pending.clear();
    };
  }

  /** Sends `message` and resolves with the answer; `signal` aborts it in the worker. */
  send(message, signal) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new KubepromError('aborted', 'the request was aborted'));
        return;
      }
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ ...message, id, abortable: signal !== undefined });
      } catch (e) {
        // An argument structured clone cannot copy (a function, a class instance with state).
        this.pending.delete(id);
        reject(new KubepromError('invalid_argument', `cannot send to the kubeprom worker: ${e.message}`));
        return;
      }
      signal?.addEventListener('abort', () => this.worker.postMessage({ op: 'abort', id }), { once: true });
    });
  }
}

/** Argument index of `RequestOptions` per client method; the worker is told it with each request. */
const OPTIONS_AT = { query: 2, queryRange: 4, targets: 0, queryPods: 3, queryRangePods: 5, recommendResources: 2 };

/** A PrometheusClient living in the worker: the same methods, each answered there. */
class WorkerClient {
  constructor(channel, id, baseUrl) {
    this.channel = channel;
    this.id = id;
    this.baseUrl = baseUrl;
  }

  query(promql, time, opts) {
    return this.request('query', [promql, time, opts]);
  }

  queryRange(promql, start, end, step, opts) {
    return this.request('queryRange', [promql, start, end, step, opts]);
  }

  targets(opts) {
    return this.request('targets', [opts]);
  }

  /** The client's `queryPods`, answered in the worker: only the pods cross to the page. */
  queryPods(promql, time, podOptions, opts) {
    return this.request('queryPods', [promql, time, podOptions, opts]);
  }

  /** `queryPods` for a range query. */
  queryRangePods(promql, start, end, step, podOptions, opts) {
    return this.request('queryRangePods', [promql, start, end, step, podOptions, opts]);
  }

  /** The client's `recommendResources`, its queries run from the worker. */
  recommendResources(spec, time, opts) {
    return this.request('recommendResources', [spec, time, opts]);
  }

  /** Frees the client in the worker. */
  close() {
    return this.channel.send({ op: 'close', client: this.id });
  }

  request(method, args) {
    const at = OPTIONS_AT[method];
    const opts = args[at];
    // A signal cannot cross to the worker: the worker makes its own, aborted from here.
    const { signal, ...rest } = opts ?? {};
    const sent = [...args];
    sent[at] = opts === undefined ? undefined : rest;
    return this.channel.send({ op: 'request', client: this.id, method, args: sent, signalAt: at }, signal);
  }
}

/**
 * Starts a worker with kubeprom's core loaded (`options.wasm`: its URL or bytes, by default next
 * to the glue; `options.lint`: load the linter too, for `lintQuery`, `lintDashboard` and `lintRules`). `options.worker`: a Worker
 * already made from `worker-thread.js`, for bundlers that must see the `new Worker(new URL(...))`
 * themselves.
 */
export async function startWorker(options = {}) {
  const worker = options.worker ?? new Worker(new URL('./worker-thread.js', import.meta.url), { type: 'module' });
  const channel = new Channel(worker);
  await channel.send({ op: 'init', args: [options.wasm, { lint: options.lint ?? false }] });
  const api = {
    /** A PrometheusClient in the worker (`new PrometheusClient(opts)`). */
    client: async (opts) => {
      const { id, baseUrl } = await channel.send({ op: 'client', kind: 'new', args: [opts] });
      return new WorkerClient(channel, id, baseUrl);
    },
    /** `PrometheusClient.headlampServiceProxy(opts)` in the worker. */
    headlampServiceProxy: async (opts) => {
      const { id, baseUrl } = await channel.send({ op: 'client', kind: 'headlampServiceProxy', args: [opts] });
      return new WorkerClient(channel, id, baseUrl);
    },
    /** Stops the worker; pending calls reject with kind 'aborted'. */
    terminate: () => {
      worker.terminate();
      const e = new KubepromError('aborted', 'the kubeprom worker was terminated');
      for (const settle of channel.pending.values()) settle.reject(e);
      channel.pending.clear();
    },
  };
  for (const name of FUNCTIONS) api[name] = (...args) => channel.send({ op: 'call', name, args });
  return api;
}
