// Writes the bundled Prometheus dataset as OpenMetrics text (for `promtool tsdb
// create-blocks-from openmetrics`) and, from the same model, the values a correct query must
// return (expected.json). The expectations come from this model, never from kubeprom's code.
//
// Usage: node tests/data/generate.mjs [OUT_DIR] [--anchor UNIX_SECONDS]
// The data runs from 8h before the anchor to 2h after it, every 30s, so "now" queries work for
// two hours after generation. The anchor defaults to now rounded down to 5 minutes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { every, openMetricsLines } from './openmetrics.mjs';

const MiB = 1024 * 1024;
const STEP = 30;

const args = process.argv.slice(2);
const outDir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--anchor') ?? 'tests/.work';
const anchorArg = args.indexOf('--anchor');
const anchor = anchorArg >= 0 ? Number(args[anchorArg + 1]) : Math.floor(Date.now() / 1000 / 300) * 300;
const start = anchor - 8 * 3600;
const end = anchor + 2 * 3600;
/** The CPU counter of db-0/postgres resets (container restart) here, between two samples. */
const resetAt = anchor - 4 * 3600 + 15;

const KUBELET = { job: 'kubelet', metrics_path: '/metrics/cadvisor', endpoint: 'https-metrics', service: 'kube-prometheus-stack-kubelet' };
const KSM_REPLICAS = ['10.0.0.11:8080', '10.0.0.12:8080'];
const NODES = { 'node-1': '10.0.1.1:10250', 'node-2': '10.0.1.2:10250' };

// Pods: real containers with their usage; owner is the direct owner, workload the top one.
const pods = [
  pod('shop', 'web-7d4b9c-abcde', 'node-1', ['ReplicaSet', 'web-7d4b9c'], ['Deployment', 'web'], [
    c('app', { mem: 200 * MiB, cpu: 0.25, req: [0.2, 256 * MiB], lim: [0.5, 512 * MiB], fs: [4096, 8192], thr: 0.1 }),
    c('sidecar', { mem: 50 * MiB, cpu: 0.05, req: [0.05, 64 * MiB], lim: [0.1, 128 * MiB], fs: [0, 1024], thr: 0 }),
  ], { rx: 125000, tx: 50000 }),
  pod('shop', 'web-7d4b9c-fghij', 'node-2', ['ReplicaSet', 'web-7d4b9c'], ['Deployment', 'web'], [
    c('app', { mem: 210 * MiB, cpu: 0.3, req: [0.2, 256 * MiB], lim: [0.5, 512 * MiB], fs: [2048, 4096], thr: 0.2 }),
    c('sidecar', { mem: 40 * MiB, cpu: 0.04, req: [0.05, 64 * MiB], lim: [0.1, 128 * MiB], fs: [0, 512], thr: 0 }),
  ], { rx: 100000, tx: 40000 }),
  pod('shop', 'web-api-5f6d8-xyz12', 'node-1', ['ReplicaSet', 'web-api-5f6d8'], ['Deployment', 'web-api'], [
    c('app', { mem: 300 * MiB, cpu: 0.1, req: [0.1, 256 * MiB], lim: [1, 1024 * MiB], fs: [1024, 1024], thr: 0 }),
  ], { rx: 20000, tx: 30000 }),
  pod('shop', 'db-0', 'node-2', ['StatefulSet', 'db'], ['StatefulSet', 'db'], [
    c('postgres', { mem: 1024 * MiB, cpu: 0.5, req: [0.5, 1024 * MiB], lim: [2, 1280 * MiB], fs: [65536, 131072], thr: 0.05, restarts: 3, reason: 'OOMKilled', reset: true }),
  ], { rx: 400000, tx: 300000 }),
  pod('batch', 'nightly-29000000-q8x7z', 'node-1', ['Job', 'nightly-29000000'], ['CronJob', 'nightly'], [
    c('worker', { mem: 512 * MiB, cpu: 1, req: [1, 512 * MiB], lim: [2, 1024 * MiB], fs: [1 << 20, 1 << 19], thr: 0.3, restarts: 1, reason: 'Error' }),
  ], { rx: 5000, tx: 5000 }),
  pod('batch', 'node-agent-aaaaa', 'node-1', ['DaemonSet', 'node-agent'], ['DaemonSet', 'node-agent'], [
    c('agent', { mem: 64 * MiB, cpu: 0.02, req: [0.01, 32 * MiB], lim: [0.1, 128 * MiB], fs: [0, 0], thr: 0 }),
  ], { rx: 1000, tx: 1000 }),
  pod('batch', 'node-agent-bbbbb', 'node-2', ['DaemonSet', 'node-agent'], ['DaemonSet', 'node-agent'], [
    c('agent', { mem: 60 * MiB, cpu: 0.03, req: [0.01, 32 * MiB], lim: [0.1, 128 * MiB], fs: [0, 0], thr: 0 }),
  ], { rx: 1000, tx: 1000 }),
];

function pod(namespace, name, node, owner, workload, containers, net) {
  return { namespace, name, node, owner, workload, containers, net, uid: `uid-${name}` };
}
function c(name, usage) {
  // `waiting`: the reason the container waits to run (kube-state-metrics reports only waiting
  // containers); every modelled container runs now.
  return { name, restarts: 0, reason: null, reset: false, waiting: null, ...usage };
}

const series = []; // { name, labels, at: (t) => value }
const add = (name, labels, at) => series.push({ name, labels, at });

