// @vitest-environment node
import type { QueryResult, Target } from 'kubeprom';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeClient, loadKubepromForTests, vectorBody } from '../testing/kubeprom';
import { planKueue, queueRows } from './kueue';
import { loadKueue, loadOperators } from './load';
import type { OperatorInputs } from './operators';
import { operatorForWorkload, operatorHealth, OPERATORS } from './operators';

beforeAll(loadKubepromForTests);

const vec = (series: { labels: Record<string, string>; value: number }[]): QueryResult => ({
  resultType: 'vector',
  warnings: [],
  infos: [],
  series: series.map(s => ({
    labels: s.labels,
    timestamps: Float64Array.of(1),
    values: Float64Array.of(s.value),
  })),
});
const none = vec([]);
const def = (id: string) => OPERATORS.find(o => o.id === id)!;
const inputs = (over: Partial<OperatorInputs>): OperatorInputs => ({
  up: none,
  rate: none,
  errors: none,
  depth: none,
  targets: [],
  ...over,
});

describe('operatorHealth', () => {
  it('is down when its only scrape target is down', () => {
    const h = operatorHealth(
      def('spark-operator'),
      inputs({
        up: vec([
          {
            labels: {
              job: 'spark-operator',
              namespace: 'spark-operator',
              instance: '10.0.4.1:8080',
            },
            value: 0,
          },
        ]),
      })
    );
    expect(h.state).toBe('down');
    expect(h.reason).toContain('spark-operator 10.0.4.1:8080');
  });

  it('uses the last scrape error from the targets API', () => {
    const target: Target = {
      job: 'kuberay-operator',
      scrapePool: 'serviceMonitor/ray-system/kuberay-operator/0',
      scrapeUrl: 'http://10.0.3.1:8080/metrics',
      health: 'down',
      lastError: 'connection refused',
      lastScrape: 1,
      labels: { job: 'kuberay-operator', namespace: 'ray-system', instance: '10.0.3.1:8080' },
    };
    const h = operatorHealth(def('kuberay'), inputs({ targets: [target] }));
    expect(h.state).toBe('down');
    expect(h.reason).toContain('last error: 10.0.3.1:8080: connection refused');
  });

  it('is degraded with reconcile errors and names the controller', () => {
    const job = 'kuberay-operator';
    const h = operatorHealth(
      def('kuberay'),
      inputs({
        up: vec([{ labels: { job, namespace: 'ray-system', instance: 'a' }, value: 1 }]),
        rate: vec([
          { labels: { job, controller: 'raycluster-controller', result: 'success' }, value: 2 },
          { labels: { job, controller: 'raycluster-controller', result: 'error' }, value: 0.0125 },
          { labels: { job, controller: 'rayjob-controller', result: 'success' }, value: 0.2 },
        ]),
        errors: vec([
          { labels: { job, controller: 'raycluster-controller' }, value: 0.0125 },
          { labels: { job, controller: 'rayjob-controller' }, value: 0 },
        ]),
        depth: vec([{ labels: { job, name: 'raycluster-controller' }, value: 5 }]),
      })
    );
    expect(h.state).toBe('degraded');
    // Rates as the core writes them: per second, three significant digits.
    expect(h.reason).toBe('Reconcile errors: raycluster-controller 0.0125/s of 2.01/s.');
    expect(h.controllers).toEqual([
      { job, controller: 'raycluster-controller', rate: 2 + 0.0125, errorRate: 0.0125, depth: 5 },
      { job, controller: 'rayjob-controller', rate: 0.2, errorRate: 0, depth: null },
    ]);
  });

  it('counts each controller once per result and scraper, and only its own jobs', () => {
    const job = 'kueue-controller-manager-metrics-service';
    const h = operatorHealth(
      def('kueue'),
      inputs({
        up: vec([{ labels: { job, namespace: 'kueue-system', instance: 'a' }, value: 1 }]),
        rate: vec([
          // The same series from two Prometheus replicas: counted once.
          {
            labels: { job, controller: 'workload', result: 'success', prometheus_replica: 'a' },
            value: 3,
          },
          {
            labels: { job, controller: 'workload', result: 'success', prometheus_replica: 'b' },
            value: 3,
          },
          { labels: { job, controller: 'workload', result: 'requeue' }, value: 0.5 },
          // Already summed over results beside the results themselves: the results count.
          { labels: { job, controller: 'workload' }, value: 3.5 },
          // Another operator's controller of the same name.
          {
            labels: { job: 'kuberay-operator', controller: 'workload', result: 'success' },
            value: 9,
          },
        ]),
        depth: vec([
          { labels: { job, name: 'workload', instance: 'a' }, value: 2 },
          { labels: { job, name: 'workload', instance: 'b' }, value: 2 },
        ]),
      })
    );
    expect(h.state).toBe('healthy');
    expect(h.controllers).toEqual([
      { job, controller: 'workload', rate: 3.5, errorRate: 0, depth: 2 },
    ]);
  });

  it('explains "not scraped" from the targets API and the missing up series', () => {
    const h = operatorHealth(def('kueue'), inputs({}));
    expect(h.state).toBe('not-scraped');
    expect(h.reason).toContain('the targets API lists no target for it');
    expect(h.reason).toContain('enablePrometheus=true');
    const unreadable = operatorHealth(def('kueue'), inputs({ targets: undefined }));
    expect(unreadable.reason).toContain('could not be read');
  });

  it('does not take other operators’ series', () => {
    const h = operatorHealth(
      def('kueue'),
      inputs({
        up: vec([
          { labels: { job: 'kuberay-operator', namespace: 'ray-system', instance: 'a' }, value: 1 },
        ]),
      })
    );
    expect(h.state).toBe('not-scraped');
  });
});

