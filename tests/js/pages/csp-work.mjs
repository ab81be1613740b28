// What the CSP page and its worker both run: every part of the API, the client through the
// same-origin proxy to the harness Prometheus with a secret header, and a probe that eval is
// really blocked (so the absence of other violations means something).
import init, { buildQuery, parseResponse, aggregatePods, lintQuery, PrometheusClient, kueuePendingSummary, toExposition } from '/www/index.js';

export async function run(params) {
  const violations = [];
  self.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample ?? ''}`));
  const out = {};
  try {
    eval('1');
    out.evalBlocked = false;
  } catch (e) {
    out.evalBlocked = e instanceof EvalError;
  }
  await init();
  const promql = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  const client = new PrometheusClient({ baseUrl: '/prom', headers: { Authorization: `Bearer ${params.secret}` } });
  const pods = aggregatePods(await client.query(promql, params.anchor), { unit: 'MiB' });
  out.pods = pods.map((p) => [p.pod, p.value]);
  out.parsed = parseResponse('{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}').series[0].values[0];
  out.lint = lintQuery('sum(container_memory_working_set_bytes)').map((f) => f.rule);
  out.kueue = toExposition(kueuePendingSummary('{"kind":"PendingWorkloadsSummary","items":[]}', { now: 0, clusterQueue: 'cq' })).includes('cluster_queue="cq"');
  try {
    await new PrometheusClient({ baseUrl: '/prom-missing', headers: { Authorization: `Bearer ${params.secret}` } }).query('up');
  } catch (e) {
    out.errorKind = e.kind;
    out.errorMessage = e.message;
  }
  // Give late violation reports a moment to arrive.
  await new Promise((ok) => setTimeout(ok, 200));
  out.violations = violations;
  return out;
}
