// Writes the right-sizing dataset: 15 days of cAdvisor and kube-state-metrics series for the
// workloads of namespace `rs`, as OpenMetrics text (for `promtool tsdb create-blocks-from
// openmetrics`), and from the same model the recommendations a correct method gives
// (expected.json). The expectations come from this model and the documented method (README,
// "Right-sizing"), never from kubeprom's code.
//
// Usage: node tests/data/history.mjs [OUT_DIR] [--anchor UNIX_SECONDS]
// The data runs from 15 days before the anchor to 2h after it, counters every 2 minutes and
// gauges every 4 (within Prometheus' 5-minute lookback), to keep the backfill short. The anchor
// defaults to now rounded down to 5 minutes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { every, openMetricsLines } from './openmetrics.mjs';

const MiB = 1024 * 1024;
const DAY = 86400;
const STEP = 120;
const GAUGE_STEP = 240;

const args = process.argv.slice(2);
const outDir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--anchor') ?? 'tests/.work/history';
const anchorArg = args.indexOf('--anchor');
const anchor = anchorArg >= 0 ? Number(args[anchorArg + 1]) : Math.floor(Date.now() / 1000 / 300) * 300;
const start = anchor - 15 * DAY;
const end = anchor + 2 * 3600;

/**
 * The daily CPU cycle of api's app container, in cores by minute of the day: 60% of the day at
 * 0.2, 39% at 0.5, the last 15 minutes at 1.0. Its 95th percentile lies inside the 0.5 plateau
 * (which spans 60% to 99% of the samples), more than 3% of the samples away from either edge:
 * the few samples a rate window spends crossing a level change cannot move it there.
 */
function apiCpu(t) {
  const minute = Math.floor(((t % DAY) + DAY) % DAY / 60);
  if (minute < 864) return 0.2;
  if (minute < 1425) return 0.5;
  return 1.0;
}
const API_CPU_P95 = 0.5;

// Pods: lifetime [from, to), owner chain, containers with usage (cores, bytes at t), current
// requests and limits ([cpu, memory], null when not set).
const pods = [
  // Deployment api: one replica for the whole history, another replaced a week ago. The one
  // that is gone holds the memory peak, on day 3.
  { name: 'api-6c9f-aaaaa', rs: 'api-6c9f', deploy: 'api', from: start, to: start + 8 * DAY, containers: [
    { name: 'app', cpu: apiCpu, mem: (t) => (t >= start + 3 * DAY && t < start + 3 * DAY + 1800 ? 700 * MiB : 300 * MiB), req: [1, 256 * MiB], lim: [2, 1024 * MiB] },
    { name: 'proxy', cpu: () => 0.05, mem: () => 64 * MiB, req: [0.05, 128 * MiB], lim: [null, 128 * MiB] },
  ] },
  { name: 'api-6c9f-bbbbb', rs: 'api-6c9f', deploy: 'api', from: start + 8 * DAY, to: end, containers: [
    { name: 'app', cpu: apiCpu, mem: () => 320 * MiB, req: [1, 256 * MiB], lim: [2, 1024 * MiB] },
    { name: 'proxy', cpu: () => 0.05, mem: () => 64 * MiB, req: [0.05, 128 * MiB], lim: [null, 128 * MiB] },
  ] },
  { name: 'api-6c9f-ccccc', rs: 'api-6c9f', deploy: 'api', from: start, to: end, containers: [
    { name: 'app', cpu: (t) => apiCpu(t) * 0.5, mem: () => 280 * MiB, req: [1, 256 * MiB], lim: [2, 1024 * MiB] },
    { name: 'proxy', cpu: () => 0.04, mem: () => 60 * MiB, req: [0.05, 128 * MiB], lim: [null, 128 * MiB] },
  ] },
  // Deployment api-canary: its pod's name starts like api's, and it is no pod of api.
  { name: 'api-6c9f-canary', rs: 'api-canary-7b5d', deploy: 'api-canary', from: start, to: end, containers: [
    { name: 'app', cpu: () => 3, mem: () => 3000 * MiB, req: [0.1, 128 * MiB], lim: [null, null] },
  ] },
  // StatefulSet cache: memory at its limit until an OOM kill on day 10, no CPU request.
  { name: 'cache-0', sts: 'cache', from: start, to: end, oomKilledFrom: start + 10 * DAY, containers: [
    { name: 'redis', cpu: () => 0.3, mem: (t) => (t < start + 10 * DAY ? 398 * MiB : 350 * MiB), req: [null, 400 * MiB], lim: [null, 400 * MiB] },
  ] },
  // Deployment fresh: six hours old, less history than a recommendation needs.
  { name: 'fresh-55c8-qqqqq', rs: 'fresh-55c8', deploy: 'fresh', from: anchor - 6 * 3600, to: end, containers: [
    { name: 'app', cpu: () => 0.1, mem: () => 100 * MiB, req: [0.1, 128 * MiB], lim: [null, 128 * MiB] },
  ] },
];

