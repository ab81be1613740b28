import { realKubeprom } from '../testing/kubeprom';
import { helperToSpec } from './queryHelper';

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
});
