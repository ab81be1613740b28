import { describe, expect, it } from 'vitest';
import type { K8sObject, ObjectKind } from './detect';
import { candidatePorts, DETECTION_RULES, DetectionError, detectPrometheus } from './detect';
import type { Endpoint } from './endpoint';
import { formatEndpoint } from './endpoint';
import { describeError } from './errors';

const svc = (
  namespace: string,
  name: string,
  ports: { name?: string; port: number }[],
  labels: Record<string, string> = {},
  annotations?: Record<string, string>
): K8sObject => ({ metadata: { name, namespace, labels, annotations }, spec: { ports } });

/** A fake cluster: objects with labels; list() filters by an equality label selector. */
function cluster(
  objects: { kind: ObjectKind; obj: K8sObject }[],
  opts: { forbidden?: ObjectKind[] } = {}
) {
  const listed: string[] = [];
  return {
    listed,
    list: async (kind: ObjectKind, selector: string) => {
      listed.push(`${kind}?${selector}`);
      if (opts.forbidden?.includes(kind)) {
        throw Object.assign(new Error(`${kind} is forbidden`), { status: 403 });
      }
      const wanted = selector.split(',').map(kv => kv.split('='));
      return objects
        .filter(o => o.kind === kind)
        .map(o => o.obj)
        .filter(o => wanted.every(([k, v]) => o.metadata.labels?.[k] === v));
    },
  };
}

function prober(answering: string[]) {
  const probed: string[] = [];
  return {
    probed,
    probe: async (e: Endpoint) => {
      probed.push(formatEndpoint(e));
      if (!answering.includes(formatEndpoint(e))) {
        throw Object.assign(new Error('connection refused'), { kind: 'network' });
      }
    },
  };
}

describe('candidatePorts', () => {
  it('prefers the web port of kube-prometheus-stack over the config reloader', () => {
    const s = svc('monitoring', 'kps-prometheus', [
      { name: 'reloader-web', port: 8080 },
      { name: 'http-web', port: 9090 },
    ]);
    expect(candidatePorts(s, [9090])).toEqual(['9090', '8080']);
  });

  it('uses the rule’s port numbers when no name says web, and 9090 when nothing is declared', () => {
    expect(
      candidatePorts(
        svc('vm', 'vmsingle', [
          { name: 'x', port: 1234 },
          { name: 'y', port: 8428 },
        ]),
        [8428]
      )
    ).toEqual(['8428', '1234']);
    expect(candidatePorts({ metadata: { name: 'p' }, spec: { containers: [{}] } }, [9090])).toEqual(
      ['9090']
    );
  });

  it('takes the port from the admin annotation when present', () => {
    const s = svc(
      'm',
      'p',
      [{ name: 'http-web', port: 9090 }],
      {},
      { 'headlamp-prometheus/port': 'https-web' }
    );
    expect(candidatePorts(s, [9090])).toEqual(['https-web']);
  });
});