const NAMESPACE = 'rs';
const KUBELET = { job: 'kubelet', metrics_path: '/metrics/cadvisor', instance: '10.0.1.1:10250' };
// One kube-state-metrics replica: the bundled dataset (generate.mjs) has two.
const KSM_REPLICAS = ['10.0.0.11:8080'];

const series = [];
const add = (name, labels, from, to, at) => series.push({ name, labels, from, to, at, step: name.endsWith('_total') ? STEP : GAUGE_STEP });

for (const p of pods) {
  const podLabels = { namespace: NAMESPACE, pod: p.name };
  // cAdvisor: each container, the pause container and the pod-level cgroup (their sum).
  for (const k of p.containers) {
    const labels = { ...KUBELET, ...podLabels, container: k.name };
    add('container_cpu_usage_seconds_total', labels, p.from, p.to, cumulative(k.cpu, p.from));
    add('container_memory_working_set_bytes', labels, p.from, p.to, k.mem);
  }
  add('container_cpu_usage_seconds_total', { ...KUBELET, ...podLabels, container: 'POD' }, p.from, p.to, cumulative(() => 0.001, p.from));
  add('container_memory_working_set_bytes', { ...KUBELET, ...podLabels, container: 'POD' }, p.from, p.to, () => MiB);
  add('container_cpu_usage_seconds_total', { ...KUBELET, ...podLabels }, p.from, p.to, cumulative((t) => p.containers.reduce((s, k) => s + k.cpu(t), 0), p.from));
  add('container_memory_working_set_bytes', { ...KUBELET, ...podLabels }, p.from, p.to, (t) => p.containers.reduce((s, k) => s + k.mem(t), 0));
  // kube-state-metrics, from two replicas.
  for (const instance of KSM_REPLICAS) {
    const ksm = { job: 'kube-state-metrics', instance, ...podLabels };
    const owner = p.sts ? ['StatefulSet', p.sts] : ['ReplicaSet', p.rs];
    add('kube_pod_owner', { ...ksm, owner_kind: owner[0], owner_name: owner[1], owner_is_controller: 'true' }, p.from, p.to, () => 1);
    for (const k of p.containers) {
      const kl = { ...ksm, container: k.name };
      for (const [series_, values] of [['kube_pod_container_resource_requests', k.req], ['kube_pod_container_resource_limits', k.lim]]) {
        if (values[0] !== null) add(series_, { ...kl, resource: 'cpu', unit: 'core' }, p.from, p.to, () => values[0]);
        if (values[1] !== null) add(series_, { ...kl, resource: 'memory', unit: 'byte' }, p.from, p.to, () => values[1]);
      }
      if (p.oomKilledFrom !== undefined) add('kube_pod_container_status_last_terminated_reason', { ...kl, reason: 'OOMKilled' }, p.oomKilledFrom, p.to, () => 1);
    }
  }
}
for (const instance of KSM_REPLICAS) {
  for (const [rs, deploy] of new Map(pods.filter((p) => p.rs).map((p) => [p.rs, p.deploy]))) {
    add('kube_replicaset_owner', { job: 'kube-state-metrics', instance, namespace: NAMESPACE, replicaset: rs, owner_kind: 'Deployment', owner_name: deploy, owner_is_controller: 'true' }, start, end, () => 1);
  }
}

