/*
 * Finding Prometheus in a cluster.
 *
 * The order is the one users of Headlamp's Prometheus plugin rely on (an explicit
 * `headlamp-prometheus=true` label first, then the labels of common installations), extended to
 * kube-prometheus-stack, the operator's `prometheus-operated` service, VictoriaMetrics and
 * Thanos Query. Every candidate is probed with a real query before it is used, and everything
 * that was tried is kept so that "not found" can say why.
 */
import type { Endpoint } from './endpoint';
import { formatEndpoint } from './endpoint';
import { describeError } from './errors';

export interface K8sMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface K8sPort {
  name?: string;
  port?: number;
  containerPort?: number;
  protocol?: string;
}
export interface K8sObject {
  metadata: K8sMeta;
  spec?: { ports?: K8sPort[]; containers?: { ports?: K8sPort[] }[] };
  status?: { phase?: string };
}

export type ObjectKind = 'services' | 'pods';

export interface DetectionRule {
  kind: ObjectKind;
  labelSelector: string;
  /** What the user reads: why this object was picked. */
  why: string;
  /** Port numbers to try first when no port name says "web"/"http". */
  ports: number[];
  /** Path of the Prometheus API under the service. */
  path?: string;
  /** The label an admin puts on the Prometheus to use: the cluster-wide default. */
  admin?: boolean;
}

/** Label every Headlamp Prometheus integration honours; admins set it to pick the instance. */
export const HEADLAMP_LABEL = 'headlamp-prometheus=true';
/** Annotations on a labelled service that refine how it is reached (admin default). */
export const ANNOTATION_PORT = 'headlamp-prometheus/port';
export const ANNOTATION_SCHEME = 'headlamp-prometheus/scheme';
export const ANNOTATION_PATH = 'headlamp-prometheus/path';
/** Admin defaults for every user of the cluster, under their own settings. */
export const ANNOTATION_PROFILE = 'headlamp-prometheus/profile';
export const ANNOTATION_CLUSTER_LABEL_VALUE = 'headlamp-prometheus/cluster-label-value';

/** Settings an admin set on the labelled Prometheus service for every user. */
export interface AdminDefaults {
  profile?: string;
  clusterLabelValue?: string;
}

export const DETECTION_RULES: DetectionRule[] = [
  {
    kind: 'services',
    labelSelector: HEADLAMP_LABEL,
    why: `service labelled ${HEADLAMP_LABEL}`,
    ports: [9090],
    admin: true,
  },
  {
    kind: 'pods',
    labelSelector: HEADLAMP_LABEL,
    why: `pod labelled ${HEADLAMP_LABEL}`,
    ports: [9090],
    admin: true,
  },
  {
    kind: 'services',
    labelSelector: 'app.kubernetes.io/name=prometheus,app.kubernetes.io/component=server',
    why: 'Prometheus server service (prometheus-community chart)',
    ports: [80, 9090],
  },
  {
    kind: 'services',
    labelSelector: 'app=kube-prometheus-stack-prometheus',
    why: 'kube-prometheus-stack Prometheus service',
    ports: [9090],
  },
  {
    kind: 'services',
    labelSelector: 'app.kubernetes.io/name=prometheus',
    why: 'service labelled app.kubernetes.io/name=prometheus',
    ports: [9090],
  },
  {
    kind: 'services',
    labelSelector: 'operated-prometheus=true',
    why: 'prometheus-operated service (Prometheus Operator)',
    ports: [9090],
  },
  {
    kind: 'pods',
    labelSelector: 'app.kubernetes.io/name=prometheus',
    why: 'pod labelled app.kubernetes.io/name=prometheus',
    ports: [9090],
  },
  {
    kind: 'services',
    labelSelector: 'app.kubernetes.io/name=vmsingle',
    why: 'VictoriaMetrics single-node service (vmsingle)',
    ports: [8428],
  },
  {
    kind: 'services',
    labelSelector: 'app.kubernetes.io/name=victoria-metrics-single',
    why: 'VictoriaMetrics single-node service (Helm chart)',
    ports: [8428],
  },
  {
    kind: 'services',
    labelSelector: 'app.kubernetes.io/name=vmselect',
    why: 'VictoriaMetrics cluster vmselect service',
    ports: [8481],
    path: '/select/0/prometheus',
  },
  {
    kind: 'services',
    labelSelector: 'app.kubernetes.io/name=thanos-query',
    why: 'Thanos Query service',
    ports: [9090, 10902],
  },
  {
    kind: 'services',
    labelSelector: 'app.kubernetes.io/name=thanos,app.kubernetes.io/component=query',
    why: 'Thanos Query service (Helm chart)',
    ports: [9090, 10902],
  },
];

