// The four kubeprom dashboards, built with @grafana/grafana-foundation-sdk's typed builders.
// Every panel query is a kubeprom buildQuery result (template variables passed through in
// 'regex' mode, so Grafana fills them in), except the few named in handwritten.mjs.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { core } from './core.mjs';
import { kueueExporter, rightSizing, workloadNameSource } from './handwritten.mjs';

/** The Grafana panel plugin of www/grafana-panel. */
export const KUBEPROM_PANEL = 'kubeprom-podresources-panel';
const DS = { type: 'prometheus', uid: '${datasource}' };
const RATE = '$__rate_interval';
const ALL = { text: ['All'], value: ['$__all'] };

/**
 * Builds the dashboards. Returns { dashboards: [{ file, json }], queries: [...] } where each query
 * records the dashboard, panel, refId, the QuerySpec (or the hand-written name) and the expression,
 * so tests can run every one against Prometheus.
 */
export function buildDashboards(options) {
  const kp = core();
  const queries = [];
  let current = null; // { dashboard, panel } while a panel's targets are built

  /** A Prometheus target from a kubeprom QuerySpec (variables in regex mode). */
  const target = (refId, spec, { legend, instant = false, table: asTable = false } = {}) => {
    const full = { profile: options.dashboardProfile, variables: 'regex', ...spec };
    const expr = kp.buildQuery(full);
    queries.push({ ...current, refId, spec: full, expr, instant });
    return promTarget(refId, expr, legend, instant, asTable);
  };
  /** A target from one of the hand-written expressions (handwritten.mjs). */
  const handTarget = (refId, name, expr, { legend, instant = false, table: asTable = false } = {}) => {
    queries.push({ ...current, refId, handwritten: name, expr, instant });
    return promTarget(refId, expr, legend, instant, asTable);
  };
  const promTarget = (refId, expr, legend, instant, asTable) => {
    const t = new prometheus.DataqueryBuilder().datasource(DS).refId(refId).expr(expr);
    if (legend) t.legendFormat(legend);
    if (instant) t.instant();
    else t.range();
    if (asTable) t.format(prometheus.PromQueryFormat.Table);
    return t;
  };
  /** Starts a panel: records where the following targets live. */
  const panel = (dash, title, builder) => {
    current = { dashboard: dash, panel: title };
    return builder.title(title).datasource(DS);
  };

  const clusterFilter = { cluster: '$cluster' };
  const podLegend = '{{namespace}}/{{pod}}';

  // ---------------------------------------------------------------------------------------------
  // Pods
  const pods = new Layout();
  const podFilters = { ...clusterFilter, namespace: '$namespace', pod: '$pod' };
  const P = 'kubeprom-pods';
  current = { dashboard: P, panel: null };
  const podVars = [
    datasourceVariable(),
    clusterVariable(kp, options),
    labelVariable(kp, options, 'namespace', 'Namespace', { metric: 'pod_restarts', by: ['namespace'], ...clusterFilter }),
    labelVariable(kp, options, 'pod', 'Pod', { metric: 'pod_restarts', by: ['namespace', 'pod'], ...clusterFilter, namespace: '$namespace' }),
  ];
  pods.row('Resources');
  pods.add(12, 9, panel(P, 'CPU usage (cores), with requests and limits', timeseriesPanel('none'))
    .withTarget(target('A', { metric: 'pod_cpu_usage', ...podFilters, window: RATE }, { legend: podLegend }))
    .withTarget(target('B', { metric: 'pod_cpu_requests', ...podFilters }, { legend: `request ${podLegend}` }))
    .withTarget(target('C', { metric: 'pod_cpu_limits', ...podFilters }, { legend: `limit ${podLegend}` }))
    .overrideByQuery('B', dashedLine()).overrideByQuery('C', dashedLine()));
  pods.add(12, 9, panel(P, 'Memory working set, with requests and limits', timeseriesPanel('bytes'))
    .withTarget(target('A', { metric: 'pod_memory_working_set', ...podFilters }, { legend: podLegend }))
    .withTarget(target('B', { metric: 'pod_memory_requests', ...podFilters }, { legend: `request ${podLegend}` }))
    .withTarget(target('C', { metric: 'pod_memory_limits', ...podFilters }, { legend: `limit ${podLegend}` }))
    .overrideByQuery('B', dashedLine()).overrideByQuery('C', dashedLine()));
  pods.add(12, 9, panel(P, 'CPU throttling (share of CFS periods)', timeseriesPanel('percentunit'))
    .withTarget(target('A', { metric: 'pod_cpu_throttling', ...podFilters, window: RATE }, { legend: podLegend })));
  pods.add(12, 9, panel(P, 'Memory by kind (RSS, page cache, swap)', timeseriesPanel('bytes'))
    .withTarget(target('A', { metric: 'pod_memory_rss', ...podFilters }, { legend: `rss ${podLegend}` }))
    .withTarget(target('B', { metric: 'pod_memory_cache', ...podFilters }, { legend: `cache ${podLegend}` }))
    .withTarget(target('C', { metric: 'pod_memory_swap', ...podFilters }, { legend: `swap ${podLegend}` })));
  pods.row('Per pod (kubectl top pod)');
  pods.add(12, 10, panel(P, 'Memory per pod', kubepromPanel({ stat: 'last', sort: 'limit-desc' }))
    .withTarget(target('A', { metric: 'pod_memory_working_set', ...podFilters }))
    .withTarget(target('B', { metric: 'pod_memory_requests', ...podFilters }))
    .withTarget(target('C', { metric: 'pod_memory_limits', ...podFilters })));
  pods.add(12, 10, panel(P, 'CPU per pod', kubepromPanel({ stat: 'p95', sort: 'limit-desc' }))
    .withTarget(target('A', { metric: 'pod_cpu_usage', ...podFilters, window: RATE }))
    .withTarget(target('B', { metric: 'pod_cpu_requests', ...podFilters }))
    .withTarget(target('C', { metric: 'pod_cpu_limits', ...podFilters })));
  pods.row('Restarts');
  pods.add(12, 8, panel(P, 'Container restarts', timeseriesPanel('none'))
    .withTarget(target('A', { metric: 'pod_restarts', ...podFilters }, { legend: podLegend })));
  pods.add(12, 8, panel(P, 'Last termination reason', tablePanel())
    .withTarget(target('A', { metric: 'pod_last_terminated_reason', ...podFilters }, { instant: true, table: true }))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true } } }));
  pods.add(24, 6, panel(P, 'Containers waiting to run (reason)', tablePanel())
    .withTarget(target('A', { metric: 'pod_waiting_reason', ...podFilters }, { instant: true, table: true }))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true } } }));
  pods.row('Network and disk');
  pods.add(12, 8, panel(P, 'Network', timeseriesPanel('Bps'))
    .withTarget(target('A', { metric: 'pod_network_receive', ...podFilters, window: RATE }, { legend: `receive ${podLegend}` }))
    .withTarget(target('B', { metric: 'pod_network_transmit', ...podFilters, window: RATE }, { legend: `transmit ${podLegend}` })));
  pods.add(12, 8, panel(P, 'Disk I/O', timeseriesPanel('Bps'))
    .withTarget(target('A', { metric: 'pod_fs_read', ...podFilters, window: RATE }, { legend: `read ${podLegend}` }))
    .withTarget(target('B', { metric: 'pod_fs_write', ...podFilters, window: RATE }, { legend: `write ${podLegend}` })));
  const podsDash = dashboardOf(P, 'Kubernetes / Pods (kubeprom)', 'CPU, memory, restarts, network and disk per pod, counted as kubectl top pod does.', podVars, pods);

  // ---------------------------------------------------------------------------------------------
  // Workloads: one row per kind, pods found by ownership (ReplicaSet, Job owners), never by name.
  const W = 'kubeprom-workloads';
  const work = new Layout();
  const kinds = [
    ['Deployment', 'deployment'],
    ['StatefulSet', 'statefulset'],
    ['DaemonSet', 'daemonset'],
    ['Job', 'job_name'],
    ['CronJob', 'cronjob'],
  ];
  current = { dashboard: W, panel: null };
  const workVars = [
    datasourceVariable(),
    clusterVariable(kp, options),
    labelVariable(kp, options, 'namespace', 'Namespace', { metric: 'pod_restarts', by: ['namespace'], ...clusterFilter }),
  ];
  for (const [kind, variable] of kinds) {
    const src = workloadNameSource[kind];
    workVars.push(new dashboard.QueryVariableBuilder(variable)
      .label(kind)
      .datasource(DS)
      .query({ query: `label_values(${src.selector([['cluster', '=~', '$cluster'], ['namespace', '=~', '$namespace']])}, ${src.label})`, refId: variable })
      .definition(`label_values(${src.selector([['cluster', '=~', '$cluster'], ['namespace', '=~', '$namespace']])}, ${src.label})`)
      .current(ALL)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true).includeAll(true).allValue('.+'));
    queries.push({ dashboard: W, panel: `variable ${variable}`, refId: variable, handwritten: `workloadNameSource.${kind}`, expr: src.selector([['cluster', '=~', '$cluster'], ['namespace', '=~', '$namespace']]), instant: true, variable: { name: variable, label: src.label } });
    const wf = { ...clusterFilter, namespace: '$namespace', workload: { kind, name: `$${variable}` } };
    work.row(`${kind}s`);
    work.add(8, 8, panel(W, `${kind}: CPU per pod`, timeseriesPanel('none'))
      .withTarget(target('A', { metric: 'pod_cpu_usage', ...wf, window: RATE }, { legend: podLegend })));
    work.add(8, 8, panel(W, `${kind}: memory per pod`, timeseriesPanel('bytes'))
      .withTarget(target('A', { metric: 'pod_memory_working_set', ...wf }, { legend: podLegend })));
    work.add(8, 8, panel(W, `${kind}: pods against their limits`, kubepromPanel({ stat: 'last', sort: 'limit-desc', visual: 'bar' }))
      .withTarget(target('A', { metric: 'pod_memory_working_set', ...wf }))
      .withTarget(target('B', { metric: 'pod_memory_requests', ...wf }))
      .withTarget(target('C', { metric: 'pod_memory_limits', ...wf })));
  }
  // Right-sizing: what the kubeprom.rightsizing rules (deploy/rules) recorded for each container.
  work.row('Right-sizing (needs the kubeprom.rightsizing rules)');
  const sizing = kp.rightSizingRules({ profile: options.profile, ...options.rightSizing });
  const recordedAs = Object.fromEntries(sizing.records.map((r) => [r.record.split(':')[1], r.record]));
  const sizingM = [['cluster', '=~', '$cluster'], ['namespace', '=~', '$namespace']];
  const columns = [
    ['A', 'kubeprom_cpu_request', 'CPU request (cores)'],
    ['B', 'kubeprom_cpu_request_recommended', 'CPU recommended (cores)'],
    ['C', 'kubeprom_memory_request', 'Memory request'],
    ['D', 'kubeprom_memory_request_recommended', 'Memory recommended'],
    ['E', 'kubeprom_usage_history', 'History'],
  ];
  const sizingPanel = panel(W, 'Requests against the recommendation, per container', tablePanel());
  for (const [refId, key] of columns) {
    sizingPanel.withTarget(handTarget(refId, `rightSizing.recorded ${recordedAs[key]}`, rightSizing.recorded(recordedAs[key], sizingM), { instant: true, table: true }));
  }
  work.add(24, 8, sizingPanel
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, cluster: true }, renameByName: Object.fromEntries(columns.map(([refId, , title]) => [`Value #${refId}`, title])) } })
    .overrideByName('Memory request', [{ id: 'unit', value: 'bytes' }])
    .overrideByName('Memory recommended', [{ id: 'unit', value: 'bytes' }])
    .overrideByName('History', [{ id: 'unit', value: 's' }]));
  const workDash = dashboardOf(W, 'Kubernetes / Workloads (kubeprom)', 'Pods of Deployments, StatefulSets, DaemonSets, Jobs and CronJobs by their real owners (kube_pod_owner, kube_replicaset_owner, kube_job_owner), never by name prefix.', workVars, work);

  // ---------------------------------------------------------------------------------------------
  // Kueue
  const K = 'kubeprom-kueue';
  const kueue = new Layout();
  const cq = { ...clusterFilter, selector: { cluster_queue: '$cluster_queue' } };
  const cqM = [['cluster', '=~', '$cluster'], ['cluster_queue', '=~', '$cluster_queue']];
  current = { dashboard: K, panel: null };
  const kueueVars = [
    datasourceVariable(),
    clusterVariable(kp, options),
    labelVariable(kp, options, 'cluster_queue', 'Cluster queue', { metric: 'kueue_pending_workloads', by: ['cluster_queue'], ...clusterFilter }),
  ];
  kueue.row('Queues (Kueue metrics)');
  kueue.add(12, 8, panel(K, 'Pending workloads by cluster queue and status', timeseriesPanel('none', { stack: true }))
    .withTarget(target('A', { metric: 'kueue_pending_workloads', ...cq }, { legend: '{{cluster_queue}} {{status}}' })));
  kueue.add(12, 8, panel(K, 'Cluster queues now', kubepromPanel({ mode: 'kueue', stat: 'last', sort: 'value-desc' }))
    .withTarget(target('A', { metric: 'kueue_pending_workloads', ...cq }))
    .withTarget(target('B', { metric: 'kueue_admission_wait_time', ...cq, quantile: 0.95, window: RATE })));
  kueue.add(12, 8, panel(K, 'Admission wait (p50, p95)', timeseriesPanel('s'))
    .withTarget(target('A', { metric: 'kueue_admission_wait_time', ...cq, quantile: 0.5, window: RATE }, { legend: 'p50 {{cluster_queue}}' }))
    .withTarget(target('B', { metric: 'kueue_admission_wait_time', ...cq, quantile: 0.95, window: RATE }, { legend: 'p95 {{cluster_queue}}' })));
  kueue.add(12, 8, panel(K, 'Admitted and quota-reserved workloads per second', timeseriesPanel('ops'))
    .withTarget(target('A', { metric: 'kueue_admitted_workloads_rate', ...cq, window: RATE }, { legend: 'admitted {{cluster_queue}}' }))
    .withTarget(target('B', { metric: 'kueue_quota_reserved_workloads_rate', ...cq, window: RATE }, { legend: 'reserved {{cluster_queue}}' })));
  kueue.add(12, 8, panel(K, 'Evicted workloads per second', timeseriesPanel('ops'))
    .withTarget(target('A', { metric: 'kueue_evicted_workloads_rate', ...cq, window: RATE }, { legend: '{{cluster_queue}} {{reason}}' })));
  kueue.add(12, 8, panel(K, 'Eviction latency (p95, Kueue 0.18+)', timeseriesPanel('s'))
    .withTarget(target('A', { metric: 'kueue_workload_eviction_latency', ...cq, quantile: 0.95, window: RATE }, { legend: '{{cluster_queue}} {{reason}}' })));
  kueue.add(12, 8, panel(K, 'Admitted active workloads', timeseriesPanel('none'))
    .withTarget(target('A', { metric: 'kueue_admitted_active_workloads', ...cq }, { legend: '{{cluster_queue}}' })));
  kueue.row('Why workloads wait (Kueue 0.18+)');
  kueue.add(12, 8, panel(K, 'Unadmitted workloads by reason and cause', timeseriesPanel('none', { stack: true }))
    .withTarget(target('A', { metric: 'kueue_unadmitted_workloads', ...cq }, { legend: '{{cluster_queue}} {{reason}} {{underlying_cause}}' })));
  kueue.add(12, 8, panel(K, 'Wait by stage (p95): quota reservation, admission checks, admitted to ready', timeseriesPanel('s'))
    .withTarget(target('A', { metric: 'kueue_quota_reserved_wait_time', ...cq, quantile: 0.95, window: RATE }, { legend: 'quota reserved {{cluster_queue}}' }))
    .withTarget(target('B', { metric: 'kueue_admission_checks_wait_time', ...cq, quantile: 0.95, window: RATE }, { legend: 'admission checks {{cluster_queue}}' }))
    .withTarget(target('C', { metric: 'kueue_admitted_until_ready_wait_time', ...cq, quantile: 0.95, window: RATE }, { legend: 'admitted to ready {{cluster_queue}}' })));
  kueue.add(12, 8, panel(K, 'Pending CPU requests', timeseriesPanel('none'))
    .withTarget(target('A', { metric: 'kueue_pending_cpu', ...cq }, { legend: '{{cluster_queue}}' })));
  kueue.add(12, 8, panel(K, 'Pending memory requests', timeseriesPanel('bytes'))
    .withTarget(target('A', { metric: 'kueue_pending_memory', ...cq }, { legend: '{{cluster_queue}}' })));
  kueue.row('Pending workloads (kubeprom Kueue exporter)');
  kueue.add(12, 8, panel(K, 'Oldest pending workload age', timeseriesPanel('s'))
    .withTarget(handTarget('A', 'kueueExporter.oldestPendingAge', kueueExporter.oldestPendingAge(cqM), { legend: '{{cluster_queue}}' })));
  kueue.add(12, 8, panel(K, 'Age of pending workloads (p50, p95)', timeseriesPanel('s'))
    .withTarget(handTarget('A', 'kueueExporter.pendingAgeQuantile', kueueExporter.pendingAgeQuantile(0.5, cqM), { legend: 'p50 {{cluster_queue}}' }))
    .withTarget(handTarget('B', 'kueueExporter.pendingAgeQuantile', kueueExporter.pendingAgeQuantile(0.95, cqM), { legend: 'p95 {{cluster_queue}}' })));
  kueue.add(12, 8, panel(K, 'Head of each queue (position)', tablePanel())
    .withTarget(handTarget('A', 'kueueExporter.position', kueueExporter.position(cqM), { instant: true, table: true }))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { Value: 'position' } } }));
  kueue.add(12, 8, panel(K, 'Exporter health: seconds since last good poll, stale, errors', timeseriesPanel('none'))
    .withTarget(handTarget('A', 'kueueExporter.lastSuccessAge', kueueExporter.lastSuccessAge(cqM), { legend: 'since last success {{cluster_queue}}' }))
    .withTarget(handTarget('B', 'kueueExporter.stale', kueueExporter.stale(cqM), { legend: 'stale {{cluster_queue}}' }))
    .withTarget(handTarget('C', 'kueueExporter.errors', kueueExporter.errors(RATE, cqM), { legend: 'errors/s {{cluster_queue}} {{kind}}' })));
  const kueueDash = dashboardOf(K, 'Kueue (kubeprom)', 'Kueue cluster queues: pending workloads, admission wait, admissions, and from the kubeprom Kueue exporter the age and position of pending workloads.', kueueVars, kueue);

  // ---------------------------------------------------------------------------------------------
  // Operators
  const O = 'kubeprom-operators';
  const ops = new Layout();
  const jobF = { ...clusterFilter, selector: { job: '$job' } };
  // The job variable lists the configured operators, scraped or not, so that an operator
  // Prometheus has never heard of still gets its "not scraped" stat.
  current = { dashboard: O, panel: null };
  const opVars = [
    datasourceVariable(),
    clusterVariable(kp, options),
    new dashboard.CustomVariableBuilder('job')
      .label('Operator (scrape job)')
      .values(options.operators.map((o) => `${o.name} : ${o.job}`).join(','))
      .multi(true)
      .includeAll(true)
      .current(ALL),
  ];
  ops.row('Scraped?');
  for (const op of options.operators) {
    ops.add(Math.max(4, Math.floor(24 / options.operators.length)), 4, panel(O, `${op.name} (job ${op.job})`, upStat())
      .withTarget(target('A', { metric: 'scrape_up', ...clusterFilter, selector: { job: op.job }, by: ['job'] }, { instant: true })));
  }
  ops.row('controller-runtime');
  ops.add(12, 8, panel(O, 'Reconciles per second by result', timeseriesPanel('ops', { stack: true }))
    .withTarget(target('A', { metric: 'operator_reconcile_rate', ...jobF, window: RATE }, { legend: '{{job}} {{controller}} {{result}}' })));
  ops.add(12, 8, panel(O, 'Reconcile errors per second', timeseriesPanel('ops'))
    .withTarget(target('A', { metric: 'operator_reconcile_errors', ...jobF, window: RATE }, { legend: '{{job}} {{controller}}' })));
  ops.add(12, 8, panel(O, 'Reconcile latency p99', timeseriesPanel('s'))
    .withTarget(target('A', { metric: 'operator_reconcile_latency', ...jobF, window: RATE, quantile: 0.99 }, { legend: '{{job}} {{controller}}' })));
  ops.add(12, 8, panel(O, 'Work queue depth', timeseriesPanel('none'))
    .withTarget(target('A', { metric: 'operator_workqueue_depth', ...jobF }, { legend: '{{job}} {{name}}' })));
  ops.add(12, 8, panel(O, 'Active reconcile workers', timeseriesPanel('none'))
    .withTarget(target('A', { metric: 'operator_active_workers', ...jobF }, { legend: '{{job}} {{controller}}' })));
  ops.row('KubeRay');
  ops.add(12, 8, panel(O, 'RayCluster provisioning time', tablePanel())
    .withTarget(target('A', { metric: 'kuberay_cluster_provisioned_duration', ...clusterFilter }, { instant: true, table: true }))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { Value: 'seconds to ready' } } }));
  ops.row('Spark operator');
  ops.add(8, 8, panel(O, 'SparkApplications running', timeseriesPanel('none'))
    .withTarget(target('A', { metric: 'spark_application_running', ...jobF }, { legend: '{{job}}' })));
  ops.add(8, 8, panel(O, 'SparkApplications submitted, succeeded and failed per second', timeseriesPanel('ops'))
    .withTarget(target('A', { metric: 'spark_application_submit_rate', ...jobF, window: RATE }, { legend: 'submitted {{job}}' }))
    .withTarget(target('B', { metric: 'spark_application_success_rate', ...jobF, window: RATE }, { legend: 'succeeded {{job}}' }))
    .withTarget(target('C', { metric: 'spark_application_failure_rate', ...jobF, window: RATE }, { legend: 'failed {{job}}' })));
  ops.add(8, 8, panel(O, 'SparkApplication start latency (p50, p95)', timeseriesPanel('s'))
    .withTarget(target('A', { metric: 'spark_application_start_latency', ...jobF, window: RATE, quantile: 0.5 }, { legend: 'p50 {{job}}' }))
    .withTarget(target('B', { metric: 'spark_application_start_latency', ...jobF, window: RATE, quantile: 0.95 }, { legend: 'p95 {{job}}' })));
  const opsDash = dashboardOf(O, 'Operators (kubeprom): KubeRay, Spark operator, Kueue', 'controller-runtime reconciles, errors, latency and work queues per controller; KubeRay provisioning; Spark operator applications; whether each operator is scraped at all.', opVars, ops);

  return {
    dashboards: [
      { file: 'kubeprom-pods.json', json: podsDash },
      { file: 'kubeprom-workloads.json', json: workDash },
      { file: 'kubeprom-kueue.json', json: kueueDash },
      { file: 'kubeprom-operators.json', json: opsDash },
    ],
    queries,
  };

  /** A query variable whose values come from a kubeprom query's label (Grafana's query_result). */
  function labelVariable(kp_, opts, name, label, spec, regex) {
    const expr = kp_.buildQuery({ profile: opts.dashboardProfile, variables: 'regex', ...spec });
    const last = spec.by[spec.by.length - 1];
    queries.push({ dashboard: current.dashboard, panel: `variable ${name}`, refId: name, spec: { profile: opts.dashboardProfile, variables: 'regex', ...spec }, expr, instant: true, variable: { name, label: last } });
    return new dashboard.QueryVariableBuilder(name)
      .label(label)
      .datasource(DS)
      // A classic query: Grafana's Prometheus data source runs query_result() as an instant
      // query and the regex picks the label out of each result line.
      .query({ query: `query_result(${expr})`, refId: name })
      .definition(`query_result(${expr})`)
      .current(ALL)
      .regex(regex ?? `/${last}="([^"]+)"/`)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*');
  }

  function clusterVariable(kp_, opts) {
    // "All" is `.*`, which also matches series without a cluster label (a single-cluster setup).
    return labelVariable(kp_, opts, 'cluster', 'Cluster', { metric: 'scrape_up', by: ['cluster'] });
  }
}

