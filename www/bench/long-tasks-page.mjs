// Each way to get per-pod stats from a Prometheus response, timed end to end while a
// PerformanceObserver records the page thread's long tasks (over 50 ms, the Long Tasks API's
// threshold): on the page, and in worker mode (www/worker.js).
import init, { aggregatePods, aggregatePodsFromBytes, PrometheusClient } from '/www/index.js';
import { startWorker } from '/www/worker.js';

const STATS = { stats: ['last', 'avg', 'max', 'p95'] };
let kp;

const WAYS = {
  'page: client.queryRange + aggregatePods': async (url) => {
    const result = await new PrometheusClient({ baseUrl: url }).queryRange('q', 0, 1, 1);
    return aggregatePods(result, STATS).length;
  },
  'page: fetch + aggregatePodsFromBytes': async (url) => {
    const body = await (await fetch(`${url}/api/v1/query_range`)).arrayBuffer();
    return aggregatePodsFromBytes(body, STATS).pods.length;
  },
  'worker: client.queryRange + aggregatePods': async (url) => {
    const client = await kp.client({ baseUrl: url });
    const pods = await kp.aggregatePods(await client.queryRange('q', 0, 1, 1), STATS);
    await client.close();
    return pods.length;
  },
  'worker: client.queryRangePods': async (url) => {
    const client = await kp.client({ baseUrl: url });
    const report = await client.queryRangePods('q', 0, 1, 1, STATS);
    await client.close();
    return report.pods.length;
  },
  'worker: fetch + aggregatePodsFromBytes': async (url) => {
    const body = await (await fetch(`${url}/api/v1/query_range`)).arrayBuffer();
    return (await kp.aggregatePodsFromBytes(body, STATS)).pods.length;
  },
};

/** One run of `way`: wall time, pods, and the long tasks seen meanwhile. */
async function measure(way, url) {
  const tasks = [];
  const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({ type: 'longtask' });
  const t0 = performance.now();
  const pods = await WAYS[way](url);
  const ms = performance.now() - t0;
  // Entries are delivered after the task ends; one more turn of the event loop flushes them.
  await new Promise((ok) => setTimeout(ok, 100));
  tasks.push(...observer.takeRecords().map((e) => e.duration));
  observer.disconnect();
  return { ms, pods, longTasks: tasks.length, longestTaskMs: Math.max(0, ...tasks), blockedMs: tasks.reduce((a, b) => a + b, 0) };
}

globalThis.bench = {
  async load() {
    await init();
    kp = await startWorker();
  },
  ways: Object.keys(WAYS),
  measure,
};
