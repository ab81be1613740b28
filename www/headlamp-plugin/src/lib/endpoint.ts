/*
 * Where Prometheus (or a Prometheus-compatible API) lives, and how to reach it.
 *
 * In-cluster endpoints are reached through Headlamp's backend, which forwards
 * `/clusters/<cluster>/api/v1/namespaces/<ns>/services/<scheme:name:port>/proxy/<path>` to the
 * Kubernetes API server's service proxy with the user's credentials.
 */
import { PrometheusClient } from 'kubeprom';

/** A Kubernetes service (or pod) behind the API server proxy, or a plain URL. */
export type Endpoint =
  | {
      kind: 'service' | 'pod';
      namespace: string;
      name: string;
      /** Port number or port name. */
      port: string;
      scheme?: 'http' | 'https';
      /** Path under the service where the Prometheus API lives, e.g. '/select/0/prometheus'. */
      path?: string;
    }
  | { kind: 'url'; url: string };

/** How Headlamp's backend is reached from the page. */
export interface Backend {
  /** Origin plus base path of Headlamp's backend, without a trailing slash ('' = this page). */
  origin: string;
  headers: Record<string, string>;
}

export class AddressError extends Error {}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT = /^([0-9]{1,5}|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

function normalizePath(path: string | undefined): string | undefined {
  if (!path) {
    return undefined;
  }
  const trimmed = path.replace(/\/+$/, '');
  if (!trimmed || trimmed === '/') {
    return undefined;
  }
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * Parses an address from the settings.
 *
 * Accepted forms:
 * - `namespace/service:port` (what Headlamp's Prometheus plugin accepts)
 * - `namespace/https:service:port` (the API server proxy's scheme prefix)
 * - either of these followed by a sub-path: `vm/vmselect:8481/select/0/prometheus`
 * - a full `http://` or `https://` URL, fetched directly by the browser (needs CORS)
 */
export function parseAddress(input: string): Endpoint {
  const text = input.trim();
  if (!text) {
    throw new AddressError('The address is empty.');
  }
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new AddressError(`"${text}" is not a valid URL.`);
    }
    return { kind: 'url', url: url.href.replace(/\/+$/, '') };
  }
  const firstSlash = text.indexOf('/');
  if (firstSlash < 0) {
    throw new AddressError('Use namespace/service:port, optionally followed by /sub/path.');
  }
  const namespace = text.slice(0, firstSlash);
  const rest = text.slice(firstSlash + 1);
  const pathStart = rest.indexOf('/');
  const target = pathStart < 0 ? rest : rest.slice(0, pathStart);
  const path = pathStart < 0 ? undefined : rest.slice(pathStart);
  const parts = target.split(':');
  let scheme: 'http' | 'https' | undefined;
  if (parts.length === 3) {
    const s = parts.shift()!;
    if (s !== 'http' && s !== 'https') {
      throw new AddressError(`Unknown scheme "${s}"; use http or https.`);
    }
    scheme = s;
  }
  if (parts.length !== 2) {
    throw new AddressError('Use namespace/service:port (the port is required).');
  }
  const [name, port] = parts;
  if (!DNS_LABEL.test(namespace)) {
    throw new AddressError(`"${namespace}" is not a valid namespace name.`);
  }
  if (!DNS_LABEL.test(name)) {
    throw new AddressError(`"${name}" is not a valid service name.`);
  }
  if (!PORT.test(port) || (/^[0-9]+$/.test(port) && (+port < 1 || +port > 65535))) {
    throw new AddressError(`"${port}" is not a valid port number or name.`);
  }
  const endpoint: Endpoint = { kind: 'service', namespace, name, port };
  if (scheme) {
    endpoint.scheme = scheme;
  }
  const normalized = normalizePath(path);
  if (normalized) {
    endpoint.path = normalized;
  }
  return endpoint;
}

/** The endpoint as the user would type it in the settings. */
export function formatEndpoint(endpoint: Endpoint): string {
  if (endpoint.kind === 'url') {
    return endpoint.url;
  }
  const scheme = endpoint.scheme ? `${endpoint.scheme}:` : '';
  const kind = endpoint.kind === 'pod' ? 'pod ' : '';
  return `${kind}${endpoint.namespace}/${scheme}${endpoint.name}:${endpoint.port}${
    endpoint.path ?? ''
  }`;
}

/** A Prometheus client for the endpoint, in the given Headlamp cluster. */
export function makeClient(
  endpoint: Endpoint,
  cluster: string,
  backend: Backend,
  timeoutMs = 30000
): PrometheusClient {
  if (endpoint.kind === 'url') {
    return new PrometheusClient({ baseUrl: endpoint.url, timeoutMs });
  }
  if (endpoint.kind === 'service') {
    return PrometheusClient.headlampServiceProxy({
      cluster,
      namespace: endpoint.namespace,
      service: endpoint.name,
      port: endpoint.port,
      scheme: endpoint.scheme,
      path: endpoint.path,
      origin: backend.origin || undefined,
      headers: backend.headers,
      timeoutMs,
    });
  }
  // Pods are proxied like services; the shim only names the service form.
  const seg = (s: string) => encodeURIComponent(s);
  const scheme = endpoint.scheme ? `${endpoint.scheme}:` : '';
  const baseUrl =
    `${backend.origin}/clusters/${seg(cluster)}/api/v1/namespaces/${seg(endpoint.namespace)}` +
    `/pods/${scheme}${seg(endpoint.name)}:${seg(endpoint.port)}/proxy${endpoint.path ?? ''}`;
  return new PrometheusClient({ baseUrl, headers: backend.headers, timeoutMs });
}