/** A counter of the integral of `perSecond` from `from`, in STEP-wide steps. */
function cumulative(perSecond, from) {
  let t0 = from, total = 0;
  return (t) => {
    for (; t0 < t; t0 += STEP) total += perSecond(t0) * STEP;
    return total;
  };
}

// The method (README, "Right-sizing"), applied to the model with the defaults.
const ceilTo = (v, step) => Math.ceil(v / step - 1e-9) * step;
const cpuQuantity = (cores) => {
  const m = Math.ceil(cores * 1000 - 1e-6);
  const r = ceilTo(m, m < 1000 ? 10 : 100);
  return r % 1000 === 0 ? String(r / 1000) : `${r}m`;
};
const memoryQuantity = (bytes) => {
  const mib = Math.ceil(bytes / MiB - 1e-9);
  const r = ceilTo(mib, mib < 1024 ? 16 : 128);
  return r % 1024 === 0 ? `${r / 1024}Gi` : `${r}Mi`;
};
const window = { from: anchor - 14 * DAY, to: anchor };
const live = (p) => p.from < window.to && p.to > window.from;
const expected = { anchor, start, end, step: STEP, namespace: NAMESPACE, workloads: {} };
for (const [kind, name] of [['Deployment', 'api'], ['Deployment', 'api-canary'], ['StatefulSet', 'cache'], ['Deployment', 'fresh']]) {
  const mine = pods.filter((p) => (kind === 'StatefulSet' ? p.sts === name : p.deploy === name));
  const containers = {};
  for (const c of [...new Set(mine.flatMap((p) => p.containers.map((k) => k.name)))]) {
    const runs = mine.filter(live).map((p) => ({ p, k: p.containers.find((k) => k.name === c) }));
    // The peak over the window's samples of every pod that ran in it.
    let peak = 0;
    for (const { p, k } of runs) {
      for (let t = Math.max(p.from, window.from); t < Math.min(p.to, window.to); t += GAUGE_STEP) peak = Math.max(peak, k.mem(t));
    }
    const oomKilled = runs.some(({ p }) => p.oomKilledFrom !== undefined && p.oomKilledFrom < window.to);
    const now = runs.filter(({ p }) => p.to > anchor).map(({ k }) => k);
    const current = (i, which) => (now.length === 0 || now[0][which][i] === null ? null : Math.max(...now.map((k) => k[which][i])));
    const memoryLimit = current(1, 'lim');
    const memoryBase = Math.max(peak, oomKilled ? memoryLimit ?? 0 : 0) * 1.15;
    const historyDays = Math.max(...runs.map(({ p }) => (Math.min(p.to, window.to) - Math.max(p.from, window.from)) / DAY));
    containers[c] = {
      // Only constant usage, or api's app with its cycle, has a percentile known by construction.
      cpuUsage: name === 'api' && c === 'app' ? API_CPU_P95 : Math.max(...now.map((k) => k.cpu(anchor))),
      memoryPeak: peak,
      oomKilled,
      historyDays,
      current: { cpuRequest: current(0, 'req'), cpuLimit: current(0, 'lim'), memoryRequest: current(1, 'req'), memoryLimit },
      enoughHistory: historyDays >= 1,
    };
    if (containers[c].enoughHistory) {
      containers[c].recommended = {
        cpuRequest: cpuQuantity(Math.max(containers[c].cpuUsage, 0.01)),
        memory: memoryQuantity(Math.max(memoryBase, 100 * MiB)),
      };
    }
  }
  expected.workloads[`${kind}/${name}`] = containers;
}

// Each series from its first step on the grid to before its end (a pod's last sample).
const lines = openMetricsLines(series, (s) => every(start + Math.ceil((s.from - start) / s.step) * s.step, Math.min(s.to - 1, end), s.step));

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'dataset.om'), lines.join('\n') + '\n');
writeFileSync(join(outDir, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
const samples = lines.filter((l) => !l.startsWith('#')).length;
console.log(`wrote ${series.length} series, ${samples} samples to ${outDir}/dataset.om (anchor ${anchor})`);
