/*
 * Health of batch/ML operators (Kueue, KubeRay, Spark operator) from what Prometheus knows:
 * its live scrape targets (/api/v1/targets), the `up` series of past scrapes, and the
 * controller-runtime metrics every one of these operators exports. "Not scraped" is a state of
 * its own, with the reason, because it is the most common reason for an empty dashboard.
 */
import type { QueryResult, QuerySpec, Target } from 'kubeprom';
import { aggregateGroups, formatValue } from 'kubeprom';
import type { PlanContext } from './plan';
import { instantWindow } from './plan';

export interface OperatorDef {
  id: string;
  title: string;
  /** Matches the scrape job (the Service or PodMonitor name in kube-prometheus-stack). */
  job: RegExp;
  /** Namespaces the operator is installed in by its Helm chart or manifests. */
  namespaces: string[];
  /** How to get it scraped. */
  howToScrape: string;
}

export const OPERATORS: OperatorDef[] = [
  {
    id: 'kueue',
    title: 'Kueue',
    job: /kueue/i,
    namespaces: ['kueue-system'],
    howToScrape:
      'Install Kueue with Prometheus enabled (Helm: enablePrometheus=true; manifests: the ' +
      'prometheus ServiceMonitor in config/prometheus) so that Prometheus scrapes the controller manager.',
  },
  {
    id: 'kuberay',
    title: 'KubeRay operator',
    job: /kuberay|ray-operator/i,
    namespaces: ['ray-system', 'kuberay-operator', 'kuberay-system'],
    howToScrape:
      'Run the operator with --enable-metrics (the Helm chart does) and add a ServiceMonitor or ' +
      'PodMonitor for its metrics port (8080).',
  },
  {
    id: 'spark-operator',
    title: 'Spark operator',
    job: /spark/i,
    namespaces: ['spark-operator', 'spark-operator-system'],
    howToScrape:
      'Enable metrics in the Helm chart (metrics.enable=true) and let Prometheus find the pods ' +
      '(prometheus.podMonitor.create=true with kube-prometheus-stack).',
  },
];

/** Queries the health cards need (one each, shared by all operators). */
export function planOperators(
  ctx: PlanContext
): Record<'up' | 'rate' | 'errors' | 'depth', QuerySpec> {
  const window = instantWindow(ctx.scrapeIntervalSeconds);
  const common: Partial<QuerySpec> = {};
  if (ctx.profile !== undefined) common.profile = ctx.profile;
  if (ctx.cluster) common.cluster = ctx.cluster;
  return {
    up: { ...common, metric: 'scrape_up' },
    rate: { ...common, metric: 'operator_reconcile_rate', window },
    errors: { ...common, metric: 'operator_reconcile_errors', window },
    depth: { ...common, metric: 'operator_workqueue_depth' },
  };
}

export type HealthState = 'healthy' | 'degraded' | 'down' | 'not-scraped';

export interface ControllerHealth {
  job: string;
  controller: string;
  /** Reconciles per second, all results. */
  rate: number;
  errorRate: number;
  depth: number | null;
}

export interface OperatorHealth {
  def: OperatorDef;
  state: HealthState;
  /** One sentence saying why the state is what it is. */
  reason: string;
  targets: { job: string; instance: string; up: boolean; lastError?: string }[];
  controllers: ControllerHealth[];
}

export interface OperatorInputs {
  up: QueryResult;
  rate: QueryResult;
  errors: QueryResult;
  depth: QueryResult;
  /** client.targets(); undefined when the call failed (for example not allowed). */
  targets?: Target[];
}

const perSecond = (v: number) => formatValue(v, 'ops/s');

const last = (values: Float64Array) => (values.length ? values[values.length - 1] : NaN);

function belongs(def: OperatorDef, labels: Record<string, string | undefined>) {
  return (
    (labels.job !== undefined && def.job.test(labels.job)) ||
    (labels.namespace !== undefined && def.namespaces.includes(labels.namespace))
  );
}