describe('detectPrometheus', () => {
  it('prefers the headlamp-prometheus=true label over common installations', async () => {
    const c = cluster([
      {
        kind: 'services',
        obj: svc('monitoring', 'prometheus-k8s', [{ name: 'web', port: 9090 }], {
          'app.kubernetes.io/name': 'prometheus',
        }),
      },
      {
        kind: 'services',
        obj: svc('team', 'my-prom', [{ name: 'http', port: 9090 }], {
          'headlamp-prometheus': 'true',
        }),
      },
    ]);
    const p = prober(['monitoring/prometheus-k8s:9090', 'team/my-prom:9090']);
    const found = await detectPrometheus({ list: c.list, probe: p.probe });
    expect(formatEndpoint(found.endpoint)).toBe('team/my-prom:9090');
    expect(found.why).toContain('headlamp-prometheus=true');
    expect(p.probed).toEqual(['team/my-prom:9090']);
  });

  it('finds kube-prometheus-stack and skips a candidate that does not answer', async () => {
    const c = cluster([
      {
        kind: 'services',
        obj: svc(
          'monitoring',
          'kps-prometheus',
          [
            { name: 'http-web', port: 9090 },
            { name: 'reloader-web', port: 8080 },
          ],
          {
            app: 'kube-prometheus-stack-prometheus',
          }
        ),
      },
    ]);
    const p = prober(['monitoring/kps-prometheus:8080']);
    const found = await detectPrometheus({ list: c.list, probe: p.probe });
    expect(formatEndpoint(found.endpoint)).toBe('monitoring/kps-prometheus:8080');
    expect(found.attempts.map(a => a.outcome)).toContain(
      'did not answer: network: connection refused'
    );
  });

  it('probes the vmselect sub-path', async () => {
    const c = cluster([
      {
        kind: 'services',
        obj: svc('vm', 'vmselect-main', [{ name: 'http', port: 8481 }], {
          'app.kubernetes.io/name': 'vmselect',
        }),
      },
    ]);
    const p = prober(['vm/vmselect-main:8481/select/0/prometheus']);
    const found = await detectPrometheus({ list: c.list, probe: p.probe });
    expect(found.endpoint).toMatchObject({ kind: 'service', path: '/select/0/prometheus' });
  });

  it('finds VictoriaMetrics single-node and Thanos Query services on their ports', async () => {
    const cases: [Record<string, string>, { name: string; port: number }[], string][] = [
      [{ 'app.kubernetes.io/name': 'vmsingle' }, [{ name: 'http', port: 8429 }], 'vm/x:8429'],
      [
        { 'app.kubernetes.io/name': 'victoria-metrics-single' },
        [{ name: 'api', port: 8428 }],
        'vm/x:8428',
      ],
      [
        { 'app.kubernetes.io/name': 'thanos-query' },
        [
          { name: 'grpc', port: 10901 },
          { name: 'http', port: 9090 },
        ],
        'vm/x:9090',
      ],
      [
        { 'app.kubernetes.io/name': 'thanos', 'app.kubernetes.io/component': 'query' },
        [
          { name: 'grpc', port: 10901 },
          { name: 'query', port: 10902 },
        ],
        'vm/x:10902',
      ],
    ];
    for (const [labels, ports, want] of cases) {
      const c = cluster([{ kind: 'services', obj: svc('vm', 'x', ports, labels) }]);
      const p = prober([want]);
      const found = await detectPrometheus({ list: c.list, probe: p.probe });
      expect(formatEndpoint(found.endpoint), JSON.stringify(labels)).toBe(want);
      expect(found.admin).toBe(false);
    }
  });

  it('uses pods only while they run', async () => {
    const pod = (name: string, phase: string): K8sObject => ({
      metadata: { name, namespace: 'mon', labels: { 'app.kubernetes.io/name': 'prometheus' } },
      spec: { containers: [{ ports: [{ name: 'web', containerPort: 9090 }] }] },
      status: { phase },
    });
    const c = cluster([
      { kind: 'pods', obj: pod('prometheus-old', 'Failed') },
      { kind: 'pods', obj: pod('prometheus-0', 'Running') },
    ]);
    const p = prober(['pod mon/prometheus-0:9090']);
    const found = await detectPrometheus({ list: c.list, probe: p.probe });
    expect(found.endpoint).toEqual({
      kind: 'pod',
      namespace: 'mon',
      name: 'prometheus-0',
      port: '9090',
    });
    expect(p.probed).toEqual(['pod mon/prometheus-0:9090']);
  });

  it('explains what it tried when nothing is found, including forbidden lists', async () => {
    const c = cluster([], { forbidden: ['pods'] });
    const p = prober([]);
    const failure = await detectPrometheus({ list: c.list, probe: p.probe }).catch(e => e);
    expect(failure).toBeInstanceOf(DetectionError);
    const attempts = (failure as DetectionError).attempts;
    expect(attempts).toHaveLength(DETECTION_RULES.length);
    const pods = attempts.find(a => a.what.startsWith('pods'))!.outcome;
    expect(pods).toContain('could not list: error (HTTP 403)');
    expect(pods).toContain('the "list" verb on "pods" in all namespaces');
    expect(attempts.find(a => a.what.startsWith('services'))!.outcome).toBe('none found');
    expect(failure.message).toContain('headlamp-prometheus=true');
    expect(failure.kind).toBe('not_found');
  });

  it('carries the RBAC rule a forbidden probe needs, with the namespace', async () => {
    const c = cluster([
      {
        kind: 'services',
        obj: svc('monitoring', 'prometheus-k8s', [{ name: 'web', port: 9090 }], {
          'app.kubernetes.io/name': 'prometheus',
        }),
      },
    ]);
    const forbidden = {
      list: c.list,
      probe: async () => {
        throw Object.assign(new Error('services "prometheus-k8s" is forbidden'), {
          kind: 'http',
          status: 403,
        });
      },
    };
    const failure = (await detectPrometheus(forbidden).catch(e => e)) as DetectionError;
    expect(failure.status).toBe(403);
    const d = describeError(failure);
    expect(d.hint).toContain('"get" verb on "services/proxy" in namespace "monitoring"');
  });

  it('reports the failure of a found Prometheus rather than "not found"', async () => {
    const c = cluster([
      {
        kind: 'services',
        obj: svc('monitoring', 'prometheus-k8s', [{ name: 'web', port: 9090 }], {
          'app.kubernetes.io/name': 'prometheus',
        }),
      },
    ]);
    const down = {
      list: c.list,
      probe: async () => {
        throw Object.assign(new Error('no endpoints available for service "prometheus-k8s"'), {
          kind: 'http',
          status: 503,
        });
      },
    };
    const failure = (await detectPrometheus(down).catch(e => e)) as DetectionError;
    expect(failure).toBeInstanceOf(DetectionError);
    expect(failure.kind).toBe('http');
    expect(failure.status).toBe(503);
    expect(failure.message).toBe(
      'Prometheus at monitoring/prometheus-k8s:9090 (service labelled app.kubernetes.io/name=prometheus) did not answer: no endpoints available for service "prometheus-k8s"'
    );
  });

  it('probes each endpoint once even when several rules match it', async () => {
    const s = svc('monitoring', 'prometheus', [{ name: 'web', port: 9090 }], {
      'app.kubernetes.io/name': 'prometheus',
      'operated-prometheus': 'true',
    });
    const c = cluster([{ kind: 'services', obj: s }]);
    const p = prober([]);
    await detectPrometheus({ list: c.list, probe: p.probe }).catch(() => undefined);
    expect(p.probed).toEqual(['monitoring/prometheus:9090']);
  });
});