for (const p of pods) {
  const base = { ...KUBELET, instance: NODES[p.node], node: p.node, namespace: p.namespace, pod: p.name };
  const podId = `/kubepods/burstable/pod${p.uid}`;
  const podMem = p.containers.reduce((s, k) => s + k.mem, 0);
  const podCpu = p.containers.reduce((s, k) => s + k.cpu, 0);
  for (const k of p.containers) {
    const labels = { ...base, container: k.name, id: `${podId}/${k.name}`, image: `example.com/${k.name}:1.0`, name: `${p.name}-${k.name}` };
    add('container_memory_working_set_bytes', labels, () => k.mem);
    add('container_memory_rss', labels, () => Math.round(k.mem * 0.8));
    add('container_memory_cache', labels, () => Math.round(k.mem * 0.1));
    add('container_memory_swap', labels, () => 0);
    add('container_cpu_usage_seconds_total', { ...labels, cpu: 'total' }, (t) =>
      k.reset && t >= resetAt ? k.cpu * (t - resetAt) : k.cpu * (t - start) + 1000);
    add('container_cpu_cfs_periods_total', labels, (t) => 10 * (t - start));
    add('container_cpu_cfs_throttled_periods_total', labels, (t) => 10 * k.thr * (t - start));
    add('container_fs_reads_bytes_total', { ...labels, device: '/dev/vda' }, (t) => k.fs[0] * (t - start));
    add('container_fs_writes_bytes_total', { ...labels, device: '/dev/vda' }, (t) => k.fs[1] * (t - start));
  }
  // The pod-level cgroup: Prometheus drops the empty container label, so it has none.
  const podLevel = { ...base, id: podId };
  add('container_memory_working_set_bytes', podLevel, () => podMem + 6 * MiB);
  add('container_cpu_usage_seconds_total', { ...podLevel, cpu: 'total' }, (t) => (podCpu + 0.01) * (t - start));
  add('container_fs_reads_bytes_total', { ...podLevel, device: '/dev/vda' }, (t) => 2 * p.containers.reduce((s, k) => s + k.fs[0], 0) * (t - start));
  // The pause container.
  const pause = { ...base, container: 'POD', id: `${podId}/pause`, image: 'registry.k8s.io/pause:3.9', name: `${p.name}-pause` };
  add('container_memory_working_set_bytes', pause, () => 1 * MiB);
  add('container_cpu_usage_seconds_total', { ...pause, cpu: 'total' }, (t) => 0.001 * (t - start));
  // Network is per pod: containers share the pod's network namespace.
  for (const [iface, share] of [['eth0', 1]]) {
    add('container_network_receive_bytes_total', { ...podLevel, interface: iface }, (t) => p.net.rx * share * (t - start));
    add('container_network_transmit_bytes_total', { ...podLevel, interface: iface }, (t) => p.net.tx * share * (t - start));
  }
  // kube-state-metrics, scraped from two replicas.
  for (const instance of KSM_REPLICAS) {
    const ksm = { job: 'kube-state-metrics', instance, endpoint: 'http', service: 'kube-prometheus-stack-kube-state-metrics', namespace: p.namespace, pod: p.name, uid: p.uid };
    add('kube_pod_info', { ...ksm, node: p.node, host_ip: NODES[p.node].split(':')[0], created_by_kind: p.owner[0], created_by_name: p.owner[1] }, () => 1);
    add('kube_pod_owner', { ...ksm, owner_kind: p.owner[0], owner_name: p.owner[1], owner_is_controller: 'true' }, () => 1);
    for (const k of p.containers) {
      const kl = { ...ksm, container: k.name };
      add('kube_pod_container_status_restarts_total', kl, () => k.restarts);
      if (k.reason) add('kube_pod_container_status_last_terminated_reason', { ...kl, reason: k.reason }, () => 1);
      if (k.waiting) add('kube_pod_container_status_waiting_reason', { ...kl, reason: k.waiting }, () => 1);
      add('kube_pod_container_resource_requests', { ...kl, node: p.node, resource: 'cpu', unit: 'core' }, () => k.req[0]);
      add('kube_pod_container_resource_requests', { ...kl, node: p.node, resource: 'memory', unit: 'byte' }, () => k.req[1]);
      add('kube_pod_container_resource_limits', { ...kl, node: p.node, resource: 'cpu', unit: 'core' }, () => k.lim[0]);
      add('kube_pod_container_resource_limits', { ...kl, node: p.node, resource: 'memory', unit: 'byte' }, () => k.lim[1]);
    }
  }
}
// Ownership above pods: ReplicaSets of Deployments and Jobs of CronJobs.
for (const instance of KSM_REPLICAS) {
  const ksm = { job: 'kube-state-metrics', instance, endpoint: 'http', service: 'kube-prometheus-stack-kube-state-metrics' };
  add('kube_replicaset_owner', { ...ksm, namespace: 'shop', replicaset: 'web-7d4b9c', owner_kind: 'Deployment', owner_name: 'web', owner_is_controller: 'true' }, () => 1);
  add('kube_replicaset_owner', { ...ksm, namespace: 'shop', replicaset: 'web-api-5f6d8', owner_kind: 'Deployment', owner_name: 'web-api', owner_is_controller: 'true' }, () => 1);
  add('kube_job_owner', { ...ksm, namespace: 'batch', job_name: 'nightly-29000000', owner_kind: 'CronJob', owner_name: 'nightly', owner_is_controller: 'true' }, () => 1);
}

