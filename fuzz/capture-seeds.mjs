// Captures the committed parse_response seeds from the real Prometheus of the test harness
// (run once by hand: `node fuzz/capture-seeds.mjs`; the files are small and committed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPrometheus } from '../tests/harness/prometheus.mjs';

const dir = fileURLToPath(new URL('seeds/parse_response/', import.meta.url));
mkdirSync(dir, { recursive: true });
const prom = await startPrometheus();
const at = prom.expected.anchor;
const q = (promql) => `/api/v1/query?query=${encodeURIComponent(promql)}&time=${at}`;
const range = (promql) => `/api/v1/query_range?query=${encodeURIComponent(promql)}&start=${at - 180}&end=${at}&step=60`;
const calls = {
  'vector.json': q('sum by (namespace, pod, container) (container_memory_working_set_bytes{namespace="shop"})'),
  'vector-raw.json': q('container_memory_working_set_bytes{pod="db-0"}'),
  'matrix.json': range('sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{namespace="batch"}[5m]))'),
  'scalar.json': q('scalar(count(up))'),
  'string.json': q('"kubeprom"'),
  'special-values.json': q('label_replace(vector(0) / 0, "a", "nan", "", "") or label_replace(vector(1) / 0, "a", "inf", "", "") or label_replace(vector(-1) / 0, "a", "-inf", "", "")'),
  'error-bad-data.json': q('sum('),
  'empty.json': q('absent_series_kubeprom'),
  'vector-ksm.json': q('rate(kube_pod_info[5m])'),
  'targets.json': '/api/v1/targets?state=active',
};
try {
  for (const [file, path] of Object.entries(calls)) {
    const res = await fetch(`${prom.url}${path}`);
    writeFileSync(`${dir}/${file}`, Buffer.from(await res.arrayBuffer()));
  }
} finally {
  await prom.stop();
}
console.log(`wrote ${Object.keys(calls).length} seeds to ${dir}`);
