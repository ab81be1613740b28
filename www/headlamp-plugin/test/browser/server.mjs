/*
 * A stand-in for Headlamp's backend on 127.0.0.1, enough for the plugin:
 *
 * - serves the harness page (/c/<cluster>/harness) and the built plugin (/plugin/main.js);
 * - answers the Kubernetes list calls detection makes (/clusters/<c>/api/v1/services|pods);
 * - answers the metrics API (/clusters/<c>/apis/metrics.k8s.io/v1beta1/...) like metrics-server,
 *   with the dataset's container usage as Kubernetes quantities;
 * - proxies /clusters/<c>/api/v1/namespaces/<ns>/services/<svc>:<port>/proxy/<path> to the test
 *   harness's real Prometheus, like the API server's service proxy, including its failure
 *   answers (Status objects with 503 when the service has no endpoints or refuses the
 *   connection, 403 when RBAC forbids services/proxy).
 */
import { createReadStream, existsSync, statSync } from 'fs';
import { createServer } from 'http';
import { dirname, extname, join, normalize } from 'path';
import { fileURLToPath } from 'url';

const here = dirname(fileURLToPath(import.meta.url));
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

/** The services the fake cluster has, with the Prometheus URL path each one forwards to. */
const SERVICES = [
  {
    namespace: 'monitoring',
    name: 'prometheus-k8s',
    labels: {
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/part-of': 'kube-prometheus',
    },
    ports: [
      { name: 'web', port: 9090, protocol: 'TCP' },
      { name: 'reloader-web', port: 8080, protocol: 'TCP' },
    ],
    prometheusPort: 9090,
    prefix: '',
  },
  {
    // A VictoriaMetrics-style endpoint whose Prometheus API lives under a sub-path.
    namespace: 'vm',
    name: 'vmselect',
    labels: { 'app.kubernetes.io/name': 'vmselect' },
    ports: [{ name: 'http', port: 8481, protocol: 'TCP' }],
    prometheusPort: 8481,
    prefix: '/select/0/prometheus',
  },
];

/**
 * metrics-server's PodMetrics for a pod of the dataset: each container's usage from
 * expected.json, written in the quantity forms metrics-server and the API server use (CPU in
 * n/u/m, memory in Ki/Mi/plain bytes), varying by container so the plugin reads all of them.
 */
const CPU_FORMS = [
  c => `${Math.round(c * 1e9)}n`,
  c => `${Math.round(c * 1e3)}m`,
  c => `${Math.round(c * 1e6)}u`,
];
const MEMORY_FORMS = [
  b => (b % 1024 === 0 ? `${b / 1024}Ki` : `${b}`),
  b => `${b}`,
  b => (b % 1048576 === 0 ? `${b / 1048576}Mi` : `${b}`),
  b => (b % 1000 === 0 ? `${b / 1000}e3` : `${b}`),
];
let formIndex = 0;
function podMetrics(p, scale = 1) {
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: p.pod, namespace: p.namespace },
    timestamp: new Date().toISOString(),
    window: '15s',
    containers: Object.entries(p.containers).map(([name, c]) => {
      const i = formIndex++;
      return {
        name,
        usage: {
          cpu: CPU_FORMS[i % CPU_FORMS.length](c.cpu * scale),
          memory: MEMORY_FORMS[i % MEMORY_FORMS.length](Math.round(c.memory * scale)),
        },
      };
    }),
  };
}

function status(res, code, reason, message) {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(body);
}

function matches(labels, selector) {
  return selector
    .split(',')
    .filter(Boolean)
    .every(kv => {
      const [k, v] = kv.split('=');
      return labels[k] === v;
    });
}

function serveFile(res, file) {
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404);
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

/**
 * mode: 'ok' | 'history' (as ok, the proxy going to `historyUrl`, the right-sizing dataset's
 * Prometheus) | 'unavailable' (503, no endpoints) | 'refused' (Prometheus' port refuses
 * connections) | 'forbidden' (403 on services/proxy) | 'no-prometheus' (no labelled service).
 * options: { admin: true } labels the vmselect service headlamp-prometheus=true with the
 * annotations that say how to reach it (the admin default; `adminAnnotations` adds more);
 * { metricsServer: false } makes the
 * metrics API absent (404, as without metrics-server); { metricsServerScale: 0.5 } makes it
 * answer half of every usage (a Prometheus that counts twice, seen from metrics-server).
 * `pods` (expected.json's pods) feed the metrics.k8s.io answers.
 */