const WEB_PORT_NAMES = ['http-web', 'web', 'http', 'http-query', 'http-api', 'http-prometheus'];
const NOT_PROMETHEUS_PORT = /reloader|grpc|metrics|config|oauth|thanos-sidecar|cluster/;
const MAX_PORTS_PER_OBJECT = 3;

/** Ports of a service or pod to probe, most likely first. */
export function candidatePorts(obj: K8sObject, preferred: number[]): string[] {
  const annotated = obj.metadata.annotations?.[ANNOTATION_PORT];
  if (annotated) {
    return [annotated];
  }
  const raw: K8sPort[] = obj.spec?.ports ?? obj.spec?.containers?.flatMap(c => c.ports ?? []) ?? [];
  const ports = raw
    .filter(p => !p.protocol || p.protocol === 'TCP')
    .map(p => ({ name: p.name ?? '', number: p.port ?? p.containerPort ?? 0 }))
    .filter(p => p.number > 0);
  const rank = (p: { name: string; number: number }) => {
    const byName = WEB_PORT_NAMES.indexOf(p.name);
    if (byName >= 0) {
      return byName;
    }
    const byNumber = preferred.indexOf(p.number);
    if (byNumber >= 0) {
      return WEB_PORT_NAMES.length + byNumber;
    }
    return NOT_PROMETHEUS_PORT.test(p.name) ? 1000 : 100;
  };
  const ordered = [...ports].sort((a, b) => rank(a) - rank(b) || a.number - b.number);
  const result = ordered.map(p => String(p.number));
  if (result.length === 0) {
    result.push(String(preferred[0] ?? 9090));
  }
  return [...new Set(result)].slice(0, MAX_PORTS_PER_OBJECT);
}

/** Endpoints to probe for one matching object. */
export function candidateEndpoints(obj: K8sObject, rule: DetectionRule): Endpoint[] {
  const annotations = obj.metadata.annotations ?? {};
  const scheme = annotations[ANNOTATION_SCHEME];
  const path = annotations[ANNOTATION_PATH] ?? rule.path;
  return candidatePorts(obj, rule.ports).map(port => {
    const endpoint: Endpoint = {
      kind: rule.kind === 'pods' ? 'pod' : 'service',
      namespace: obj.metadata.namespace ?? 'default',
      name: obj.metadata.name,
      port,
    };
    if (scheme === 'https' || scheme === 'http') {
      endpoint.scheme = scheme;
    }
    if (path) {
      endpoint.path = path.startsWith('/') ? path : `/${path}`;
    }
    return endpoint;
  });
}

export interface Attempt {
  what: string;
  outcome: string;
}

export interface Detected {
  endpoint: Endpoint;
  why: string;
  /** Found by the admin label (the cluster-wide default) rather than by common labels. */
  admin: boolean;
  /** With `admin`: the label profile and cluster label value its annotations set. */
  defaults: AdminDefaults;
  attempts: Attempt[];
}

/** The annotations of an object that say how to reach it, as "name=value" texts. */
function adminAnnotations(obj: K8sObject): string[] {
  const a = obj.metadata.annotations ?? {};
  return [
    ANNOTATION_PORT,
    ANNOTATION_SCHEME,
    ANNOTATION_PATH,
    ANNOTATION_PROFILE,
    ANNOTATION_CLUSTER_LABEL_VALUE,
  ]
    .filter(k => a[k])
    .map(k => `${k}=${a[k].trim()}`);
}