describe('queueRows', () => {
  // A Kueue before 0.18 (or without UnadmittedWorkloadsObservability): those queries find nothing.
  const withoutKueue018 = { unadmitted: vec([]), pendingCpu: vec([]), pendingMemory: vec([]) };

  it('shows what unadmitted workloads wait for, the cause or else the reason, and pending requests', () => {
    const rows = queueRows({
      pending: vec([{ labels: { cluster_queue: 'cq-gpu', status: 'active' }, value: 15 }]),
      wait: vec([]),
      admitted: vec([]),
      unadmitted: vec([
        {
          labels: {
            cluster_queue: 'cq-gpu',
            reason: 'NoReservation',
            underlying_cause: 'NoMatchingFlavor',
          },
          value: 3,
        },
        {
          labels: {
            cluster_queue: 'cq-gpu',
            reason: 'NoReservation',
            underlying_cause: 'WaitingForQuota',
          },
          value: 11,
        },
        // Quota reserved: Kueue's empty underlying_cause is no label at all.
        { labels: { cluster_queue: 'cq-gpu', reason: 'UnsatisfiedAdmissionChecks' }, value: 2 },
        // The same series from a second Prometheus replica counts once.
        {
          labels: {
            cluster_queue: 'cq-gpu',
            reason: 'NoReservation',
            underlying_cause: 'WaitingForQuota',
            prometheus_replica: 'b',
          },
          value: 11,
        },
        {
          labels: {
            cluster_queue: 'cq-cpu',
            reason: 'NoReservation',
            underlying_cause: 'WaitingForQuota',
          },
          value: 4,
        },
      ]),
      pendingCpu: vec([{ labels: { cluster_queue: 'cq-gpu' }, value: 96 }]),
      pendingMemory: vec([{ labels: { cluster_queue: 'cq-gpu' }, value: 384 * 2 ** 30 }]),
    });
    expect(rows.map(r => [r.clusterQueue, r.waitingFor, r.pendingCpu, r.pendingMemory])).toEqual([
      ['cq-cpu', [{ cause: 'WaitingForQuota', workloads: 4 }], null, null],
      [
        'cq-gpu',
        [
          { cause: 'WaitingForQuota', workloads: 11 },
          { cause: 'NoMatchingFlavor', workloads: 3 },
          { cause: 'UnsatisfiedAdmissionChecks', workloads: 2 },
        ],
        96,
        384 * 2 ** 30,
      ],
    ]);
  });

  it('collects pending in all and by status, wait p95 and admission rate per cluster queue', () => {
    const rows = queueRows({
      pending: vec([
        { labels: { cluster_queue: 'b', status: 'active' }, value: 4 },
        { labels: { cluster_queue: 'a', status: 'active' }, value: 12 },
        { labels: { cluster_queue: 'a', status: 'inadmissible' }, value: 3 },
      ]),
      wait: vec([{ labels: { cluster_queue: 'a' }, value: 75 }]),
      admitted: vec([{ labels: { cluster_queue: 'b' }, value: 0.5 }]),
      ...withoutKueue018,
    });
    expect(rows).toEqual([
      {
        clusterQueue: 'a',
        pending: 15,
        active: 12,
        inadmissible: 3,
        waitP95: 75,
        admittedPerSecond: null,
        waitingFor: [],
        pendingCpu: null,
        pendingMemory: null,
      },
      {
        clusterQueue: 'b',
        pending: 4,
        active: 4,
        inadmissible: null,
        waitP95: null,
        admittedPerSecond: 0.5,
        waitingFor: [],
        pendingCpu: null,
        pendingMemory: null,
      },
    ]);
  });

  it('counts a status once per scraper, a queue total only without statuses, the largest wait', () => {
    const rows = queueRows({
      pending: vec([
        // Both Kueue replicas' series behind two Prometheus replicas: one each.
        { labels: { cluster_queue: 'cq-gpu', status: 'active', replica: 'a' }, value: 12 },
        { labels: { cluster_queue: 'cq-gpu', status: 'active', replica: 'b' }, value: 12 },
        { labels: { cluster_queue: 'cq-gpu', status: 'inadmissible' }, value: 3 },
        // A queue's total beside its statuses is not counted again.
        { labels: { cluster_queue: 'cq-gpu' }, value: 15 },
        { labels: { status: 'active' }, value: 99 },
      ]),
      // Wait quantiles per priority class do not add up: the queue shows the largest.
      wait: vec([
        { labels: { cluster_queue: 'cq-gpu', priority_class: 'high' }, value: 30 },
        { labels: { cluster_queue: 'cq-gpu', priority_class: 'low' }, value: 75 },
        { labels: { cluster_queue: 'Zeta' }, value: NaN },
      ]),
      admitted: vec([
        { labels: { cluster_queue: 'cq-gpu', instance: '10.0.0.1:8443' }, value: 0.25 },
        { labels: { cluster_queue: 'cq-gpu', instance: '10.0.0.2:8443' }, value: 0.25 },
      ]),
      ...withoutKueue018,
    });
    // Sorted as people read names (the core sorts by bytes, where "Zeta" comes first).
    expect(rows).toEqual([
      {
        clusterQueue: 'cq-gpu',
        pending: 15,
        active: 12,
        inadmissible: 3,
        waitP95: 75,
        admittedPerSecond: 0.25,
        waitingFor: [],
        pendingCpu: null,
        pendingMemory: null,
      },
      {
        clusterQueue: 'Zeta',
        pending: null,
        active: null,
        inadmissible: null,
        waitP95: NaN,
        admittedPerSecond: null,
        waitingFor: [],
        pendingCpu: null,
        pendingMemory: null,
      },
    ]);
  });
});