// An application's own per-pod metrics (custom metrics): each web pod's app container serves a
// queue depth per queue and a processed-orders counter per status code; its sidecar serves a
// queue depth of its own. Two jobs scrape the same endpoints (a PodMonitor and a leftover
// ServiceMonitor), so every series arrives twice.
const ordersApp = {
  'web-7d4b9c-abcde': { ip: '10.0.3.1', depth: { email: 4, payment: 7 }, sidecarDepth: 2, processed: { 200: 12.5, 500: 0.5 } },
  'web-7d4b9c-fghij': { ip: '10.0.3.2', depth: { email: 1, payment: 0 }, sidecarDepth: 5, processed: { 200: 8, 500: 0.25 } },
};
const ORDERS_SCRAPES = [
  { job: 'shop/web', endpoint: 'metrics' },
  { job: 'web-legacy', endpoint: 'http-metrics', service: 'web' },
];
for (const [podName, app] of Object.entries(ordersApp)) {
  for (const scrape of ORDERS_SCRAPES) {
    const appTarget = { ...scrape, namespace: 'shop', pod: podName, container: 'app', instance: `${app.ip}:8080` };
    const sidecarTarget = { ...scrape, namespace: 'shop', pod: podName, container: 'sidecar', instance: `${app.ip}:9090` };
    for (const [queue, depth] of Object.entries(app.depth)) add('orders_queue_depth', { ...appTarget, queue }, () => depth);
    add('orders_queue_depth', { ...sidecarTarget, queue: 'retry' }, () => app.sidecarDepth);
    for (const [code, perSecond] of Object.entries(app.processed)) {
      add('orders_processed_total', { ...appTarget, code }, (t) => perSecond * (t - start));
    }
  }
}

// Kueue: the leader's numbers, and a follower replica whose stale gauges must not be counted.
const kueue = {
  pending: { 'cq-gpu': { active: 12, inadmissible: 3 }, 'cq-cpu': { active: 4, inadmissible: 0 } },
  admittedPerSecond: { 'cq-gpu': 0.1, 'cq-cpu': 0.5 },
  // Admissions per second falling in each wait bucket (upper bound in seconds).
  waitBuckets: { 'cq-gpu': [[1, 0.01], [2.5, 0.01], [5, 0.02], [10, 0.02], [25, 0.02], [50, 0.01], [100, 0.01]], 'cq-cpu': [[1, 0.3], [2.5, 0.1], [5, 0.05], [10, 0.05], [25, 0], [50, 0], [100, 0]] },
};
const KUEUE_TARGET = { job: 'kueue-controller-manager-metrics-service', namespace: 'kueue-system', service: 'kueue-controller-manager-metrics-service', endpoint: 'https' };
for (const [cq, byStatus] of Object.entries(kueue.pending)) {
  for (const [status, n] of Object.entries(byStatus)) {
    add('kueue_pending_workloads', { ...KUEUE_TARGET, instance: '10.0.2.1:8443', pod: 'kueue-controller-manager-0', replica_role: 'leader', cluster_queue: cq, status }, () => n);
    add('kueue_pending_workloads', { ...KUEUE_TARGET, instance: '10.0.2.2:8443', pod: 'kueue-controller-manager-1', replica_role: 'follower', cluster_queue: cq, status }, () => 99);
  }
  const leader = { ...KUEUE_TARGET, instance: '10.0.2.1:8443', pod: 'kueue-controller-manager-0', replica_role: 'leader', cluster_queue: cq };
  add('kueue_admitted_workloads_total', leader, (t) => kueue.admittedPerSecond[cq] * (t - start));
  let cumulative = 0;
  for (const [le, perSecond] of kueue.waitBuckets[cq]) {
    cumulative += perSecond;
    const r = cumulative;
    add('kueue_admission_wait_time_seconds_bucket', { ...leader, priority_class: '', le: String(le) }, (t) => r * (t - start));
  }
  add('kueue_admission_wait_time_seconds_bucket', { ...leader, priority_class: '', le: '+Inf' }, (t) => cumulative * (t - start));
}
// Kueue's local queues (LocalQueueMetrics gate): they split their cluster queue's numbers. The
// same queue name in two namespaces must stay two queues. Kueue labels these series with the
// local queue's `namespace`; scraped as Kueue's Helm chart does (a ServiceMonitor without
// honorLabels), Prometheus renames it `exported_namespace` and `namespace` is the target's.
const localQueues = [
  { namespace: 'team-a', name: 'gpu-jobs', clusterQueue: 'cq-gpu', pending: { active: 9, inadmissible: 1 }, admittedActive: 3, waitBuckets: [[1, 0.01], [2.5, 0.01], [5, 0.02], [10, 0.015], [25, 0], [50, 0], [100, 0]] },
  { namespace: 'team-b', name: 'gpu-jobs', clusterQueue: 'cq-gpu', pending: { active: 3, inadmissible: 2 }, admittedActive: 1, waitBuckets: [[1, 0], [2.5, 0], [5, 0], [10, 0.005], [25, 0.02], [50, 0.01], [100, 0.01]] },
  { namespace: 'team-a', name: 'cpu-jobs', clusterQueue: 'cq-cpu', pending: { active: 4, inadmissible: 0 }, admittedActive: 6, waitBuckets: kueue.waitBuckets['cq-cpu'] },
];
for (const lq of localQueues) {
  // Admissions per second are the histogram's rate, as in Kueue where both count the same events.
  lq.admittedPerSecond = lq.waitBuckets.reduce((s, [, r]) => s + r, 0);
}
for (const cq of Object.keys(kueue.pending)) {
  const mine = localQueues.filter((lq) => lq.clusterQueue === cq);
  for (const status of Object.keys(kueue.pending[cq])) {
    if (mine.reduce((s, lq) => s + lq.pending[status], 0) !== kueue.pending[cq][status]) throw new Error(`local queues of ${cq} do not add up to its ${status} pending`);
  }
  if (Math.abs(mine.reduce((s, lq) => s + lq.admittedPerSecond, 0) - kueue.admittedPerSecond[cq]) > 1e-12) throw new Error(`local queues of ${cq} do not add up to its admissions`);
}
for (const lq of localQueues) {
  const lqTarget = { ...KUEUE_TARGET, exported_namespace: lq.namespace, name: lq.name };
  const leader = { ...lqTarget, instance: '10.0.2.1:8443', pod: 'kueue-controller-manager-0', replica_role: 'leader' };
  for (const [status, n] of Object.entries(lq.pending)) {
    add('kueue_local_queue_pending_workloads', { ...leader, status }, () => n);
    add('kueue_local_queue_pending_workloads', { ...lqTarget, instance: '10.0.2.2:8443', pod: 'kueue-controller-manager-1', replica_role: 'follower', status }, () => 99);
  }
  add('kueue_local_queue_admitted_active_workloads', leader, () => lq.admittedActive);
  add('kueue_local_queue_admitted_workloads_total', { ...leader, priority_class: '' }, (t) => lq.admittedPerSecond * (t - start));
  let cumulative = 0;
  for (const [le, perSecond] of lq.waitBuckets) {
    cumulative += perSecond;
    const r = cumulative;
    add('kueue_local_queue_admission_wait_time_seconds_bucket', { ...leader, priority_class: '', le: String(le) }, (t) => r * (t - start));
  }
  add('kueue_local_queue_admission_wait_time_seconds_bucket', { ...leader, priority_class: '', le: '+Inf' }, (t) => cumulative * (t - start));
}

