/*
 * Turning failures into messages a Headlamp user can act on.
 *
 * kubeprom rejects with KubepromError { kind, message, status? }; Headlamp's ApiProxy rejects
 * with an Error carrying `status`. Both are read by shape so this module needs no WebAssembly.
 */
import type { Endpoint } from './endpoint';

export interface ErrorDescription {
  /** KubepromError kind ('http', 'network', 'bad_data', ...) or 'error'. */
  kind: string;
  status?: number;
  message: string;
  /** One line: "kind (status): message". */
  summary: string;
  /** What to do about it, when we know. */
  hint?: string;
}

function proxyResource(endpoint?: Endpoint) {
  if (!endpoint || endpoint.kind === 'url') {
    return undefined;
  }
  return {
    resource: endpoint.kind === 'pod' ? 'pods/proxy' : 'services/proxy',
    namespace: endpoint.namespace,
  };
}

export function describeError(error: unknown, endpoint?: Endpoint): ErrorDescription {
  const e = error as
    | { kind?: unknown; status?: unknown; message?: unknown; hint?: unknown }
    | undefined;
  const kind = typeof e?.kind === 'string' ? e.kind : 'error';
  const status = typeof e?.status === 'number' ? e.status : undefined;
  let message =
    typeof e?.message === 'string' && e.message ? e.message : String(error ?? 'unknown error');
  message = message.trim();
  const summary = `${kind}${status !== undefined ? ` (HTTP ${status})` : ''}: ${message}`;
  const proxy = proxyResource(endpoint);
  let hint: string | undefined;
  if (status === 403 && proxy) {
    // The API server's message names the verb and resource but not always the namespace, and
    // never the rule to add: say both.
    hint =
      `Your Kubernetes user is not allowed to use the API server proxy: it needs the "get" verb ` +
      `on "${proxy.resource}" in namespace "${proxy.namespace}" (a Role or ClusterRole rule ` +
      `{apiGroups: [""], resources: ["${proxy.resource}"], verbs: ["get"]}).`;
  } else if (status === 401) {
    hint = 'The cluster rejected your credentials; log in to the cluster again.';
  } else if (status === 404 && proxy) {
    hint = `The ${proxy.resource
      .split('/')[0]
      .replace(/s$/, '')} or its port does not exist; check the address in the plugin settings.`;
  } else if (status === 502 || status === 503 || status === 504) {
    hint = 'Prometheus (or the proxy in front of it) is not available right now.';
  } else if (kind === 'network') {
    hint = 'The request did not reach Prometheus: check that it is running and reachable.';
  } else if (kind === 'timeout') {
    hint = 'Prometheus did not answer in time; try a shorter range.';
  } else if (kind === 'malformed') {
    hint = 'The answer is not a Prometheus API response: check the port and sub-path.';
  }
  // An error that already explains itself (detection failures carry their candidate's hint).
  if (!hint && typeof e?.hint === 'string' && e.hint) hint = e.hint;
  return { kind, status, message, summary, hint };
}

/** Requests we cancelled ourselves are not failures to show. */
export function isAbort(error: unknown): boolean {
  const e = error as { kind?: unknown; name?: unknown } | undefined;
  return e?.kind === 'aborted' || e?.name === 'AbortError';
}
