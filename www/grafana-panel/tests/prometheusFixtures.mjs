// Runs the panel's test queries against the harness Prometheus (tests/harness/prometheus.mjs of
// the repository) and returns the raw HTTP API bodies, for the jest tests and the browser test.
// Both turn the bodies into DataFrames the way Grafana's Prometheus data source does.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as kubeprom from 'kubeprom';

const require = createRequire(import.meta.url);
let ready = false;

/** The kubeprom core in Node, instantiated from the .wasm the plugin ships. */
export function core() {
  if (!ready) {
    kubeprom.initSync(
      { module: readFileSync(require.resolve('kubeprom/kubeprom_bg.wasm')) },
      { lint: readFileSync(require.resolve('kubeprom/kubeprom_lint_bg.wasm')) }
    );
    ready = true;
  }
  return kubeprom;
}

/**
 * The queries, by name. Correct ones come from buildQuery; the wrong ones are what people write
 * by hand: a cAdvisor selector without container!="" (counts the pod-level cgroup and the pause
 * container), and the same summed (already double counted before the panel sees it).
 */
export function panelQueries() {
  const kp = core();
  return {
    memory: kp.buildQuery({ metric: 'pod_memory_working_set' }),
    cpu: kp.buildQuery({ metric: 'pod_cpu_usage' }),
    memoryRequests: kp.buildQuery({ metric: 'pod_memory_requests' }),
    memoryLimits: kp.buildQuery({ metric: 'pod_memory_limits' }),
    // Two kube-state-metrics replicas: every series twice, apart from `instance`.
    memoryRequestsRaw: 'kube_pod_container_resource_requests{resource="memory"}',
    memoryWrongSelector: 'container_memory_working_set_bytes{namespace="shop"}',
    memoryWrongSum: 'sum by (namespace, pod) (container_memory_working_set_bytes{namespace="shop"})',
    kueuePending: kp.buildQuery({ metric: 'kueue_pending_workloads' }),
    kueueWait: kp.buildQuery({ metric: 'kueue_admission_wait_time' }),
    kueueUnadmitted: kp.buildQuery({ metric: 'kueue_unadmitted_workloads' }),
  };
}

/**
 * Queries the harness Prometheus over the half hour before the dataset's anchor ("now" when it was
 * generated), every 30 s, as a dashboard would.
 */
export async function recordResponses(url, expected) {
  const end = expected.anchor;
  const start = end - 30 * 60;
  const step = 30;
  const queries = panelQueries();
  const responses = {};
  for (const [name, expr] of Object.entries(queries)) {
    const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
    const res = await fetch(`${url}/api/v1/query_range`, { method: 'POST', body: params });
    const body = await res.json();
    if (!res.ok || body.status !== 'success') {
      throw new Error(`query ${name} failed (${res.status}): ${JSON.stringify(body).slice(0, 500)}`);
    }
    if (body.data.result.length === 0) {
      throw new Error(`query ${name} returned no series: ${expr}`);
    }
    responses[name] = { expr, step, body };
  }
  return { start, end, step, responses };
}