// Kueue 0.18+: unadmitted workloads by reason and cause (UnadmittedWorkloadsObservability gate),
// pending resource requests, and the wait histograms of each stage. Local queues hold the model;
// each cluster queue is the sum of its local queues. A workload with its quota reserved has no
// underlying cause, and Kueue's empty label value means no such label in Prometheus.
const STAGE_BOUNDS = [1, 2.5, 5, 10, 25, 50, 100];
const stages = (perBucket) => perBucket.map((r, i) => [STAGE_BOUNDS[i], r]);
const current = {
  'team-a/gpu-jobs': {
    unadmitted: [['NoReservation', 'WaitingForQuota', 8], ['NoReservation', 'NoMatchingFlavor', 1], ['NoReservation', 'PendingEvaluation', 1], ['UnsatisfiedAdmissionChecks', '', 2]],
    quotaReservedWait: stages([0.02, 0.02, 0.02, 0.01, 0, 0, 0]),
    admissionChecksWait: stages([0.03, 0.015, 0.01, 0, 0, 0, 0]),
    readyWait: stages([0, 0, 0.01, 0.02, 0.015, 0.005, 0]),
    admittedUntilReadyWait: stages([0.01, 0.01, 0.02, 0.01, 0, 0, 0]),
  },
  'team-b/gpu-jobs': {
    unadmitted: [['NoReservation', 'WaitingForQuota', 3], ['NoReservation', 'NoMatchingFlavor', 2]],
    quotaReservedWait: stages([0, 0, 0.01, 0.01, 0.02, 0.01, 0]),
    admissionChecksWait: stages([0.02, 0.015, 0.005, 0.005, 0, 0, 0]),
    readyWait: stages([0, 0, 0, 0.005, 0.01, 0.02, 0.005]),
    admittedUntilReadyWait: stages([0, 0.01, 0.02, 0.01, 0, 0, 0]),
  },
  'team-a/cpu-jobs': {
    unadmitted: [['NoReservation', 'WaitingForQuota', 4]],
    quotaReservedWait: stages([0.35, 0.1, 0.05, 0, 0, 0, 0]),
    admissionChecksWait: stages([0.5, 0, 0, 0, 0, 0, 0]),
    readyWait: stages([0.1, 0.2, 0.1, 0.1, 0, 0, 0]),
    admittedUntilReadyWait: stages([0.3, 0.15, 0.05, 0, 0, 0, 0]),
  },
};
const STAGES = { quotaReservedWait: 'quota_reserved_wait_time', admissionChecksWait: 'admission_checks_wait_time', readyWait: 'ready_wait_time', admittedUntilReadyWait: 'admitted_until_ready_wait_time' };
const pendingResources = {
  'cq-gpu': { cpu: 96, memory: 384 * 2 ** 30, 'nvidia.com/gpu': 16 },
  'cq-cpu': { cpu: 16, memory: 64 * 2 ** 30 },
};
for (const lq of localQueues) {
  const model = current[`${lq.namespace}/${lq.name}`];
  // Workloads without a quota reservation are the pending ones.
  const noReservation = model.unadmitted.filter(([reason]) => reason === 'NoReservation').reduce((s, [, , n]) => s + n, 0);
  if (noReservation !== lq.pending.active + lq.pending.inadmissible) throw new Error(`${lq.namespace}/${lq.name}: unadmitted without reservation is not its pending`);
  // Quota is reserved before admission and checks end at admission: both are admissions here.
  const observed = (b) => b.reduce((s, [, r]) => s + r, 0);
  if (Math.abs(observed(model.admissionChecksWait) - lq.admittedPerSecond) > 1e-12) throw new Error(`${lq.namespace}/${lq.name}: admission checks are not its admissions`);
  Object.assign(lq, model);
}
const sumBuckets = (list) => STAGE_BOUNDS.map((le, i) => [le, list.reduce((s, b) => s + b[i][1], 0)]);
const byClusterQueue = Object.fromEntries(Object.keys(kueue.pending).map((cq) => {
  const mine = localQueues.filter((lq) => lq.clusterQueue === cq);
  const unadmitted = {};
  for (const lq of mine) for (const [reason, cause, n] of lq.unadmitted) unadmitted[`${reason}/${cause}`] = (unadmitted[`${reason}/${cause}`] ?? 0) + n;
  return [cq, { unadmitted, ...Object.fromEntries(Object.keys(STAGES).map((k) => [k, sumBuckets(mine.map((lq) => lq[k]))])) }];
}));
const addStage = (name, labels, buckets) => {
  let cumulative = 0;
  for (const [le, perSecond] of buckets) {
    cumulative += perSecond;
    const r = cumulative;
    add(name, { ...labels, priority_class: '', le: String(le) }, (t) => r * (t - start));
  }
  add(name, { ...labels, priority_class: '', le: '+Inf' }, (t) => cumulative * (t - start));
};
for (const cq of Object.keys(kueue.pending)) {
  const leader = { ...KUEUE_TARGET, instance: '10.0.2.1:8443', pod: 'kueue-controller-manager-0', replica_role: 'leader', cluster_queue: cq };
  const follower = { ...KUEUE_TARGET, instance: '10.0.2.2:8443', pod: 'kueue-controller-manager-1', replica_role: 'follower', cluster_queue: cq };
  for (const [key, n] of Object.entries(byClusterQueue[cq].unadmitted)) {
    const [reason, cause] = key.split('/');
    const labels = cause ? { reason, underlying_cause: cause } : { reason };
    add('kueue_unadmitted_workloads', { ...leader, ...labels }, () => n);
    add('kueue_unadmitted_workloads', { ...follower, ...labels }, () => 99);
  }
  for (const [resource, v] of Object.entries(pendingResources[cq])) {
    add('kueue_cluster_queue_resource_pending', { ...leader, resource }, () => v);
    add('kueue_cluster_queue_resource_pending', { ...follower, resource }, () => 99);
  }
  for (const [k, name] of Object.entries(STAGES)) addStage(`kueue_${name}_seconds_bucket`, leader, byClusterQueue[cq][k]);
}
for (const lq of localQueues) {
  const lqTarget = { ...KUEUE_TARGET, exported_namespace: lq.namespace, name: lq.name, cluster_queue: lq.clusterQueue };
  const leader = { ...lqTarget, instance: '10.0.2.1:8443', pod: 'kueue-controller-manager-0', replica_role: 'leader' };
  for (const [reason, cause, n] of lq.unadmitted) {
    const labels = cause ? { reason, underlying_cause: cause } : { reason };
    add('kueue_local_queue_unadmitted_workloads', { ...leader, ...labels }, () => n);
    add('kueue_local_queue_unadmitted_workloads', { ...lqTarget, instance: '10.0.2.2:8443', pod: 'kueue-controller-manager-1', replica_role: 'follower', ...labels }, () => 99);
  }
  const { cluster_queue: _, ...histogramLabels } = leader;
  for (const [k, name] of Object.entries(STAGES)) addStage(`kueue_local_queue_${name}_seconds_bucket`, histogramLabels, lq[k]);
}

