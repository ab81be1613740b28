// The few PromQL expressions the kubeprom catalog cannot build yet, named and in one place.
// Each is linted clean by lintQuery in tests/js/dashboards.test.mjs and tests/js/rules.test.mjs.
// When the catalog gains the metric (see deploy/README.md, "Not in the catalog yet"), replace the
// function here by a buildQuery call.

/** `{a="x", b=~"y"}` from [name, op, value] triples; values are quoted as PromQL strings. */
export function matchers(list) {
  const parts = list.filter(([, , v]) => v !== undefined).map(([name, op, v]) => `${name}${op}${JSON.stringify(v)}`);
  return parts.length ? `{${parts.join(', ')}}` : '';
}

/**
 * The kubeprom Kueue exporter's families (src/kueue/mod.rs) and its health metrics.
 * `m` is an extra matcher list (cluster, cluster_queue) for every selector.
 */
export const kueueExporter = {
  /** Age of the oldest still-pending workload per cluster queue (0 when none is pending). */
  oldestPendingAge: (m = []) =>
    `max by (cluster_queue) (kubeprom_kueue_oldest_pending_workload_age_seconds${matchers(m)})`,
  /** Quantile of the ages of the workloads pending now. The histogram is a snapshot of the
   * queue (its buckets go down when workloads leave), so it is read as is, never rated. */
  pendingAgeQuantile: (q, m = []) =>
    `histogram_quantile(${q}, max by (cluster_queue, le) (kubeprom_kueue_pending_workload_age_seconds_bucket${matchers(m)}))`,
  /** Position of each head-of-queue workload in its cluster queue. */
  position: (m = []) =>
    `max by (cluster_queue, namespace, local_queue, workload) (kubeprom_kueue_pending_workload_position${matchers(m)})`,
  /** Seconds since the exporter last read the queue successfully. */
  lastSuccessAge: (m = []) =>
    `time() - max by (cluster_queue) (kubeprom_kueue_exporter_last_success_timestamp_seconds${matchers(m)})`,
  /** 1 when the exporter's numbers for the queue are stale. */
  stale: (m = []) => `max by (cluster_queue) (kubeprom_kueue_exporter_stale${matchers(m)})`,
  /** Exporter errors per second by kind. */
  errors: (window, m = []) =>
    `sum by (cluster_queue, kind) (rate(kubeprom_kueue_exporter_errors_total${matchers(m)}[${window}]))`,
};

/**
 * Series selectors for the Grafana variables listing workload names (label_values), by kind:
 * the same ownership series kubeprom's workload filter joins (kube_pod_owner,
 * kube_replicaset_owner, kube_job_owner).
 */
export const workloadNameSource = {
  Deployment: { selector: (m) => `kube_replicaset_owner${matchers([...m, ['owner_kind', '=', 'Deployment']])}`, label: 'owner_name' },
  StatefulSet: { selector: (m) => `kube_pod_owner${matchers([...m, ['owner_kind', '=', 'StatefulSet']])}`, label: 'owner_name' },
  DaemonSet: { selector: (m) => `kube_pod_owner${matchers([...m, ['owner_kind', '=', 'DaemonSet']])}`, label: 'owner_name' },
  Job: { selector: (m) => `kube_pod_owner${matchers([...m, ['owner_kind', '=', 'Job']])}`, label: 'owner_name' },
  CronJob: { selector: (m) => `kube_job_owner${matchers([...m, ['owner_kind', '=', 'CronJob']])}`, label: 'owner_name' },
};

/**
 * A series recorded by the kubeprom.rightsizing rules (its name from the core's
 * rightSizingRules), one per workload container; `m` as above.
 */
export const rightSizing = {
  recorded: (name, m = []) => `max by (cluster, namespace, workload, workload_kind, container) (${name}${matchers(m)})`,
};