function datasourceVariable() {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

function timeseriesPanel(unit, { stack = false } = {}) {
  const p = new timeseries.PanelBuilder()
    .unit(unit)
    .min(0)
    .fillOpacity(stack ? 40 : 10)
    .lineWidth(1)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Right).calcs(['lastNotNull', 'max']))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return p;
}

function dashedLine() {
  return [
    { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
    { id: 'custom.fillOpacity', value: 0 },
  ];
}

function tablePanel() {
  return new table.PanelBuilder().showHeader(true).filterable(true);
}

/** 1 up, 0 down, no series at all: nothing scrapes the target. */
function upStat() {
  return new stat.PanelBuilder()
    .unit('none')
    .noValue('not scraped')
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .mappings([{ type: dashboard.MappingType.ValueToText, options: { 0: { text: 'down', color: 'red', index: 0 }, 1: { text: 'up', color: 'green', index: 1 } } }])
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
      { value: null, color: 'red' },
      { value: 1, color: 'green' },
    ]));
}

function kubepromPanel(opts) {
  return new dashboard.PanelBuilder()
    .type(KUBEPROM_PANEL)
    .options({ mode: 'pods', unit: 'auto', topN: 0, visual: 'both', showContainers: false, lint: true, ...opts });
}

/** Panels in order, with rows; the SDK's DashboardBuilder places them on the 24-column grid. */
class Layout {
  constructor() {
    this.items = [];
    this.nextId = 1;
  }
  row(title) {
    this.items.push({ row: new dashboard.RowBuilder(title).id(this.nextId++) });
  }
  add(w, h, builder) {
    this.items.push({ panel: builder.id(this.nextId++).span(w).height(h) });
  }
}

function dashboardOf(uid, title, description, variables, layout) {
  const d = new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['kubeprom', 'kubernetes'])
    .editable()
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .variables(variables)
    .link(new dashboard.DashboardLinkBuilder('kubeprom dashboards').type(dashboard.DashboardLinkType.Dashboards).tags(['kubeprom']).asDropdown(true).includeVars(true).keepTime(true));
  for (const item of layout.items) {
    if (item.row) d.withRow(item.row);
    else d.withPanel(item.panel);
  }
  return d.build();
}