// Operators: controller-runtime metrics from KubeRay and Kueue; the Spark operator is down.
const operators = [
  { job: 'kuberay-operator', namespace: 'ray-system', instance: '10.0.3.1:8080', up: 1, controllers: { 'raycluster-controller': { success: 2, error: 0.1, requeue: 0.5, depth: 5 }, 'rayjob-controller': { success: 0.2, error: 0, requeue: 0, depth: 0 } } },
  { job: 'kueue-controller-manager-metrics-service', namespace: 'kueue-system', instance: '10.0.2.1:8443', up: 1, controllers: { workload_controller: { success: 5, error: 0.25, requeue: 1, depth: 2 } } },
  { job: 'spark-operator', namespace: 'spark-operator', instance: '10.0.4.1:8080', up: 0, controllers: {} },
];
for (const op of operators) {
  const target = { job: op.job, namespace: op.namespace, instance: op.instance };
  for (const [controller, r] of Object.entries(op.controllers)) {
    for (const result of ['success', 'error', 'requeue']) {
      add('controller_runtime_reconcile_total', { ...target, controller, result }, (t) => r[result] * (t - start));
    }
    add('controller_runtime_reconcile_errors_total', { ...target, controller }, (t) => r.error * (t - start));
    add('workqueue_depth', { ...target, controller, name: controller }, () => r.depth);
  }
}
// controller-runtime's reconcile time histogram and busy workers for the same controllers (the
// Spark operator, down, has none). Each controller's reconciles per second fall in these
// buckets (upper bound in seconds, controller-runtime's default bounds) and add up to its
// reconcile rate, as both count the same reconciles. raycluster-controller has a slow tail.
const RECONCILE_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
const controllerRuntime = {
  'kuberay-operator': {
    'raycluster-controller': { activeWorkers: 3, latency: { 0.01: 0.5, 0.025: 0.8, 0.05: 0.6, 0.1: 0.3, 0.25: 0.2, 1: 0.1, 5: 0.03, 10: 0.02, 15: 0.05 } },
    'rayjob-controller': { activeWorkers: 0, latency: { 0.005: 0.05, 0.01: 0.1, 0.025: 0.05 } },
  },
  'kueue-controller-manager-metrics-service': {
    workload_controller: { activeWorkers: 1, latency: { 0.005: 2, 0.01: 2.5, 0.025: 1, 0.05: 0.5, 0.1: 0.2, 0.25: 0.05 } },
  },
};
for (const op of operators) {
  const target = { job: op.job, namespace: op.namespace, instance: op.instance };
  for (const [controller, r] of Object.entries(op.controllers)) {
    const cr = controllerRuntime[op.job][controller];
    cr.buckets = RECONCILE_BOUNDS.map((le) => [le, cr.latency[le] ?? 0]);
    const total = cr.buckets.reduce((s, [, x]) => s + x, 0);
    if (Math.abs(total - (r.success + r.error + r.requeue)) > 1e-9) throw new Error(`${op.job} ${controller}: reconcile time buckets do not add up to its reconciles`);
    add('controller_runtime_active_workers', { ...target, controller }, () => cr.activeWorkers);
    let cumulative = 0;
    for (const [le, perSecond] of cr.buckets) {
      cumulative += perSecond;
      const c = cumulative;
      add('controller_runtime_reconcile_time_seconds_bucket', { ...target, controller, le: String(le) }, (t) => c * (t - start));
    }
    add('controller_runtime_reconcile_time_seconds_bucket', { ...target, controller, le: '+Inf' }, (t) => cumulative * (t - start));
  }
}

