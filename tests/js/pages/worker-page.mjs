// Every answer of the worker mode next to the same call on the page's thread, as text the test
// compares (numbers as their bits, so "equal" means bit for bit).
import init, { buildQuery, aggregatePods, aggregatePodsReport, aggregatePodsFromBytes, lintQuery, lintDashboard, lintRules, PrometheusClient, KubepromError } from '/www/index.js';
import { startWorker } from '/www/worker.js';
import { exact } from './exact.mjs';

const failure = async (f) => {
  try {
    await f();
    return 'no error';
  } catch (e) {
    const extra = [['status', e.status], ['errorType', e.errorType]].filter(([, v]) => v !== undefined).map((kv) => ` ${kv.join(' ')}`).join('');
    return `${e instanceof KubepromError} ${e.kind} ${e.message}${extra}`;
  }
};

async function run(anchor) {
  const out = {};
  await init();
  const kp = await startWorker();
  const promql = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  out.sameQuery = (await kp.buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' })) === promql;

  const here = new PrometheusClient({ baseUrl: '/prom' });
  const there = await kp.client({ baseUrl: '/prom' });
  out.baseUrl = there.baseUrl === here.baseUrl;
  const opts = { unit: 'MiB', stats: ['last', 'max'], keepSeries: true };
  const range = [promql, anchor - 3600, anchor, 60];
  const mainResult = await here.queryRange(...range);
  const workerResult = await there.queryRange(...range);
  out.rangeResult = exact(workerResult) === exact(mainResult);
  out.typedArrays = workerResult.series.every((s) => s.values instanceof Float64Array && s.timestamps instanceof Float64Array);
  out.rangePods = exact(await kp.aggregatePods(workerResult, opts)) === exact(aggregatePods(mainResult, opts));
  out.pods = (await kp.aggregatePods(await there.query(promql, anchor), { unit: 'MiB' })).map((p) => [p.pod, p.value]);
  const body = await (await fetch(`/prom/api/v1/query_range?query=${encodeURIComponent(promql)}&start=${anchor - 3600}&end=${anchor}&step=60`)).arrayBuffer();
  const instantBody = await (await fetch(`/prom/api/v1/query?query=${encodeURIComponent(promql)}&time=${anchor}`)).arrayBuffer();
  const rangePods = exact(await there.queryRangePods(...range, opts));
  out.rangePodsInWorker = rangePods === exact(aggregatePodsFromBytes(body, opts)) && rangePods === exact(await here.queryRangePods(...range, opts));
  const instantPods = await there.queryPods(promql, anchor, { top: 1 });
  const { resultType, warnings, infos, ...report } = instantPods;
  out.podsInWorker =
    exact(instantPods) === exact(aggregatePodsFromBytes(instantBody, { top: 1 })) &&
    exact(report) === exact(aggregatePodsReport(await here.query(promql, anchor), { top: 1 }));
  out.fromBytes = exact(await kp.aggregatePodsFromBytes(body, { stats: ['p95'], top: 2 })) === exact(aggregatePodsFromBytes(body, { stats: ['p95'], top: 2 }));
  out.bodyKept = body.byteLength > 0;

  out.badSpec = [await failure(() => kp.buildQuery({ metric: 'nope' })), await failure(() => buildQuery({ metric: 'nope' }))];
  out.missing = [
    await failure(async () => (await kp.client({ baseUrl: '/prom-missing' })).query('up')),
    await failure(() => new PrometheusClient({ baseUrl: '/prom-missing' }).query('up')),
  ];
  out.statusCodeKind = [
    await failure(async () => (await kp.client({ baseUrl: '/victoria-metrics' })).query('foo(up)')),
    await failure(() => new PrometheusClient({ baseUrl: '/victoria-metrics' }).query('foo(up)')),
  ];
  const controller = new AbortController();
  const hanging = (await kp.client({ baseUrl: '/hang' })).query('up', undefined, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  out.aborted = await failure(() => hanging);
  out.uncloneable = await failure(() => kp.aggregatePods({ resultType: 'vector', series: [], warnings: [], infos: [], f() {} }));
  await there.close();
  kp.terminate();

  // The linter in a worker started with it: the same findings as on the page, for a query, a
  // dashboard (as JSON text) and a rule file (parsed), and the same error for a bad file.
  const linting = await startWorker({ lint: true });
  const lintOpts = { scrapeInterval: '30s' };
  const query = 'rate(container_memory_working_set_bytes[1m])';
  const dashboard = JSON.stringify({
    panels: [{ id: 1, title: 'memory', targets: [{ refId: 'A', expr: query }] }],
  });
  const rules = { groups: [{ name: 'g', rules: [{ alert: 'A', expr: `${query} > 1`, for: '5x' }] }] };
  const pageLint = [lintQuery(query, lintOpts), lintDashboard(dashboard, lintOpts), lintRules(rules, lintOpts)];
  const workerLint = [await linting.lintQuery(query, lintOpts), await linting.lintDashboard(dashboard, lintOpts), await linting.lintRules(rules, lintOpts)];
  out.lintFindings = pageLint.map((r) => JSON.stringify(r));
  out.lintSame = exact(workerLint) === exact(pageLint);
  out.lintBadFile = [await failure(() => linting.lintDashboard('{', lintOpts)), await failure(() => lintDashboard('{', lintOpts))];
  linting.terminate();
  return out;
}

const anchor = Number(new URLSearchParams(location.search).get('anchor'));
run(anchor).then(
  (r) => {
    window.__result = r;
  },
  (e) => {
    window.__result = { failed: `${e.kind ?? ''} ${e.stack ?? e}` };
  },
);
