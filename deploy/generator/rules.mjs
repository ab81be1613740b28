// Prometheus recording and alerting rules from the kubeprom catalog. Every expression is built
// by buildQuery and composed with a comparison or an `on (...)` join; the exceptions are named in
// handwritten.mjs.
import { core } from './core.mjs';
import { kueueExporter } from './handwritten.mjs';

/** Recording rule names (the dashboards' and users' per-pod CPU and memory). */
export const recorded = (window) => ({
  cpu: `namespace_pod:kubeprom_cpu_usage_cores:rate${window}`,
  memory: 'namespace_pod:kubeprom_memory_working_set_bytes',
  cpuRequests: 'namespace_pod:kubeprom_cpu_requests_cores',
  cpuLimits: 'namespace_pod:kubeprom_cpu_limits_cores',
  memoryRequests: 'namespace_pod:kubeprom_memory_requests_bytes',
  memoryLimits: 'namespace_pod:kubeprom_memory_limits_bytes',
});

const pct = (x) => `${Math.round(x * 1000) / 10}%`;

/** The rule groups ({ name, rules }) for the options; see options.mjs. */
export function buildRuleGroups(options) {
  const kp = core();
  const q = (spec) => kp.buildQuery({ profile: options.profile, ...spec });
  const a = options.alerts;
  const w = options.ruleWindow;
  const container = ['namespace', 'pod', 'container'];
  const alert = (name, cfg, expr, summary, description, extraLabels = {}) => ({
    alert: name,
    expr,
    for: cfg.for,
    labels: { severity: cfg.severity, ...extraLabels },
    annotations: { summary, description },
  });

  const RECORDED = recorded(w);
  const recording = {
    name: 'kubeprom.pod.rules',
    rules: [
      { record: RECORDED.cpu, expr: q({ metric: 'pod_cpu_usage', window: w }) },
      { record: RECORDED.memory, expr: q({ metric: 'pod_memory_working_set' }) },
      { record: RECORDED.cpuRequests, expr: q({ metric: 'pod_cpu_requests' }) },
      { record: RECORDED.cpuLimits, expr: q({ metric: 'pod_cpu_limits' }) },
      { record: RECORDED.memoryRequests, expr: q({ metric: 'pod_memory_requests' }) },
      { record: RECORDED.memoryLimits, expr: q({ metric: 'pod_memory_limits' }) },
    ],
  };

  const pods = {
    name: 'kubeprom.pod.alerts',
    rules: [
      // Per container: limits are enforced per container, and a container without a limit
      // must not dilute its neighbour's ratio.
      alert('KubepromPodMemoryNearLimit', a.podMemoryNearLimit,
        `(${q({ metric: 'pod_memory_working_set', by: container })}) / on (namespace, pod, container) (${q({ metric: 'pod_memory_limits', by: container })}) > ${a.podMemoryNearLimit.threshold}`,
        'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit.',
        `Working set (as kubectl top counts it) above ${pct(a.podMemoryNearLimit.threshold)} of the limit for ${a.podMemoryNearLimit.for}; the kernel OOM-kills the container at 100%.`),
      alert('KubepromPodOOMKilled', a.podOOMKilled,
        `(${q({ metric: 'pod_restarts_increase', by: container, window: a.podOOMKilled.window })}) > 0 and on (namespace, pod, container) (${q({ metric: 'pod_last_terminated_reason', selector: { reason: 'OOMKilled' } })})`,
        'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} was OOMKilled.',
        `The container restarted within the last ${a.podOOMKilled.window} and its last run ended with reason OOMKilled: raise its memory limit or find the leak.`),
      // As kubernetes-mixin's KubePodCrashLooping: the waiting state itself, held over a window
      // because the container runs for a moment between back-offs and must not reset `for`.
      alert('KubepromPodCrashLooping', a.podCrashLooping,
        `max_over_time((${q({ metric: 'pod_waiting_reason', selector: { reason: 'CrashLoopBackOff' } })})[${a.podCrashLooping.window}:]) >= 1`,
        'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is in CrashLoopBackOff.',
        `The container has been waiting in CrashLoopBackOff (within every ${a.podCrashLooping.window}) for ${a.podCrashLooping.for}: it keeps failing right after it starts.`),
      alert('KubepromPodRestartBurst', a.podRestartBurst,
        `(${q({ metric: 'pod_restarts_increase', window: a.podRestartBurst.window })}) >= ${a.podRestartBurst.threshold}`,
        'Pod {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value | humanize }} times in ' + a.podRestartBurst.window + '.',
        `At least ${a.podRestartBurst.threshold} container restarts within ${a.podRestartBurst.window}.`),
      alert('KubepromPodCPUThrottling', a.podCPUThrottling,
        `(${q({ metric: 'pod_cpu_throttling', window: w })}) > ${a.podCPUThrottling.threshold}`,
        'Pod {{ $labels.namespace }}/{{ $labels.pod }} is CPU-throttled in {{ $value | humanizePercentage }} of scheduling periods.',
        `More than ${pct(a.podCPUThrottling.threshold)} of CFS periods throttled for ${a.podCPUThrottling.for}: the CPU limit is too low for the load.`),
    ],
  };

  const opSel = (op) => ({ selector: { job: op.job } });
  const operators = {
    name: 'kubeprom.operator.alerts',
    rules: [
      alert('KubepromOperatorReconcileErrors', a.operatorReconcileErrors,
        `(${q({ metric: 'operator_reconcile_errors', window: w })}) / on (job, controller) (${q({ metric: 'operator_reconcile_rate', by: ['job', 'controller'], window: w })}) > ${a.operatorReconcileErrors.threshold}`,
        'Controller {{ $labels.controller }} of {{ $labels.job }} fails {{ $value | humanizePercentage }} of its reconciles.',
        `More than ${pct(a.operatorReconcileErrors.threshold)} of reconciles returned an error for ${a.operatorReconcileErrors.for}.`),
      alert('KubepromOperatorReconcileSlow', a.operatorReconcileLatency,
        `(${q({ metric: 'operator_reconcile_latency', quantile: a.operatorReconcileLatency.quantile, window: w })}) > ${a.operatorReconcileLatency.threshold}`,
        'Controller {{ $labels.controller }} of {{ $labels.job }}: p' + Math.round(a.operatorReconcileLatency.quantile * 100) + ' reconcile time {{ $value | humanizeDuration }}.',
        `The ${a.operatorReconcileLatency.quantile} quantile of reconcile duration stayed above ${a.operatorReconcileLatency.threshold}s for ${a.operatorReconcileLatency.for}.`),
      // One rule per operator: a target nobody scrapes has no `up` series to compare.
      ...options.operators.map((op) => {
        const up = q({ metric: 'scrape_up', ...opSel(op), by: ['job'] });
        return alert('KubepromOperatorNotScraped', a.operatorNotScraped,
          `(${up}) == 0 or absent(${up})`,
          `${op.name} (job ${op.job}) is down or not scraped.`,
          `Prometheus has no successful scrape of job ${op.job}: its metrics, and the dashboards and alerts built on them, are blind.`,
          { operator: op.name, job: op.job });
      }),
    ],
  };

  const kueue = {
    name: 'kubeprom.kueue.alerts',
    rules: [
      alert('KubepromKueueWorkloadPendingTooLong', a.kueuePendingTooLong,
        `${kueueExporter.oldestPendingAge()} > ${a.kueuePendingTooLong.threshold}`,
        'A workload has been pending in cluster queue {{ $labels.cluster_queue }} for {{ $value | humanizeDuration }}.',
        `The oldest pending workload (kubeprom Kueue exporter) waited more than ${a.kueuePendingTooLong.threshold}s.`),
      alert('KubepromKueueInadmissibleWorkloads', a.kueueInadmissible,
        `(${q({ metric: 'kueue_pending_workloads', selector: { status: 'inadmissible' } })}) > 0`,
        'Cluster queue {{ $labels.cluster_queue }} has {{ $value }} inadmissible workloads.',
        `Workloads that cannot be admitted as things are (missing flavor, queue stopped, over quota limits) for ${a.kueueInadmissible.for}.`),
      alert('KubepromKueueExporterStale', a.kueueExporterStale,
        `${kueueExporter.stale()} == 1`,
        'The kubeprom Kueue exporter has stale numbers for cluster queue {{ $labels.cluster_queue }}.',
        `Its polls of Kueue's visibility API failed for ${a.kueueExporterStale.for}; pending ages and positions are not current.`),
    ],
  };

  // The method of recommendResources, for every workload at once (pods by ownership).
  const sizing = kp.rightSizingRules({ profile: options.profile, ...options.rightSizing });
  const workloadContainer = '{{ $labels.container }} of {{ $labels.workload_kind }} {{ $labels.namespace }}/{{ $labels.workload }}';
  const TEXTS = {
    'cpu over-provisioned': [
      `Container ${workloadContainer} requests {{ $value | humanize }} cores more CPU than it uses.`,
      'Its CPU request is above the recommendation (the usage percentile over the history) by more than the tolerance: the reserved CPU sits idle.',
    ],
    'cpu under-provisioned': [
      `Container ${workloadContainer} requests {{ $value | humanize }} cores less CPU than it uses.`,
      'Its CPU request is below the recommendation (the usage percentile over the history) by more than the tolerance, or it has none: the scheduler places it on nodes without the CPU it needs.',
    ],
    'memory over-provisioned': [
      `Container ${workloadContainer} requests {{ $value | humanize1024 }}B more memory than it needs.`,
      'Its memory request is above the recommendation (the peak working set over the history plus the buffer) by more than the tolerance.',
    ],
    'memory under-provisioned': [
      `Container ${workloadContainer} requests {{ $value | humanize1024 }}B less memory than it needs.`,
      'Its memory request is below the recommendation (the peak working set over the history plus the buffer) by more than the tolerance, or it has none: the node can run out of memory under it.',
    ],
  };
  const rightSizing = {
    name: 'kubeprom.rightsizing',
    interval: sizing.interval,
    rules: [
      ...sizing.records.map(({ record, expr }) => ({ record, expr })),
      ...sizing.alerts.map(({ alert: name, resource, status, expr }) => {
        const cfg = status === 'over-provisioned' ? a.requestOverProvisioned : a.requestUnderProvisioned;
        const [summary, description] = TEXTS[`${resource} ${status}`];
        return alert(name, cfg, expr, summary, description, { resource });
      }),
    ],
  };

  return [recording, pods, operators, kueue, rightSizing];
}

/** The same groups as a prometheus-operator PrometheusRule. */
export function prometheusRule(groups, options) {
  const { name, namespace, labels } = options.prometheusRule;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, namespace, labels },
    spec: { groups },
  };
}