// KubeRay (--enable-metrics): seconds until each RayCluster was provisioned, labelled `name` and
// `namespace` (the RayCluster's). Scraped with honorLabels, as here, `namespace` stays the
// RayCluster's; without it Prometheus renames it `exported_namespace` (see Kueue's local queues).
const rayClusters = [
  { namespace: 'ml-team', name: 'raycluster-small', seconds: 45.5 },
  { namespace: 'ml-team', name: 'raycluster-gpu', seconds: 312.25 },
  { namespace: 'research', name: 'ray-dev', seconds: 88 },
];
for (const rc of rayClusters) {
  add('kuberay_cluster_provisioned_duration_seconds', { job: 'kuberay-operator', instance: '10.0.3.1:8080', namespace: rc.namespace, name: rc.name }, () => rc.seconds);
}

// Spark operator (kubeflow/spark-operator) application metrics, labelled with the Helm chart's
// default --metrics-labels=app_type. Its `up` stays 0 above (the "down operator" the alerts and
// the operator views are tested with); these series stand for what it exports when scraped, so
// the Spark panels are checked against numbers. Start latency uses the chart's default buckets;
// each application's start is observed once, so its rate is the submission rate.
const SPARK_TARGET = { job: 'spark-operator', namespace: 'spark-operator', instance: '10.0.4.1:8080' };
const SPARK_BOUNDS = [30, 60, 90, 120, 150, 180, 210, 240, 270, 300];
const sparkApps = {
  etl: { submit: 0.02, success: 0.018, failure: 0.002, running: 7, startLatency: { 30: 0.008, 60: 0.006, 90: 0.003, 120: 0.002, 180: 0.001 } },
  ml: { submit: 0.005, success: 0.004, failure: 0.001, running: 2, startLatency: { 60: 0.001, 120: 0.002, 240: 0.0015, 300: 0.0005 } },
};
for (const [appType, a] of Object.entries(sparkApps)) {
  const l = { ...SPARK_TARGET, app_type: appType };
  a.buckets = SPARK_BOUNDS.map((le) => [le, a.startLatency[le] ?? 0]);
  if (Math.abs(a.buckets.reduce((s, [, x]) => s + x, 0) - a.submit) > 1e-12) throw new Error(`spark ${appType}: start latencies do not add up to its submissions`);
  add('spark_application_count', l, (t) => a.submit * (t - start));
  add('spark_application_submit_count', l, (t) => a.submit * (t - start));
  add('spark_application_success_count', l, (t) => a.success * (t - start));
  add('spark_application_failure_count', l, (t) => a.failure * (t - start));
  add('spark_application_running_count', l, () => a.running);
  let cumulative = 0;
  for (const [le, perSecond] of a.buckets) {
    cumulative += perSecond;
    const c = cumulative;
    add('spark_application_start_latency_seconds_histogram_bucket', { ...l, le: String(le) }, (t) => c * (t - start));
  }
  add('spark_application_start_latency_seconds_histogram_bucket', { ...l, le: '+Inf' }, (t) => cumulative * (t - start));
}