export class DetectionError extends Error {
  /**
   * The first candidate's failure when candidates were found but none answered (its kind,
   * status and hint, e.g. the RBAC rule a 403 asks for); 'not_found' when nothing was found.
   */
  readonly kind: string;
  readonly status?: number;
  readonly hint?: string;
  constructor(
    message: string,
    readonly attempts: Attempt[],
    cause?: { kind: string; status?: number; hint?: string }
  ) {
    super(message);
    this.kind = cause?.kind ?? 'not_found';
    this.status = cause?.status;
    this.hint = cause?.hint;
  }
}

export interface DetectDeps {
  /** Lists objects cluster-wide with a label selector (Kubernetes list API). */
  list: (kind: ObjectKind, labelSelector: string) => Promise<K8sObject[]>;
  /** Resolves when the endpoint answers a Prometheus query; rejects with the reason. */
  probe: (endpoint: Endpoint) => Promise<void>;
}

function isRunning(obj: K8sObject, kind: ObjectKind) {
  return kind !== 'pods' || !obj.status?.phase || obj.status.phase === 'Running';
}

/** Tries the rules in order and returns the first endpoint that answers. */
export async function detectPrometheus(
  deps: DetectDeps,
  rules: DetectionRule[] = DETECTION_RULES
): Promise<Detected> {
  const attempts: Attempt[] = [];
  // Listing is cheap and independent: ask for everything at once, then go in rule order.
  const listings = await Promise.allSettled(rules.map(r => deps.list(r.kind, r.labelSelector)));
  const probed = new Set<string>();
  let firstFailure:
    | { key: string; why: string; error: ReturnType<typeof describeError> }
    | undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const listing = listings[i];
    const what = `${rule.kind} with labels ${rule.labelSelector}`;
    if (listing.status === 'rejected') {
      const d = describeError(listing.reason);
      const rbac =
        d.status === 403
          ? ` (detection needs the "list" verb on "${rule.kind}" in all namespaces; or set the address in the plugin settings)`
          : '';
      attempts.push({ what, outcome: `could not list: ${d.summary}${rbac}` });
      continue;
    }
    const objects = listing.value.filter(o => isRunning(o, rule.kind));
    if (objects.length === 0) {
      attempts.push({ what, outcome: 'none found' });
      continue;
    }
    for (const obj of objects) {
      for (const endpoint of candidateEndpoints(obj, rule)) {
        const key = formatEndpoint(endpoint);
        if (probed.has(key)) {
          continue;
        }
        probed.add(key);
        try {
          await deps.probe(endpoint);
          attempts.push({ what: key, outcome: 'answered' });
          const annotated = adminAnnotations(obj);
          const why = rule.admin
            ? `${rule.kind === 'pods' ? 'pod' : 'service'} ${obj.metadata.namespace ?? 'default'}/${
                obj.metadata.name
              } labelled ${HEADLAMP_LABEL}${annotated.length ? `, ${annotated.join(', ')}` : ''}`
            : rule.why;
          const a = obj.metadata.annotations ?? {};
          const defaults: AdminDefaults = {};
          if (rule.admin && a[ANNOTATION_PROFILE]?.trim())
            defaults.profile = a[ANNOTATION_PROFILE].trim();
          if (rule.admin && a[ANNOTATION_CLUSTER_LABEL_VALUE]?.trim())
            defaults.clusterLabelValue = a[ANNOTATION_CLUSTER_LABEL_VALUE].trim();
          return { endpoint, why, admin: !!rule.admin, defaults, attempts };
        } catch (e) {
          const error = describeError(e, endpoint);
          firstFailure ??= { key, why: rule.why, error };
          attempts.push({ what: key, outcome: `did not answer: ${error.summary}` });
        }
      }
    }
  }
  if (firstFailure) {
    // Something that looks like Prometheus exists: its failure is the news, not "not found".
    throw new DetectionError(
      `Prometheus at ${firstFailure.key} (${firstFailure.why}) did not answer: ${firstFailure.error.message}`,
      attempts,
      firstFailure.error
    );
  }
  throw new DetectionError(
    'No Prometheus found: no labelled service or pod answered a Prometheus query. ' +
      `Label the service ${HEADLAMP_LABEL} or set its address in the plugin settings.`,
    attempts
  );
}