export function operatorHealth(def: OperatorDef, inputs: OperatorInputs): OperatorHealth {
  // Live targets first: they know the last scrape error. Past `up` samples cover the rest.
  const targets: OperatorHealth['targets'] = [];
  for (const t of inputs.targets ?? []) {
    if (!belongs(def, { job: t.job, namespace: t.labels.namespace })) continue;
    targets.push({
      job: t.job,
      instance: t.labels.instance ?? t.scrapeUrl,
      up: t.health === 'up',
      lastError: t.lastError || undefined,
    });
  }
  for (const s of inputs.up.series) {
    if (!belongs(def, s.labels)) continue;
    const instance = s.labels.instance ?? '';
    if (targets.some(t => t.instance === instance && t.job === s.labels.job)) continue;
    targets.push({ job: s.labels.job ?? '', instance, up: last(s.values) >= 1 });
  }
  const jobs = new Set(targets.map(t => t.job));

  // Which series are this operator's is the plugin's to say; the sums per controller are the
  // core's (each result and each scraper once).
  const mine = (result: QueryResult): QueryResult => ({
    ...result,
    series: result.series.filter(s => jobs.has(s.labels.job) || belongs(def, s.labels)),
  });
  const byController = new Map<string, ControllerHealth>();
  const add = (
    result: QueryResult,
    opts: { name: string; part?: string },
    set: (c: ControllerHealth, value: number) => void
  ) => {
    const { groups } = aggregateGroups(mine(result), {
      group: ['job', opts.name],
      part: opts.part,
    });
    for (const g of groups) {
      if (!Number.isFinite(g.value)) continue;
      const [job, controller] = g.key;
      const key = `${job}\u0000${controller}`;
      let c = byController.get(key);
      if (!c) {
        c = { job, controller, rate: 0, errorRate: 0, depth: null };
        byController.set(key, c);
      }
      set(c, g.value);
    }
  };
  // Reconciles of every result: success, error, requeue.
  add(inputs.rate, { name: 'controller', part: 'result' }, (c, v) => (c.rate = v));
  add(inputs.errors, { name: 'controller' }, (c, v) => (c.errorRate = v));
  // Work queues are named after their controller.
  add(inputs.depth, { name: 'name' }, (c, v) => (c.depth = v));
  const controllers = [...byController.values()].sort(
    (a, b) => a.job.localeCompare(b.job) || a.controller.localeCompare(b.controller)
  );

  let state: HealthState;
  let reason: string;
  const down = targets.filter(t => !t.up);
  if (targets.length === 0) {
    state = 'not-scraped';
    const checked =
      inputs.targets === undefined
        ? 'no `up` series matches it (the targets API could not be read)'
        : 'the targets API lists no target for it and no `up` series matches it';
    reason =
      `Prometheus does not scrape ${def.title}: ${checked} (jobs matching ${def.job}, ` +
      `namespaces ${def.namespaces.join(', ')}). ${def.howToScrape}`;
  } else if (down.length === targets.length) {
    state = 'down';
    const errs = down.filter(t => t.lastError).map(t => `${t.instance}: ${t.lastError}`);
    reason =
      `Every scrape target of ${def.title} is down (${down
        .map(t => `${t.job} ${t.instance}`)
        .join(', ')})` +
      (errs.length
        ? `; last error: ${errs.join('; ')}`
        : '; Prometheus cannot reach its metrics endpoint.');
  } else {
    const failing = controllers.filter(c => c.errorRate > 0);
    if (down.length > 0) {
      state = 'degraded';
      reason = `${down.length} of ${targets.length} scrape targets are down.`;
    } else if (failing.length > 0) {
      state = 'degraded';
      reason = `Reconcile errors: ${failing
        .map(c => `${c.controller} ${perSecond(c.errorRate)} of ${perSecond(c.rate)}`)
        .join(', ')}.`;
    } else {
      state = 'healthy';
      reason =
        controllers.length > 0
          ? `Scraped; ${controllers.length} controller(s) reconcile without errors.`
          : 'Scraped, but it exports no controller-runtime metrics.';
    }
  }
  return { def, state, reason, targets, controllers };
}

/** The operator a workload runs, if it is one of ours (by install namespace or by name). */
export function operatorForWorkload(namespace: string, name: string): OperatorDef | undefined {
  return (
    OPERATORS.find(d => d.namespaces.includes(namespace)) ??
    OPERATORS.find(d => d.job.test(name) && /operator|controller/.test(name))
  );
}