// Kueue's other cluster queue families, leader and stale follower as above. Admitted active
// workloads are the local queues' sums; quota reservations run a little ahead of admissions
// (admission checks); evictions by Kueue's reasons.
const kueueMore = {
  quotaReservedPerSecond: { 'cq-gpu': 0.12, 'cq-cpu': 0.5 },
  evictedPerSecond: { 'cq-gpu': { Preempted: 0.02, PodsReadyTimeout: 0.005 }, 'cq-cpu': { Preempted: 0.01 } },
  // Seconds from an eviction's start to its end (kueue_workload_eviction_latency_seconds, Kueue
  // 0.18+), per cluster queue and reason: evictions finished per second in each stage bucket,
  // every eviction of evictedPerSecond finishing.
  evictionLatency: {
    'cq-gpu': { Preempted: stages([0.01, 0.005, 0.005, 0, 0, 0, 0]), PodsReadyTimeout: stages([0, 0, 0, 0.002, 0.003, 0, 0]) },
    'cq-cpu': { Preempted: stages([0.006, 0.004, 0, 0, 0, 0, 0]) },
  },
  admittedActive: Object.fromEntries(Object.keys(kueue.pending).map((cq) => [cq, localQueues.filter((lq) => lq.clusterQueue === cq).reduce((s, lq) => s + lq.admittedActive, 0)])),
};
for (const cq of Object.keys(kueue.pending)) {
  const leader = { ...KUEUE_TARGET, instance: '10.0.2.1:8443', pod: 'kueue-controller-manager-0', replica_role: 'leader', cluster_queue: cq };
  const follower = { ...KUEUE_TARGET, instance: '10.0.2.2:8443', pod: 'kueue-controller-manager-1', replica_role: 'follower', cluster_queue: cq };
  add('kueue_quota_reserved_workloads_total', leader, (t) => kueueMore.quotaReservedPerSecond[cq] * (t - start));
  for (const [reason, perSecond] of Object.entries(kueueMore.evictedPerSecond[cq])) {
    add('kueue_evicted_workloads_total', { ...leader, reason }, (t) => perSecond * (t - start));
    const latency = kueueMore.evictionLatency[cq][reason];
    if (Math.abs(latency.reduce((sum, [, r]) => sum + r, 0) - perSecond) > 1e-12) throw new Error(`${cq}/${reason}: eviction latencies are not its evictions`);
    addStage('kueue_workload_eviction_latency_seconds_bucket', { ...leader, reason }, latency);
  }
  add('kueue_admitted_active_workloads', leader, () => kueueMore.admittedActive[cq]);
  add('kueue_admitted_active_workloads', follower, () => 99);
}

const up = {
  kubelet: [1, 1],
  'kube-state-metrics': [1, 1],
  'kueue-controller-manager-metrics-service': [1],
  'kuberay-operator': [1],
  'spark-operator': [0],
};
add('up', { job: 'kubelet', instance: NODES['node-1'], namespace: 'kube-system', metrics_path: '/metrics/cadvisor' }, () => 1);
add('up', { job: 'kubelet', instance: NODES['node-2'], namespace: 'kube-system', metrics_path: '/metrics/cadvisor' }, () => 1);
for (const instance of KSM_REPLICAS) add('up', { job: 'kube-state-metrics', instance, namespace: 'monitoring' }, () => 1);
for (const op of operators) add('up', { job: op.job, instance: op.instance, namespace: op.namespace }, () => op.up);

const lines = openMetricsLines(series, () => every(start, end, STEP));

