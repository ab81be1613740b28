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
    podCrashLooping: { window: '5m', for: '15m', severity: 'warning' },
    podRestartBurst: { window: '1h', threshold: 5, for: '0m', severity: 'warning' },
    podCPUThrottling: { threshold: 0.25, for: '15m', severity: 'info' },
    operatorReconcileErrors: { threshold: 0.05, for: '15m', severity: 'warning' },
    operatorReconcileLatency: { quantile: 0.99, threshold: 10, for: '15m', severity: 'warning' },
    operatorNotScraped: { for: '10m', severity: 'warning' },
    kueuePendingTooLong: { threshold: 3600, for: '5m', severity: 'warning' },
    kueueInadmissible: { for: '15m', severity: 'warning' },
    kueueExporterStale: { for: '10m', severity: 'warning' },
    // Right-sizing (settings below): requests far from the recommendation. The group runs
    // hourly over days of history, so `for` is in hours.
    requestOverProvisioned: { for: '6h', severity: 'info' },
    requestUnderProvisioned: { for: '6h', severity: 'warning' },
  },
  /** Settings of the right-sizing rules, as kubeprom's rightSizingRules takes them (defaults:
   * 14d of history at 5m, CPU p95, memory peak + 15%, 1d of history needed, 20% tolerance). */
  rightSizing: {},
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
  return validate(merge(overrides, base));
}

function merge(overrides, base) {
  const out = structuredClone(base);
  if (!isObject(overrides)) throw new Error(`options must be an object, not ${JSON.stringify(overrides)}`);
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in base)) throw new Error(`unknown option ${k}`);
    // An empty default (rightSizing) takes the caller's object whole: the core checks its keys.
    const open = isObject(base[k]) && Object.keys(base[k]).length === 0;
    out[k] = isObject(v) && isObject(base[k]) && !open ? merge(v, base[k]) : structuredClone(v);
  }
  return out;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Throws an Error naming the option when a value cannot go into a rule or dashboard. */
export function validate(options) {
  const fail = (path, why) => {
    throw new Error(`option ${path}: ${why}`);
  };
  if (!DURATION.test(options.ruleWindow)) fail('ruleWindow', `${JSON.stringify(options.ruleWindow)} is not a Prometheus duration`);
  if (!Array.isArray(options.operators) || options.operators.length === 0) fail('operators', 'needs at least one { name, job }');
  options.operators.forEach((o, i) => {
    if (typeof o?.name !== 'string' || !o.name) fail(`operators[${i}].name`, 'must be a non-empty string');
    if (typeof o?.job !== 'string' || !o.job) fail(`operators[${i}].job`, 'must be a non-empty string');
  });
  for (const [name, a] of Object.entries(options.alerts)) {
    if (!DURATION.test(a.for)) fail(`alerts.${name}.for`, `${JSON.stringify(a.for)} is not a Prometheus duration`);
    if ('window' in a && !DURATION.test(a.window)) fail(`alerts.${name}.window`, `${JSON.stringify(a.window)} is not a Prometheus duration`);
    if ('threshold' in a && !(typeof a.threshold === 'number' && Number.isFinite(a.threshold))) fail(`alerts.${name}.threshold`, 'must be a finite number');
    if ('quantile' in a && !(typeof a.quantile === 'number' && a.quantile > 0 && a.quantile < 1)) fail(`alerts.${name}.quantile`, 'must be a number between 0 and 1');
    if (typeof a.severity !== 'string' || !a.severity) fail(`alerts.${name}.severity`, 'must be a non-empty string');
  }
  return options;
}
