// Options of the generator: thresholds, `for` durations, label conventions, operator jobs.
// `npm run dashboards -- --config my.json` merges a JSON file of the same shape over these.

export const defaults = {
  /** Label conventions of the rules' Prometheus (a kubeprom profile name or object). */
  profile: 'kube-prometheus-stack',
  /** Label conventions of the dashboards: 'multi-cluster' adds the cluster variable; a
   * Prometheus without a `cluster` label still works (the variable's "All" matches it). */
  dashboardProfile: 'multi-cluster',
  /** Operators whose controller-runtime metrics the dashboards and alerts watch, by scrape job. */
  operators: [
    { name: 'KubeRay', job: 'kuberay-operator' },
    { name: 'Spark operator', job: 'spark-operator' },
    { name: 'Kueue', job: 'kueue-controller-manager-metrics-service' },
  ],
  /** Rate window of the recording rules and alerts. */
  ruleWindow: '5m',
  alerts: {
    podMemoryNearLimit: { threshold: 0.8, for: '15m', severity: 'warning' },
    podOOMKilled: { window: '10m', for: '0m', severity: 'warning' },
    podCrashLooping: { window: '10m', for: '15m', severity: 'warning' },
    podRestartBurst: { window: '1h', threshold: 5, for: '0m', severity: 'warning' },
    podCPUThrottling: { threshold: 0.25, for: '15m', severity: 'info' },
    operatorReconcileErrors: { threshold: 0.05, for: '15m', severity: 'warning' },
    operatorReconcileLatency: { quantile: 0.99, threshold: 10, for: '15m', severity: 'warning' },
    operatorNotScraped: { for: '10m', severity: 'warning' },
    kueuePendingTooLong: { threshold: 3600, for: '5m', severity: 'warning' },
    kueueInadmissible: { for: '15m', severity: 'warning' },
    kueueExporterStale: { for: '10m', severity: 'warning' },
  },
  /** metadata of the PrometheusRule object. */
  prometheusRule: {
    name: 'kubeprom',
    namespace: 'monitoring',
    // kube-prometheus-stack's Prometheus selects rules labelled with the Helm release by default.
    labels: { 'app.kubernetes.io/name': 'kubeprom', release: 'kube-prometheus-stack' },
  },
};

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `defaults` with `overrides` merged in (objects merge key by key; arrays and values replace). */
export function withOptions(overrides = {}, base = defaults) {
  const out = structuredClone(base);
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in base)) throw new Error(`unknown option ${k}`);
    out[k] = isObject(v) && isObject(base[k]) ? withOptions(v, base[k]) : structuredClone(v);
  }
  return out;
}