// What correct queries return, from the model.
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const expected = {
  anchor, start, end, step: STEP, resetAt,
  pods: Object.fromEntries(pods.map((p) => [`${p.namespace}/${p.name}`, {
    namespace: p.namespace, pod: p.name, node: p.node,
    owner: { kind: p.owner[0], name: p.owner[1] }, workload: { kind: p.workload[0], name: p.workload[1] },
    containers: Object.fromEntries(p.containers.map((k) => [k.name, { memory: k.mem, cpu: k.cpu }])),
    memoryWorkingSet: sum(p.containers.map((k) => k.mem)),
    memoryRss: sum(p.containers.map((k) => Math.round(k.mem * 0.8))),
    cpu: sum(p.containers.map((k) => k.cpu)),
    throttling: sum(p.containers.map((k) => 10 * k.thr)) / (10 * p.containers.length),
    restarts: sum(p.containers.map((k) => k.restarts)),
    lastTerminatedReason: Object.fromEntries(p.containers.filter((k) => k.reason).map((k) => [k.name, k.reason])),
    cpuRequests: sum(p.containers.map((k) => k.req[0])), memoryRequests: sum(p.containers.map((k) => k.req[1])),
    cpuLimits: sum(p.containers.map((k) => k.lim[0])), memoryLimits: sum(p.containers.map((k) => k.lim[1])),
    networkReceive: p.net.rx, networkTransmit: p.net.tx,
    fsRead: sum(p.containers.map((k) => k.fs[0])), fsWrite: sum(p.containers.map((k) => k.fs[1])),
  }])),
  workloads: {},
  nodes: {},
  kueue: {
    pending: kueue.pending,
    admittedPerSecond: kueue.admittedPerSecond,
    admissionWait: Object.fromEntries(Object.entries(kueue.waitBuckets).map(([cq, b]) => [cq, { p50: histogramQuantile(0.5, b), p95: histogramQuantile(0.95, b) }])),
    // Keyed "namespace/name".
    localQueues: Object.fromEntries(localQueues.map((lq) => [`${lq.namespace}/${lq.name}`, {
      namespace: lq.namespace, name: lq.name, clusterQueue: lq.clusterQueue,
      pending: lq.pending, admittedActive: lq.admittedActive, admittedPerSecond: lq.admittedPerSecond,
      admissionWait: { p50: histogramQuantile(0.5, lq.waitBuckets), p95: histogramQuantile(0.95, lq.waitBuckets) },
      unadmitted: Object.fromEntries(lq.unadmitted.map(([reason, cause, n]) => [`${reason}/${cause}`, n])),
      stageWait: stageQuantiles(lq),
    }])),
    quotaReservedPerSecond: kueueMore.quotaReservedPerSecond,
    // Per cluster queue and reason.
    evictedPerSecond: kueueMore.evictedPerSecond,
    // Per cluster queue and reason: p50 and p95 of the eviction latency.
    evictionLatency: Object.fromEntries(Object.entries(kueueMore.evictionLatency).map(([cq, byReason]) => [cq, Object.fromEntries(Object.entries(byReason).map(([reason, b]) => [reason, { p50: histogramQuantile(0.5, b), p95: histogramQuantile(0.95, b) }]))])),
    admittedActive: kueueMore.admittedActive,
    // Per cluster queue, "reason/underlying_cause" (empty when quota is reserved) -> workloads.
    unadmitted: Object.fromEntries(Object.entries(byClusterQueue).map(([cq, m]) => [cq, m.unadmitted])),
    // Per cluster queue and resource, in the resource's base unit.
    pendingResources,
    // Per cluster queue and stage (quotaReservedWait, ...): p50 and p95.
    stageWait: Object.fromEntries(Object.entries(byClusterQueue).map(([cq, m]) => [cq, stageQuantiles(m)])),
  },
  // Containers waiting to run now, "namespace/pod/container" -> reason.
  waitingReason: Object.fromEntries(pods.flatMap((p) => p.containers.filter((k) => k.waiting).map((k) => [`${p.namespace}/${p.name}/${k.name}`, k.waiting]))),
  operators: Object.fromEntries(operators.map((op) => [op.job, op.controllers])),
  // controller-runtime per job and controller: busy workers and reconcile time quantiles.
  controllerRuntime: Object.fromEntries(Object.entries(controllerRuntime).map(([job, cs]) => [job, Object.fromEntries(Object.entries(cs).map(([controller, cr]) => [controller, {
    activeWorkers: cr.activeWorkers,
    reconcileLatency: { p50: histogramQuantile(0.5, cr.buckets), p95: histogramQuantile(0.95, cr.buckets), p99: histogramQuantile(0.99, cr.buckets) },
  }]))])),
  // Keyed "namespace/name".
  kuberay: { provisionedSeconds: Object.fromEntries(rayClusters.map((rc) => [`${rc.namespace}/${rc.name}`, rc.seconds])) },
  // Per scrape job (the catalog's default grouping), summed over app_type.
  spark: {
    [SPARK_TARGET.job]: {
      submitPerSecond: sum(Object.values(sparkApps).map((a) => a.submit)),
      successPerSecond: sum(Object.values(sparkApps).map((a) => a.success)),
      failurePerSecond: sum(Object.values(sparkApps).map((a) => a.failure)),
      running: sum(Object.values(sparkApps).map((a) => a.running)),
      startLatency: Object.fromEntries([[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']].map(([q, k]) => [k, histogramQuantile(q, SPARK_BOUNDS.map((le) => [le, sum(Object.values(sparkApps).map((a) => a.startLatency[le] ?? 0))]))])),
    },
  },
  up,
  // The application's own metrics, keyed "namespace/pod": each series once, summed per pod.
  orders: Object.fromEntries(Object.entries(ordersApp).map(([podName, app]) => [`shop/${podName}`, {
    queueDepth: sum(Object.values(app.depth)) + app.sidecarDepth,
    queueDepthByContainer: { app: sum(Object.values(app.depth)), sidecar: app.sidecarDepth },
    processedPerSecond: sum(Object.values(app.processed)),
  }])),
};
for (const p of pods) {
  (expected.workloads[`${p.namespace}/${p.workload[0]}/${p.workload[1]}`] ??= []).push(p.name);
  (expected.nodes[p.node] ??= []).push(`${p.namespace}/${p.name}`);
}

/** p50 and p95 of each wait stage of a queue's model. */
function stageQuantiles(model) {
  return Object.fromEntries(Object.keys(STAGES).map((k) => [k, { p50: histogramQuantile(0.5, model[k]), p95: histogramQuantile(0.95, model[k]) }]));
}

/** Prometheus' histogram_quantile: linear interpolation inside the bucket holding the rank. */
function histogramQuantile(q, buckets) {
  const cumulative = [];
  let acc = 0;
  for (const [le, rate] of buckets) cumulative.push([le, (acc += rate)]);
  const total = acc; // the +Inf bucket equals the last finite one here
  const rank = q * total;
  let prevLe = 0, prevCount = 0;
  for (const [le, count] of cumulative) {
    if (count >= rank) return prevLe + (le - prevLe) * ((rank - prevCount) / (count - prevCount));
    prevLe = le; prevCount = count;
  }
  return cumulative[cumulative.length - 1][0];
}

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'dataset.om'), lines.join('\n') + '\n');
writeFileSync(join(outDir, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote ${series.length} series x ${(end - start) / STEP + 1} samples to ${outDir}/dataset.om (anchor ${anchor})`);