export async function startServer({
  prometheusUrl,
  historyUrl,
  pluginDist,
  refusedUrl,
  pods = {},
}) {
  let mode = 'ok';
  let options = {};
  const queries = [];
  /** Label selectors of the service and pod lists, for "detection runs once". */
  const lists = [];
  /** Service-proxy paths as requested, for the scheme and sub-path checks. */
  const proxied = [];
  const services = () =>
    SERVICES.map(s =>
      options.admin && s.name === 'vmselect'
        ? {
            ...s,
            labels: { ...s.labels, 'headlamp-prometheus': 'true' },
            annotations: {
              'headlamp-prometheus/port': '8481',
              'headlamp-prometheus/path': '/select/0/prometheus',
              ...options.adminAnnotations,
            },
          }
        : s
    );
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    try {
      if (/^\/c\/[^/]+\/harness\/?$/.test(path))
        return serveFile(res, join(here, '.build/index.html'));
      if (path.startsWith('/harness/')) {
        const file = normalize(join(here, '.build', path.slice('/harness/'.length)));
        if (!file.startsWith(join(here, '.build'))) return status(res, 403, 'Forbidden', 'no');
        return serveFile(res, file);
      }
      if (path === '/plugin/main.js') return serveFile(res, join(pluginDist, 'main.js'));

      let m = path.match(/^\/clusters\/([^/]+)\/api\/v1\/(services|pods)$/);
      if (m) {
        const kind = m[2];
        const selector = url.searchParams.get('labelSelector') ?? '';
        lists.push(`${kind}?${selector}`);
        const items =
          kind === 'services' && mode !== 'no-prometheus'
            ? services()
                .filter(s => matches(s.labels, selector))
                .map(s => ({
                  metadata: {
                    name: s.name,
                    namespace: s.namespace,
                    labels: s.labels,
                    annotations: s.annotations,
                  },
                  spec: { ports: s.ports },
                }))
            : [];
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: kind === 'services' ? 'ServiceList' : 'PodList',
            apiVersion: 'v1',
            items,
          })
        );
        return;
      }

      m = path.match(
        /^\/clusters\/([^/]+)\/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/
      );
      if (m) {
        if (options.metricsServer === false) {
          return status(res, 404, 'NotFound', 'the server could not find the requested resource');
        }
        const [, , namespace, name] = m;
        const inNamespace = Object.values(pods).filter(p => p.namespace === namespace);
        if (name !== undefined) {
          const p = inNamespace.find(x => x.pod === decodeURIComponent(name));
          if (!p)
            return status(res, 404, 'NotFound', `podmetrics.metrics.k8s.io "${name}" not found`);
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify(podMetrics(p, options.metricsServerScale)));
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            kind: 'PodMetricsList',
            apiVersion: 'metrics.k8s.io/v1beta1',
            metadata: {},
            items: inNamespace.map(p => podMetrics(p, options.metricsServerScale)),
          })
        );
      }

      m = path.match(
        /^\/clusters\/([^/]+)\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/
      );
      if (m) {
        proxied.push(`${path}${url.search}`);
        const [, , namespace, target, rest = '/'] = m;
        const parts = decodeURIComponent(target).split(':');
        const [name, port] = parts.length === 3 ? parts.slice(1) : parts;
        const svc = SERVICES.find(
          s =>
            s.namespace === namespace &&
            s.name === name &&
            s.ports.some(p => String(p.port) === port || p.name === port)
        );
        if (!svc) return status(res, 404, 'NotFound', `services "${name}" not found`);
        if (mode === 'forbidden') {
          return status(
            res,
            403,
            'Forbidden',
            `services "${name}" is forbidden: User "jane" cannot get resource "services/proxy" in API group "" in the namespace "${namespace}"`
          );
        }
        if (mode === 'unavailable') {
          return status(
            res,
            503,
            'ServiceUnavailable',
            `no endpoints available for service "${name}"`
          );
        }
        if (!rest.startsWith(svc.prefix)) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('404 page not found');
          return;
        }
        const upstream =
          mode === 'refused' ? refusedUrl : mode === 'history' ? historyUrl : prometheusUrl;
        const forwarded = `${upstream}${rest.slice(svc.prefix.length)}${url.search}`;
        if (rest.includes('/api/v1/query')) queries.push(url.searchParams.get('query'));
        let answer;
        try {
          answer = await fetch(forwarded);
        } catch (e) {
          const cause = e?.cause?.code ?? e?.message;
          return status(
            res,
            503,
            'ServiceUnavailable',
            `error trying to reach service: dial tcp ${new URL(upstream).host}: connect: ${
              cause === 'ECONNREFUSED' ? 'connection refused' : cause
            }`
          );
        }
        const body = Buffer.from(await answer.arrayBuffer());
        res.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/octet-stream',
        });
        res.end(body);
        return;
      }
      status(res, 404, 'NotFound', `the server could not find the requested resource (${path})`);
    } catch (e) {
      res.writeHead(500);
      res.end(String(e?.stack ?? e));
    }
  });
  await new Promise(ok => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    setMode(m, o = {}) {
      mode = m;
      options = o;
    },
    queries,
    lists,
    proxied,
    close: () => new Promise(ok => server.close(ok)),
  };
}
