import { realKubeprom } from '../testing/kubeprom';
import { defaultOptions, type QueryHelperValue } from '../types';
import { customMetricInfo, helperCustomMetric, helperMetrics, helperToSpec } from './queryHelper';
import { classifyQueries } from './roles';

const kp = realKubeprom();
const metric = (id: string) => kp.listMetrics().find((m) => m.id === id);

describe('query helper', () => {
  it('builds a QuerySpec with only the filters the metric accepts', () => {
    const m = metric('kueue_pending_workloads');
    expect(m).toBeDefined();
    const spec = helperToSpec(
      { metric: 'kueue_pending_workloads', namespace: 'kueue-system', container: 'manager', node: ' ', window: '10m' },
      m
    );
    // kueue metrics take no container or node filter; a gauge has no window.
    expect(spec).toEqual({ metric: 'kueue_pending_workloads', namespace: 'kueue-system', variables: 'regex' });
    expect(helperToSpec({}, undefined)).toBeUndefined();
  });

  it('offers in Kueue mode only the metrics its table shows, each of them in the catalog', () => {
    const ids = helperMetrics(kp.listMetrics(), 'kueue').map((m) => m.id);
    expect(ids.sort()).toEqual([
      'kueue_admission_wait_time',
      'kueue_local_queue_admission_wait_time',
      'kueue_local_queue_pending_workloads',
      'kueue_local_queue_unadmitted_workloads',
      'kueue_pending_workloads',
      'kueue_unadmitted_workloads',
    ]);
    // Each one's query gets a column of the table, none the notice of what is not shown.
    const targets = ids.map((id, i) => ({ refId: String.fromCharCode(65 + i), expr: kp.buildQuery({ metric: id }) }));
    const roles = classifyQueries(targets, [], { ...defaultOptions, mode: 'kueue' }).map((q) => q.role);
    expect(roles.filter((r) => r === 'kueue-unsupported')).toEqual([]);
    expect(new Set(roles)).toEqual(new Set(['kueue-pending', 'kueue-wait', 'kueue-unadmitted']));
    expect(helperMetrics(kp.listMetrics(), 'pods')).toHaveLength(kp.listMetrics().length);
  });

  it('keeps a Grafana variable as a variable, and a literal as an exact literal', () => {
    const m = metric('pod_cpu_usage');
    const withVar = kp.buildQuery(
      helperToSpec({ metric: 'pod_cpu_usage', namespace: '$namespace', window: '$__rate_interval' }, m)!
    );
    expect(withVar).toContain('namespace=~"$namespace"');
    expect(withVar).toContain('[$__rate_interval]');
    const exact = kp.buildQuery(
      helperToSpec({ metric: 'pod_cpu_usage', namespace: '$namespace', variables: 'exact' }, m)!
    );
    expect(exact).toContain('namespace="$namespace"');
    // A value that is not a variable reference stays a literal, quotes escaped.
    const literal = kp.buildQuery(helperToSpec({ metric: 'pod_cpu_usage', namespace: 'a"} or vector(1) #' }, m)!);
    expect(literal).toContain('namespace="a\\"} or vector(1) #"');
  });

  it('passes a workload and a quantile on', () => {
    const spec = helperToSpec(
      { metric: 'pod_memory_working_set', workloadKind: 'Deployment', workloadName: 'web', quantile: 0.5 },
      metric('pod_memory_working_set')
    );
    expect(spec).toEqual({
      metric: 'pod_memory_working_set',
      workload: { kind: 'Deployment', name: 'web' },
      variables: 'regex',
    });
    const q = helperToSpec({ metric: 'kueue_admission_wait_time', quantile: 0.5 }, metric('kueue_admission_wait_time'));
    expect(q?.quantile).toBe(0.5);
    expect(kp.buildQuery(q!)).toContain('histogram_quantile(0.5,');
  });

  it("builds the user's own metric with the filters its scope accepts", () => {
    const value: QueryHelperValue = {
      source: 'custom',
      custom: {
        series: 'orders_processed_total',
        unit: 'ops/s' as const,
        kind: 'rate' as const,
        matchers: ' job = shop/web \n\ntier=a"b',
      },
      namespace: '$namespace',
      container: 'app',
      window: '$__rate_interval',
      workloadKind: 'Deployment' as const,
      workloadName: 'web',
    };
    const spec = (v: QueryHelperValue) =>
      helperToSpec(v, customMetricInfo(v.custom), helperCustomMetric(v.custom, kp).metric);
    // Per pod by default: the container filter does not apply.
    expect(spec(value)).toEqual({
      metric: {
        series: 'orders_processed_total',
        unit: 'ops/s',
        kind: 'rate',
        scope: 'pod',
        matchers: { job: 'shop/web', tier: 'a"b' },
      },
      namespace: '$namespace',
      workload: { kind: 'Deployment', name: 'web' },
      window: '$__rate_interval',
      variables: 'regex',
    });
    const promql = kp.buildQuery(spec(value)!);
    expect(promql).toContain(
      'rate(orders_processed_total{job="shop/web", tier="a\\"b", namespace=~"$namespace"}[$__rate_interval])'
    );
    expect(promql).toContain('max without (instance, job, service, endpoint');
    expect(spec({ ...value, custom: { ...value.custom, scope: 'container' as const } })?.container).toBe('app');
    // A gauge has no window.
    expect(spec({ ...value, custom: { ...value.custom, kind: 'gauge' as const } })?.window).toBeUndefined();
  });

  it('builds nothing for an incomplete own metric, and names the line the core cannot read', () => {
    const incomplete = { series: 'x', kind: 'gauge' as const };
    expect(helperCustomMetric(incomplete, kp)).toEqual({});
    const bad = helperCustomMetric({ series: 'x', unit: 'count', kind: 'gauge', matchers: 'job=a\noops' }, kp);
    expect(bad.metric).toBeUndefined();
    expect(bad.problem).toContain('line 2: "oops" is not label=value');
    expect(
      helperToSpec({ source: 'custom', custom: incomplete }, customMetricInfo(incomplete), undefined)
    ).toBeUndefined();
    // The catalog choice is kept while the user tries their own, and comes back.
    expect(
      helperToSpec({ source: 'catalog', metric: 'pod_cpu_usage', custom: incomplete }, metric('pod_cpu_usage'))?.metric
    ).toBe('pod_cpu_usage');
  });
});