describe('loading through kubeprom', () => {
  it('asks for one cluster queue when given, and reads the answers', async () => {
    const plan = planKueue({ scrapeIntervalSeconds: 30 }, 'cq-gpu');
    expect(plan.pending.selector).toEqual({ cluster_queue: 'cq-gpu' });
    const client = fakeClient(({ promql }) =>
      promql.includes('kueue_pending_workloads')
        ? vectorBody([{ labels: { cluster_queue: 'cq-gpu', status: 'active' }, value: 12 }])
        : vectorBody([])
    );
    const r = await loadKueue(client, plan);
    expect(r.error).toBeUndefined();
    expect(r.rows).toEqual([
      {
        clusterQueue: 'cq-gpu',
        pending: 12,
        active: 12,
        inadmissible: null,
        waitP95: null,
        admittedPerSecond: null,
        waitingFor: [],
        pendingCpu: null,
        pendingMemory: null,
      },
    ]);
    expect(client.calls.every(c => c.promql.includes('"cq-gpu"'))).toBe(true);
  });

  it('keeps going without the targets API, and reports an outage once', async () => {
    const forbidden = Object.assign(new Error('forbidden'), { kind: 'http', status: 403 });
    const ok = await loadOperators(
      fakeClient(
        () => vectorBody([]),
        () => forbidden
      ),
      { scrapeIntervalSeconds: 30 }
    );
    expect(ok.error).toBeUndefined();
    expect(ok.targetsError?.status).toBe(403);
    expect(ok.health.map(h => h.state)).toEqual(['not-scraped', 'not-scraped', 'not-scraped']);

    const down = Object.assign(new Error('Service Unavailable'), { kind: 'http', status: 503 });
    const outage = await loadOperators(
      fakeClient(
        () => down,
        () => down
      ),
      { scrapeIntervalSeconds: 30 }
    );
    expect(outage.error?.status).toBe(503);
    expect(outage.health).toEqual([]);
  });
});

describe('operatorForWorkload', () => {
  it('recognises operator deployments by namespace or by an operator-like name', () => {
    expect(operatorForWorkload('kueue-system', 'kueue-controller-manager')?.id).toBe('kueue');
    expect(operatorForWorkload('platform', 'kuberay-operator')?.id).toBe('kuberay');
    expect(operatorForWorkload('analytics', 'spark-history-server')).toBeUndefined();
    expect(operatorForWorkload('shop', 'web')).toBeUndefined();
  });
});
