// Deterministic benchmark inputs: Prometheus API bodies with kube-prometheus-stack cAdvisor labels.
//   matrix-2000.json  query_range of container_memory_working_set_bytes over 24h at 120s: 2,000
//                     series (500 pods x app, sidecar, pod-level cgroup, pause) x 721 points
//   matrix-200.json   a CPU rate over 6h at 30s: 200 series with long decimals, NaN, gaps
//   vector-50000.json an instant vector of 50,000 series (12,500 pods in 100 namespaces)
//   vector-pods-50000.json    the same metric with `container!="", container!="POD"`: real
//                             containers only, 50,000 pods x 1 container, 13 labels
//   vector-pods-12500x4.json  likewise, 12,500 pods x 4 containers
// Usage: node www/bench/generate.mjs [outDir]   (default www/bench/.data; skips existing files)
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 as rng } from './prng.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, '.data');


function hex(rand, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
  return s;
}

function suffix(rand, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(rand() * 27)];
  return s;
}

/** The cAdvisor series of one pod: its containers, the pod-level cgroup and the pause container. */
function podSeries(rand, metric, namespace, pod, node, containers) {
  const uid = `${hex(rand, 8)}_${hex(rand, 4)}_${hex(rand, 4)}_${hex(rand, 4)}_${hex(rand, 12)}`;
  const podCgroup = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid}.slice`;
  const common = {
    endpoint: 'https-metrics',
    instance: `${node.ip}:10250`,
    job: 'kubelet',
    metrics_path: '/metrics/cadvisor',
    namespace,
    node: node.name,
    pod,
    service: 'kube-prometheus-stack-kubelet',
  };
  const out = [];
  for (const c of [...containers, { name: 'POD', image: 'registry.k8s.io/pause:3.9' }]) {
    const id = hex(rand, 64);
    out.push({
      labels: {
        __name__: metric,
        container: c.name,
        ...common,
        id: `${podCgroup}/cri-containerd-${id}.scope`,
        image: c.image,
        name: id,
      },
      kind: c.name === 'POD' ? 'pause' : 'container',
    });
  }
  out.push({ labels: { __name__: metric, ...common, id: podCgroup }, kind: 'pod' });
  return out;
}

function nodes(rand, n) {
  return Array.from({ length: n }, () => {
    const ip = `10.0.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250)}`;
    return { ip, name: `ip-${ip.replaceAll('.', '-')}.ec2.internal` };
  });
}

const CONTAINERS = [
  { name: 'app', image: 'ghcr.io/acme/shop-web:1.42.0' },
  { name: 'sidecar', image: 'docker.io/envoyproxy/envoy:v1.29.1' },
];

/** Prometheus writes labels sorted by name. */
function labelsJson(labels) {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function matrixBody(series) {
  const parts = series.map((s) => `{"metric":${labelsJson(s.labels)},"values":[${s.samples.join(',')}]}`);
  return `{"status":"success","data":{"resultType":"matrix","result":[${parts.join(',')}]}}`;
}

function memoryMatrix() {
  const rand = rng(1);
  const ns = nodes(rand, 40);
  const start = 1763700000;
  const series = [];
  for (let p = 0; p < 500; p++) {
    const pod = `web-7d4b9c${suffix(rand, 2)}-${suffix(rand, 5)}`;
    for (const s of podSeries(rand, 'container_memory_working_set_bytes', 'shop', pod, ns[p % ns.length], CONTAINERS)) {
      const base = s.kind === 'pause' ? 1 << 20 : s.kind === 'pod' ? 256 << 20 : (50 + Math.floor(rand() * 400)) << 20;
      const samples = [];
      let v = base;
      for (let i = 0; i < 721; i++) {
        v = Math.max(4096, Math.round(v + (rand() - 0.5) * 2 * 1048576));
        samples.push(`[${start + i * 120},"${v}"]`);
      }
      series.push({ labels: s.labels, samples });
    }
  }
  return matrixBody(series);
}

function cpuMatrix() {
  const rand = rng(2);
  const ns = nodes(rand, 10);
  const start = 1763700000.123;
  const series = [];
  for (let p = 0; p < 50; p++) {
    const pod = `api-5f6d8${suffix(rand, 2)}-${suffix(rand, 5)}`;
    for (const s of podSeries(rand, 'container_cpu_usage_seconds_total', 'api', pod, ns[p % ns.length], CONTAINERS)) {
      const samples = [];
      for (let i = 0; i < 721; i++) {
        if (rand() < 0.01) continue; // a missed scrape: no point at this step
        const t = Math.round((start + i * 30) * 1000) / 1000;
        const v = rand() < 0.005 ? 'NaN' : String(rand() * (s.kind === 'pause' ? 0.001 : 0.8));
        samples.push(`[${t},"${v}"]`);
      }
      series.push({ labels: s.labels, samples });
    }
  }
  return matrixBody(series);
}

function instantVector() {
  const rand = rng(3);
  const ns = nodes(rand, 200);
  const parts = [];
  for (let n = 0; n < 100; n++) {
    for (let p = 0; p < 125; p++) {
      const pod = `svc${n}-${suffix(rand, 8)}-${suffix(rand, 5)}`;
      for (const s of podSeries(rand, 'container_memory_working_set_bytes', `team-${n}`, pod, ns[(n * 125 + p) % ns.length], CONTAINERS)) {
        const v = Math.floor(rand() * (512 << 20));
        parts.push(`{"metric":${labelsJson(s.labels)},"value":[1763786400.123,"${v}"]}`);
      }
    }
  }
  return `{"status":"success","data":{"resultType":"vector","result":[${parts.join(',')}]}}`;
}

const MORE_CONTAINERS = [
  ...CONTAINERS,
  { name: 'log-shipper', image: 'docker.io/fluent/fluent-bit:3.0.4' },
  { name: 'metrics', image: 'quay.io/prometheus/statsd-exporter:v0.26.1' },
];

/** An instant vector of real containers only, as a selector with `container!=""` gets it. */
function containerVector(seed, namespaces, podsPerNamespace, containers) {
  const rand = rng(seed);
  const ns = nodes(rand, 200);
  const parts = [];
  for (let n = 0; n < namespaces; n++) {
    for (let p = 0; p < podsPerNamespace; p++) {
      const pod = `svc${n}-${suffix(rand, 8)}-${suffix(rand, 5)}`;
      const node = ns[(n * podsPerNamespace + p) % ns.length];
      for (const s of podSeries(rand, 'container_memory_working_set_bytes', `team-${n}`, pod, node, containers)) {
        if (s.kind !== 'container') continue;
        const v = Math.floor(rand() * (512 << 20));
        parts.push(`{"metric":${labelsJson(s.labels)},"value":[1763786400.123,"${v}"]}`);
      }
    }
  }
  return `{"status":"success","data":{"resultType":"vector","result":[${parts.join(',')}]}}`;
}

export const INPUTS = {
  'matrix-2000': memoryMatrix,
  'matrix-200': cpuMatrix,
  'vector-50000': instantVector,
  'vector-pods-50000': () => containerVector(4, 100, 500, CONTAINERS.slice(0, 1)),
  'vector-pods-12500x4': () => containerVector(5, 100, 125, MORE_CONTAINERS),
};

/** Writes every input that is missing; returns their paths by name. */
export function generate(dir = outDir) {
  mkdirSync(dir, { recursive: true });
  const paths = {};
  for (const [name, make] of Object.entries(INPUTS)) {
    const path = join(dir, `${name}.json`);
    if (!existsSync(path)) writeFileSync(path, make());
    paths[name] = path;
  }
  return paths;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, path] of Object.entries(generate())) console.log(`${name}: ${path}`);
}
