// Soak test in headless Chromium: a plugin's day of polls, compressed, through kubeprom's
// public API (tests/soak/page.mjs), against a local server that plays Prometheus with a fixed
// rotation of real answers (captured once from the harness Prometheus over the bundled dataset,
// and the bench generator's large inputs), Prometheus error envelopes, proxy pages, hostile
// bodies, cut connections, slow and held responses. Checks every call's outcome, that no request
// is left in flight, and that memory plateaus: wasm memory, tables and externref slots in use
// not growing at all after the first rotation, the collected heaps not trending up, no handles
// piling up. What it checks and the figures measured: tests/soak/README.md.
//
//   node tests/soak/browser-soak.mjs [--polls 2000] [--pkg pkg] [--plant-leak js|wasm|listener|client|inflight]
//                                    [--json FILE]
//
// Prints a table of figures and `soak: N passed, N failed`; exits 1 on any failure. Not timed:
// no check looks at a duration (timeouts are the client's own `timeoutMs` against servers that
// never answer, so their outcome does not depend on the machine's speed).
import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { generate } from '../../www/bench/generate.mjs';
import { freePort, startPrometheus } from '../harness/prometheus.mjs';
import { fingerprint } from './page.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const POLLS = Number(arg('polls', 2000));
const pkgDir = resolve(root, arg('pkg', 'pkg'));
const plantLeak = arg('plant-leak', 'none');
const jsonOut = arg('json', null);
if (!Number.isInteger(POLLS) || POLLS < 1) throw new Error('--polls: a positive integer');
if (!['none', 'js', 'wasm', 'listener', 'client', 'inflight'].includes(plantLeak)) throw new Error(`--plant-leak ${plantLeak}?`);
for (const f of ['kubeprom.js', 'kubeprom_bg.wasm', 'kubeprom_unpack.js', 'kubeprom_lint.js', 'kubeprom_lint_bg.wasm']) {
  if (!existsSync(join(pkgDir, f))) {
    console.error(`browser-soak: ${join(pkgDir, f)} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}

/** Timeout of the page's short-timeout client; its servers never finish an answer, so any value works. */
const FAST_TIMEOUT_MS = 100;
/** maxBytes of the page's small client and of the local too_large calls. */
const SMALL_MAX_BYTES = 1 << 20;
/** How long the server may take to see a connection the browser gave up on close. */
const IDLE_BOUND_MS = 10000;
const SEED = 0x50a4;

// ---------------------------------------------------------------------------------------------
// Checks

let passed = 0;
let failed = 0;
const failures = [];
function check(ok, what) {
  if (ok) passed++;
  else {
    failed++;
    failures.push(what);
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Expectations computed once in Node, with the same wasm module and independently of it

const glue = await import(pathToFileURL(join(pkgDir, 'kubeprom.js')).href);
glue.initSync({ module: readFileSync(join(pkgDir, 'kubeprom_bg.wasm')) });

/** The plugin-like queries whose real answers are replayed, and how the page reads them. */
const REAL = {
  memoryShop: { spec: { metric: 'pod_memory_working_set', namespace: 'shop' }, aggregate: { unit: 'MiB' }, field: 'memoryWorkingSet', scale: 1048576 },
  cpuShop: { spec: { metric: 'pod_cpu_usage', namespace: 'shop' }, aggregate: {}, field: 'cpu' },
  restartsAll: { spec: { metric: 'pod_restarts' }, aggregate: {}, field: 'restarts' },
  memoryWeb: { spec: { metric: 'pod_memory_working_set', namespace: 'shop', workload: { kind: 'Deployment', name: 'web' } }, aggregate: {}, field: 'memoryWorkingSet', pods: ['shop/web-7d4b9c-abcde', 'shop/web-7d4b9c-fghij'] },
  memoryRequestsShop: { spec: { metric: 'pod_memory_requests', namespace: 'shop' }, aggregate: {}, field: 'memoryRequests' },
  hostileNamespace: { spec: { metric: 'pod_memory_working_set', namespace: 'a"} or vector(1) #' }, aggregate: {}, pods: [] },
  memoryShopRange: { spec: { metric: 'pod_memory_working_set', namespace: 'shop' }, range: { seconds: 3600, step: 60 }, aggregate: { unit: 'MiB', stat: 'max', keepSeries: true } },
  cpuBatchRange: { spec: { metric: 'pod_cpu_usage', namespace: 'batch' }, range: { seconds: 7200, step: 30 }, aggregate: { stat: 'avg' } },
  // Prometheus' own errors, as it answers them.
  promTimeout: { spec: { metric: 'pod_cpu_usage', namespace: 'shop', window: '10m' }, range: { seconds: 3600, step: 15 }, error: 'timeout', upstreamExtra: '&timeout=0.000000001' },
  badData: { promql: 'sum(', error: 'bad_data' },
  execution: { promql: 'kube_pod_info * on (namespace) group_left () kube_pod_info', error: 'execution' },
};

const WARNINGS = ['No StoreAPIs matched for this query', 'store 10.0.0.7:10901: context deadline exceeded'];
const INFOS = ['PromQL info: metric might not be a counter'];

const refusedPort = await freePort();
const promPort = await freePort();
console.error('browser-soak: starting the harness Prometheus to capture real answers');
const prom = await startPrometheus({
  port: promPort,
  scrapeInterval: '1s',
  scrapeConfigs: [
    { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${promPort}`] }] },
    // A scraped operator that is down, as the dataset's Spark operator.
    { job_name: 'spark-operator', static_configs: [{ targets: [`127.0.0.1:${refusedPort}`] }] },
  ],
});
const anchor = prom.expected.anchor;
const captured = new Map(); // `${endpoint} ${promql}` -> { status, type, body }
const answers = {};
let targetsAnswer;
try {
  for (const [name, a] of Object.entries(REAL)) {
    const promql = a.promql ?? glue.buildQuery(a.spec);
    const endpoint = a.range ? '/api/v1/query_range' : '/api/v1/query';
    const params = a.range ? `&start=${anchor - a.range.seconds}&end=${anchor}&step=${a.range.step}` : `&time=${anchor}`;
    const r = await fetch(`${prom.url}${endpoint}?query=${encodeURIComponent(promql)}${params}${a.upstreamExtra ?? ''}`);
    const body = Buffer.from(await r.arrayBuffer());
    const key = `${endpoint} ${promql}`;
    if (captured.has(key)) throw new Error(`two answers for ${key}`);
    captured.set(key, { status: r.status, type: r.headers.get('content-type'), body });
    answers[name] = { spec: a.spec, promql, range: a.range, aggregate: a.aggregate, status: r.status, field: a.range ? undefined : a.field, scale: a.scale };
  }
  // Targets once both jobs have been scraped, so health is up and down rather than unknown.
  for (let i = 0; ; i++) {
    const r = await fetch(`${prom.url}/api/v1/targets?state=active`);
    const body = Buffer.from(await r.arrayBuffer());
    const active = JSON.parse(body).data.activeTargets;
    if (active.length === 2 && active.every((t) => t.health !== 'unknown')) {
      targetsAnswer = { status: r.status, type: r.headers.get('content-type'), body };
      break;
    }
    if (i > 150) throw new Error(`targets never scraped: ${body}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
} finally {
  await prom.stop();
}

// What the dataset's model says per pod, for the fields the page compares with.
const model = {};
for (const field of ['memoryWorkingSet', 'cpu', 'restarts', 'memoryRequests']) {
  model[field] = Object.fromEntries(Object.entries(prom.expected.pods).map(([k, p]) => [k, p[field]]));
}
const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

for (const [name, a] of Object.entries(REAL)) {
  const endpoint = a.range ? '/api/v1/query_range' : '/api/v1/query';
  const c = captured.get(`${endpoint} ${answers[name].promql}`);
  const doc = JSON.parse(c.body);
  if (a.error) {
    check(doc.status === 'error' && doc.errorType === a.error, `setup: ${name}: Prometheus answered ${c.status} ${c.body.toString().slice(0, 200)}, want errorType ${a.error}`);
    continue;
  }
  // The independent reading: what JSON.parse sees.
  answers[name].resultType = doc.data.resultType;
  answers[name].series = doc.data.result.length;
  answers[name].samples = doc.data.result.reduce((n, s) => n + (s.values ? s.values.length : 1), 0);
  const pods = glue.aggregatePods(glue.parseResponse(c.body), a.aggregate);
  answers[name].pods = pods.length;
  answers[name].fingerprint = fingerprint(pods);
  const want = a.pods ?? (a.spec.namespace ? Object.keys(prom.expected.pods).filter((k) => k.startsWith(`${a.spec.namespace}/`)) : Object.keys(prom.expected.pods));
  check(JSON.stringify(pods.map((p) => `${p.namespace}/${p.pod}`).sort()) === JSON.stringify([...want].sort()), `setup: ${name}: pods ${pods.map((p) => p.pod)} want ${want}`);
  if (a.field && !a.range) {
    const bad = pods.filter((p) => !close(p.value, model[a.field][`${p.namespace}/${p.pod}`] / (a.scale ?? 1)));
    check(bad.length === 0, `setup: ${name}: ${bad.map((p) => `${p.pod}=${p.value}`)} differ from the dataset's ${a.field}`);
  }
}
const memoryShopBody = captured.get(`/api/v1/query ${answers.memoryShop.promql}`).body;
const memoryShopRangeBody = captured.get(`/api/v1/query_range ${answers.memoryShopRange.promql}`).body;
const targetsDoc = JSON.parse(targetsAnswer.body).data.activeTargets;
const targetsSummary = JSON.stringify(targetsDoc.map((t) => [t.labels.job, t.health, t.scrapeUrl, t.lastError === '']).sort());
check(targetsDoc.some((t) => t.labels.job === 'prometheus' && t.health === 'up') && targetsDoc.some((t) => t.labels.job === 'spark-operator' && t.health === 'down'), `setup: targets: ${targetsSummary}`);

// The bench generator's large inputs, with an independent JS reading of their pods.
const benchPaths = generate(join(root, 'tests/.work/soak-inputs'));
const bench = {};
const benchBytes = {};
for (const name of ['matrix-2000', 'matrix-200', 'vector-50000']) benchBytes[name] = readFileSync(benchPaths[name]);
{
  const bytes = benchBytes['matrix-2000'];
  const options = { unit: 'MiB', stat: 'last' };
  const parsed = glue.parseResponse(bytes);
  const pods = glue.aggregatePods(parsed, options);
  bench['matrix-2000'] = { options, series: parsed.series.length, pods: pods.length, fingerprint: fingerprint(pods) };
  // A pod's last value is the sum of its two real containers' last samples.
  const last = new Map();
  for (const s of JSON.parse(bytes).data.result) {
    if (s.metric.container !== 'app' && s.metric.container !== 'sidecar') continue;
    const k = `${s.metric.namespace}/${s.metric.pod}`;
    last.set(k, (last.get(k) ?? 0) + Number(s.values[s.values.length - 1][1]));
  }
  const bad = pods.filter((p) => !close(p.value, last.get(`${p.namespace}/${p.pod}`) / 1048576));
  check(parsed.series.length === 2000 && pods.length === 500 && last.size === 500 && bad.length === 0, `setup: matrix-2000: ${pods.length} pods, ${bad.length} differ from JSON.parse`);
}
{
  const bytes = benchBytes['matrix-200'];
  const options = { stat: 'p95' };
  const parsed = glue.parseResponse(bytes);
  const pods = glue.aggregatePods(parsed, options);
  bench['matrix-200'] = { options, series: parsed.series.length, pods: pods.length, fingerprint: fingerprint(pods) };
  check(parsed.series.length === 200 && pods.length === 50, `setup: matrix-200: ${parsed.series.length} series, ${pods.length} pods`);
}
{
  const bytes = benchBytes['vector-50000'];
  const options = { unit: 'MiB', stats: ['last', 'max'] };
  const r = glue.aggregatePodsFromBytes(bytes, options);
  bench['vector-50000'] = { options, pods: r.pods.length, fingerprint: fingerprint(r.pods), droppedDuplicates: r.droppedDuplicates };
  // A pod's value is the sum of its two real containers.
  const sum = new Map();
  for (const s of JSON.parse(bytes).data.result) {
    if (s.metric.container !== 'app' && s.metric.container !== 'sidecar') continue;
    const k = `${s.metric.namespace}/${s.metric.pod}`;
    sum.set(k, (sum.get(k) ?? 0) + Number(s.value[1]));
  }
  const bad = r.pods.filter((p) => !close(p.value, sum.get(`${p.namespace}/${p.pod}`) / 1048576) || p.stats.max !== p.value);
  check(r.pods.length === 12500 && sum.size === 12500 && bad.length === 0, `setup: vector-50000: ${r.pods.length} pods, ${bad.length} differ from JSON.parse`);
}

// ---------------------------------------------------------------------------------------------
// The server: the page, the module, and a Prometheus API with a rotation of behaviours

const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
const HTML_503 = '<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body>no healthy upstream</body></html>';
const DEPTH = 100_000; // far past the parser's recursion limit of 128
const DEEP = Buffer.from(`{"status":"success","data":{"resultType":"vector","result":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}}`);
const DEEP_IGNORED = Buffer.from(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"7"],"x":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}]}}`);
const UTF8 = [[0xe9], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xc3]].map((bad) => Buffer.concat([
  Buffer.from('{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"shop","pod":"caf'),
  Buffer.from(bad),
  Buffer.from('"},"value":[1,"1"]}]}}'),
]));
const WITH_WARNINGS = Buffer.from(JSON.stringify({ ...JSON.parse(memoryShopBody), warnings: WARNINGS, infos: INFOS }));
const OVER_SMALL = Buffer.from(`{"status":"success","data":{"resultType":"vector","result":[${'{"metric":{"namespace":"a","pod":"p"},"value":[1,"1"]},'.repeat(Math.ceil((2 * SMALL_MAX_BYTES) / 51))}{"metric":{},"value":[1,"1"]}]}}`);
const truncatable = memoryShopRangeBody.subarray(0, memoryShopRangeBody.toString('latin1').trimEnd().length);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const PAGE = '<!doctype html><meta charset="utf-8"><title>kubeprom soak</title><script type="module" src="/tests/soak/page.mjs"></script>';
const inFlight = new Set();
const hits = new Map(); // soak_tag -> requests seen
const arrivals = new Map(); // soak_tag -> resolvers waiting for it
const stats = { requests: 0, bytesOut: 0 };

function send(res, status, headers, body) {
  stats.bytesOut += body.length;
  res.writeHead(status, { 'content-length': body.length, ...headers });
  res.end(body);
}
const json = (res, status, body, headers = {}) => send(res, status, { 'content-type': 'application/json', ...headers }, Buffer.from(body));

/** Files under www/, tests/soak/ and the built module folder; nothing else. */
function serveStatic(path, res) {
  const file = path.startsWith('/pkg/') ? join(pkgDir, path.slice(5)) : join(root, path);
  const allowed = [join(root, 'www') + sep, join(root, 'tests/soak') + sep, pkgDir + sep];
  if (!allowed.some((dir) => file.startsWith(dir)) || !existsSync(file)) return send(res, 404, {}, Buffer.from('not found'));
  send(res, 200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }, readFileSync(file));
}

/** Answers of the synthetic cases, named by the `soak_case` label of the query. */
function synthetic(name, arg, req, res) {
  switch (name) {
    case 'bench-matrix-2000':
    case 'bench-matrix-200':
    case 'bench-vector-50000':
      return send(res, 200, { 'content-type': 'application/json' }, benchBytes[name.slice(6)]);
    case 'html-502':
      return send(res, 502, { 'content-type': 'text/html' }, Buffer.from(HTML_502));
    case 'html-503':
      return send(res, 503, { 'content-type': 'text/html', 'retry-after': '12' }, Buffer.from(HTML_503));
    case 'rate-limited':
      return send(res, 429, { 'content-type': 'text/plain', 'retry-after': '5' }, Buffer.from('the request has been rejected because the tenant exceeded the request rate limit, set to 10 req/s with burst 20'));
    case 'unavailable':
      return json(res, 503, '{"status":"error","errorType":"unavailable","error":"too many queries in flight"}', { 'retry-after': '30' });
    case 'truncated':
      return send(res, 200, { 'content-type': 'application/json' }, truncatable.subarray(0, Math.floor((Number(arg) * truncatable.length) / 1000)));
    case 'empty':
      return send(res, 200, { 'content-type': 'application/json' }, Buffer.alloc(0));
    case 'deep':
      return send(res, 200, { 'content-type': 'application/json' }, DEEP);
    case 'deep-ignored':
      return send(res, 200, { 'content-type': 'application/json' }, DEEP_IGNORED);
    case 'utf8':
      return send(res, 200, { 'content-type': 'application/json' }, UTF8[Number(arg)]);
    case 'warnings':
      return send(res, 200, { 'content-type': 'application/json' }, WITH_WARNINGS);
    case 'hold':
      return; // never answers: only the client giving up ends it
    case 'drip': {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(memoryShopRangeBody.subarray(0, 20));
      let at = 20;
      const drip = setInterval(() => {
        if (res.destroyed || at >= memoryShopRangeBody.length) return clearInterval(drip);
        res.write(memoryShopRangeBody.subarray(at, at + 1));
        at++;
      }, 50);
      res.on('close', () => clearInterval(drip));
      return;
    }
    case 'cut':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': memoryShopRangeBody.length });
      res.write(memoryShopRangeBody.subarray(0, memoryShopRangeBody.length >> 1), () => setTimeout(() => res.destroy(), 20));
      return;
    case 'reset':
      return req.socket.destroy();
    case 'too-large-declared':
      // Headers only: a client that waited for the body would hang, so too_large can only come
      // from Content-Length.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': OVER_SMALL.length });
      res.flushHeaders();
      return;
    case 'too-large-chunked':
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.write(OVER_SMALL.subarray(0, OVER_SMALL.length >> 1));
      res.end(OVER_SMALL.subarray(OVER_SMALL.length >> 1));
      return;
    default:
      return json(res, 400, JSON.stringify({ status: 'error', errorType: 'bad_data', error: `soak: no case ${name}` }));
  }
}

function prometheusApi(api, params, req, res) {
  stats.requests++;
  inFlight.add(res);
  res.on('close', () => inFlight.delete(res));
  if (api === '/api/v1/targets') return send(res, targetsAnswer.status, { 'content-type': targetsAnswer.type }, targetsAnswer.body);
  const promql = params.get('query') ?? '';
  const tagged = /soak_case="([a-z0-9-]+)"/.exec(promql);
  if (tagged) {
    const tag = /soak_tag="([^"]+)"/.exec(promql)?.[1] ?? '';
    const arg = /soak_arg="([^"]*)"/.exec(promql)?.[1] ?? '';
    hits.set(tag, (hits.get(tag) ?? 0) + 1);
    for (const arrived of arrivals.get(tag) ?? []) arrived(true);
    arrivals.delete(tag);
    return synthetic(tagged[1], arg, req, res);
  }
  const answer = captured.get(`${api} ${promql}`);
  if (!answer) return json(res, 400, JSON.stringify({ status: 'error', errorType: 'bad_data', error: `soak: no captured answer for ${api} ${promql}` }));
  send(res, answer.status, { 'content-type': answer.type }, answer.body);
}

const PROXY = /^\/clusters\/([^/]+)\/api\/v1\/namespaces\/monitoring\/services\/prometheus-k8s:9090\/proxy(\/.*)$/;
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const path = decodeURIComponent(url.pathname);
  if (path === '/') {
    return send(res, 200, { 'content-type': 'text/html', 'content-security-policy': "script-src 'self' 'wasm-unsafe-eval'" }, Buffer.from(PAGE));
  }
  if (path === '/soak/big-local') return send(res, 200, { 'content-type': 'application/json' }, benchBytes['matrix-200']);
  if (path.startsWith('/prom/')) return prometheusApi(path.slice(5), url.searchParams, req, res);
  const proxied = PROXY.exec(path);
  if (proxied && proxied[1] === 'restricted') {
    return json(res, 403, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'services "prometheus-k8s:9090" is forbidden: User "bob" cannot get resource "services/proxy" in API group "" in the namespace "monitoring"', reason: 'Forbidden', code: 403 }));
  }
  if (proxied) return prometheusApi(proxied[2], url.searchParams, req, res);
  serveStatic(path, res);
});
server.keepAliveTimeout = 60000;
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

// The page's line to the runner: a second server (another origin, so requests the Prometheus
// server holds never make these wait for a connection).
const control = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const tag = url.searchParams.get('tag') ?? '';
  let answer;
  if (url.pathname === '/idle') {
    // A request the client gave up on ends when the server sees its connection close, a moment
    // after the promise rejected: wait for that, boundedly.
    const first = inFlight.size;
    const since = Date.now();
    while (inFlight.size > 0 && Date.now() - since < IDLE_BOUND_MS) await new Promise((ok) => setTimeout(ok, 5));
    hits.clear();
    answer = { first, last: inFlight.size };
  } else if (url.pathname === '/arrived') {
    answer = hits.has(tag) || await new Promise((ok) => {
      const timer = setTimeout(() => {
        arrivals.delete(tag);
        ok(false);
      }, IDLE_BOUND_MS);
      arrivals.set(tag, [...(arrivals.get(tag) ?? []), (v) => { clearTimeout(timer); ok(v); }]);
    });
  } else if (url.pathname === '/hits') {
    answer = hits.get(tag) ?? 0;
  } else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': origin }).end(JSON.stringify(answer));
});
await new Promise((ok) => control.listen(0, '127.0.0.1', ok));
const controlUrl = `http://127.0.0.1:${control.address().port}`;

// ---------------------------------------------------------------------------------------------
// The browser. The page lives in a browser context of its own, driven over Playwright's browser
// CDP session, not as a Playwright Page: Playwright enables DevTools' Network domain on its pages,
// which keeps about 300 bytes of Blink heap per request for the run's lifetime (measured here:
// 16,000 plain fetches, +5.3 MB; the same page outside Playwright's reach, flat), and that would
// hide or fake a leak. Only Runtime, HeapProfiler, Performance and Inspector are used.

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const chromiumVersion = browser.version();
const figures = {};
const samples = []; // figures after a full GC, after every rotation
const pageErrors = [];
let records = 0;
const kinds = {};
const steps = {};
let maxInFlightAfter = 0;
let inFlightAtEnd = NaN; // read before the browser closes, which would end any request left over
const perPoll = []; // after each poll: [core memory, linter memory, core tables, linter tables, core refs, linter refs, step]
const t0 = Date.now();
try {
  const cdp = await browser.newBrowserCDPSession();
  const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false });
  const pending = new Map();
  let nextId = 0;
  let gone = null;
  const fail = (why) => {
    gone = why;
    for (const [, p] of pending) p.fail(new Error(why));
    pending.clear();
  };
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    if (m.method === 'Inspector.targetCrashed') return fail('the page crashed');
    const p = m.id !== undefined && pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.fail(new Error(`${p.method}: ${m.error.message}`));
    else p.ok(m.result);
  });
  cdp.on('Target.detachedFromTarget', (e) => {
    if (e.sessionId === sessionId) fail('the page went away');
  });
  const send = (method, params = {}) => new Promise((ok, failed) => {
    if (gone) return failed(new Error(gone));
    const id = ++nextId;
    pending.set(id, { ok, fail: failed, method });
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(failed);
  });
  const evaluate = async (expression) => {
    const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  };
  await send('Inspector.enable');
  await send('Performance.enable');
  await send('Page.navigate', { url: `${origin}/` });
  for (let i = 0; !(await evaluate('typeof globalThis.soak === "object"')); i++) {
    if (i > 600) throw new Error('the soak page did not load');
    await new Promise((ok) => setTimeout(ok, 50));
  }

  const plan = {
    seed: SEED,
    anchor,
    controlUrl,
    fastTimeoutMs: FAST_TIMEOUT_MS,
    smallMaxBytes: SMALL_MAX_BYTES,
    refusedUrl: `http://127.0.0.1:${refusedPort}`,
    bigLocalUrl: '/soak/big-local',
    answers,
    model,
    targets: targetsSummary,
    bench,
    bodies: { memoryShop: memoryShopBody.toString('utf8'), html502: HTML_502 },
    warnings: WARNINGS,
    infos: INFOS,
  };
  const start = await evaluate(`globalThis.soak.setup(${JSON.stringify(plan)})`);
  const rotation = await evaluate('globalThis.soak.rotation');
  figures.rotation = rotation.length;
  figures.clientsHeld = start.clientsHeld;

  /** Figures after two full collections (the second reaps what finalizers of the first freed). */
  const sample = async (afterPoll) => {
    await send('HeapProfiler.collectGarbage');
    await send('HeapProfiler.collectGarbage');
    const heap = await send('Runtime.getHeapUsage');
    const metrics = Object.fromEntries((await send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const h = await evaluate('globalThis.soak.handles()');
    pageErrors.push(...h.pageErrors);
    const s = {
      afterPoll,
      usedSize: heap.usedSize,
      backingStorageSize: heap.backingStorageSize ?? 0,
      embedderHeapUsedSize: heap.embedderHeapUsedSize ?? 0,
      listeners: metrics.JSEventListeners,
      documents: metrics.Documents,
      nodes: metrics.Nodes,
      arrayBuffers: metrics.ArrayBufferContents,
      ...h,
    };
    delete s.pageErrors;
    samples.push(s);
    return s;
  };

  const first = await sample(0);
  perPoll.push([first.coreMemory, first.lintMemory, first.coreTables, first.lintTables, first.coreRefs, first.lintRefs, 'start']);
  for (let from = 0; from < POLLS; from += rotation.length) {
    const to = Math.min(POLLS, from + rotation.length);
    const batch = await evaluate(`globalThis.soak.run(${from}, ${to}, ${JSON.stringify(plantLeak)})`);
    for (const r of batch) {
      records++;
      steps[r.step] ??= { polls: 0, ms: 0 };
      steps[r.step].polls++;
      steps[r.step].ms += r.ms;
      pageErrors.push(...r.pageErrors.map((e) => `poll ${r.i} (${r.step}): ${e}`));
      for (const c of r.calls) {
        if (c.kind !== null) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
        check(c.ok, `poll ${r.i} (${r.step}): ${c.what}: ${c.detail}`);
      }
      check(r.calls.length > 0, `poll ${r.i} (${r.step}): no call was checked`);
      check(r.inFlightSettled === 0, `poll ${r.i} (${r.step}): ${r.inFlightSettled} requests still in flight ${IDLE_BOUND_MS} ms after the poll`);
      maxInFlightAfter = Math.max(maxInFlightAfter, r.inFlightAfter);
      perPoll.push([r.coreMemory, r.lintMemory, r.coreTables, r.lintTables, r.coreRefs, r.lintRefs, r.step]);
    }
    const s = await sample(to);
    check(s.liveClients <= start.clientsHeld, `after poll ${to - 1}: ${s.liveClients} PrometheusClients alive after GC, the page holds ${start.clientsHeld}`);
    if (from === 0 || to === POLLS || (to / rotation.length) % 10 === 0) {
      console.error(`browser-soak: ${to}/${POLLS} polls, ${((Date.now() - t0) / 1000).toFixed(0)} s, wasm ${mib(s.coreMemory)} MiB, heap ${mib(s.usedSize)} MiB, failed ${failed}`);
    }
  }
  inFlightAtEnd = inFlight.size;
} catch (e) {
  check(false, `the run stopped: ${e.stack ?? e}`);
} finally {
  await browser.close();
}
figures.seconds = (Date.now() - t0) / 1000;
for (const srv of [server, control]) {
  srv.closeAllConnections?.();
  srv.close();
}

// ---------------------------------------------------------------------------------------------
// Plateau checks

function mib(bytes) {
  return (bytes / 1048576).toFixed(2);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

check(records === POLLS, `${records} polls ran, ${POLLS} asked for`);
check(pageErrors.length === 0, `${pageErrors.length} page errors: ${pageErrors.slice(0, 3).join(' | ')}`);
check(inFlightAtEnd === 0, `${inFlightAtEnd} requests in flight at the end`);

function printFailures() {
  if (!failures.length) return;
  console.log(`\nfailures (first 30 of ${failures.length}):`);
  for (const f of failures.slice(0, 30)) console.log(`  ${f.length > 600 ? `${f.slice(0, 600)}...` : f}`);
}
if (samples.length < 2) {
  // Stopped before the end of the first rotation: no figures to compare.
  printFailures();
  console.log(`soak: ${passed} passed, ${failed} failed`);
  process.exit(1);
}

// Warm-up: the first rotation, which has seen every answer, the largest included. From then on
// wasm memory, the modules' tables and the externref slots in use must not grow at all: the
// allocator reuses what the largest answer needed, and every JsValue Rust took is given back.
const warm = samples[1];
const warmPoll = warm?.afterPoll ?? 0;
const after = perPoll.slice(warmPoll + 1); // perPoll[0] is the start, perPoll[i + 1] after poll i
const names = ['core wasm memory', 'linter wasm memory', 'core wasm tables', 'linter wasm tables', 'core externref slots in use', 'linter externref slots in use'];
for (let k = 0; k < names.length; k++) {
  const atWarm = perPoll[warmPoll][k];
  const peak = Math.max(atWarm, ...after.map((x) => x[k]));
  const grewAt = after.findIndex((x) => x[k] > atWarm);
  check(peak === atWarm, `${names[k]} grew after warm-up: ${atWarm} after poll ${warmPoll - 1}, ${peak} later (first after poll ${warmPoll + grewAt}, ${after[grewAt]?.[6]})`);
}

// The collected heaps must not trend up. A leak of L bytes a poll adds L x (polls between the
// warm-up sample and the median of the last quarter of samples); the tolerance is half of what a
// 1 KiB/poll leak would add, so such a leak fails by a factor of two, while what a full
// collection leaves varying (tens of KB here) passes. Over 2,000 polls that is about 0.8 MiB.
// Same for Blink's heap (AbortSignals, Responses, Headers a leak would keep) and ArrayBuffer
// backing stores (answers' sample arrays).
const post = samples.slice(2);
const lastQuarter = post.slice(Math.floor((post.length * 3) / 4));
const spanPolls = lastQuarter.length ? median(lastQuarter.map((s) => s.afterPoll)) - warmPoll : 0;
const tolerance = 512 * spanPolls;
const plateau = (field) => (lastQuarter.length ? median(lastQuarter.map((s) => s[field])) : NaN);
const heapEnd = plateau('usedSize');
const blinkEnd = plateau('embedderHeapUsedSize');
const backingEnd = plateau('backingStorageSize');
if (post.length >= 8) {
  check(heapEnd - warm.usedSize <= tolerance, `JS heap grew: ${warm.usedSize} after warm-up, median ${heapEnd} over the last quarter (tolerance ${tolerance})`);
  check(blinkEnd - warm.embedderHeapUsedSize <= tolerance, `Blink heap grew: ${warm.embedderHeapUsedSize} after warm-up, median ${blinkEnd} over the last quarter (tolerance ${tolerance})`);
  check(backingEnd - warm.backingStorageSize <= tolerance, `ArrayBuffer backing stores grew: ${warm.backingStorageSize} after warm-up, median ${backingEnd} over the last quarter (tolerance ${tolerance})`);
  // Handles: a leak of one a poll adds hundreds; a few may come and go with Chromium's own work.
  const listenersEnd = plateau('listeners');
  check(listenersEnd <= warm.listeners + 8, `JS event listeners grew: ${warm.listeners} after warm-up, median ${listenersEnd} at the end`);
  const buffersEnd = plateau('arrayBuffers');
  check(buffersEnd <= warm.arrayBuffers + 8, `ArrayBuffer contents grew: ${warm.arrayBuffers} after warm-up, median ${buffersEnd} at the end`);
  const last = samples[samples.length - 1];
  check(last.documents === warm.documents && last.nodes === warm.nodes, `documents/nodes changed: ${warm.documents}/${warm.nodes} after warm-up, ${last.documents}/${last.nodes} at the end`);
} else {
  check(false, `too few polls for a plateau: a warm-up rotation and 9 more are needed (--polls ${figures.rotation * 10} or more)`);
}

// Least-squares slope of the collected heap after warm-up, in bytes per poll (a figure only).
function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return sxy / sxx;
}

// ---------------------------------------------------------------------------------------------
// Figures

const first = samples[0];
const end = samples[samples.length - 1];
const rows = [
  ['polls', POLLS],
  ['rotation (steps, fixed order)', figures.rotation],
  ['calls checked', Object.values(kinds).reduce((a, b) => a + b, 0)],
  ...Object.entries(kinds).sort().map(([k, n]) => [`  outcome ${k}`, n]),
  ['requests served (Prometheus API)', stats.requests],
  ['bytes served', `${mib(stats.bytesOut)} MiB`],
  ['core wasm memory: start / after warm-up / end / peak', `${mib(perPoll[0][0])} / ${mib(perPoll[warmPoll][0])} / ${mib(perPoll[perPoll.length - 1][0])} / ${mib(Math.max(...perPoll.map((x) => x[0])))} MiB`],
  ['linter wasm memory: start / end', `${mib(perPoll[0][1])} / ${mib(perPoll[perPoll.length - 1][1])} MiB`],
  ['wasm table slots (core, linter): start / after warm-up / end', `${perPoll[0][2]}, ${perPoll[0][3]} / ${perPoll[warmPoll][2]}, ${perPoll[warmPoll][3]} / ${perPoll[perPoll.length - 1][2]}, ${perPoll[perPoll.length - 1][3]}`],
  ['externref slots in use (core, linter): start / after warm-up / end', `${perPoll[0][4]}, ${perPoll[0][5]} / ${perPoll[warmPoll][4]}, ${perPoll[warmPoll][5]} / ${perPoll[perPoll.length - 1][4]}, ${perPoll[perPoll.length - 1][5]}`],
  ['JS heap after GC: start / after warm-up / end (median last quarter) / last', `${mib(first.usedSize)} / ${mib(warm?.usedSize ?? NaN)} / ${mib(heapEnd)} / ${mib(end.usedSize)} MiB`],
  ['JS heap after GC: peak sample / growth after warm-up / tolerance', `${mib(Math.max(...samples.map((s) => s.usedSize)))} / ${((heapEnd - (warm?.usedSize ?? NaN)) / 1024).toFixed(1)} KiB / ${(tolerance / 1024).toFixed(1)} KiB`],
  ['JS heap slope after warm-up', `${slope(post.map((s) => [s.afterPoll, s.usedSize])).toFixed(2)} B/poll`],
  ['Blink heap after GC: start / after warm-up / end (median last quarter)', `${mib(first.embedderHeapUsedSize)} / ${mib(warm?.embedderHeapUsedSize ?? NaN)} / ${mib(blinkEnd)} MiB`],
  ['ArrayBuffer backing stores after GC: after warm-up / end', `${mib(warm?.backingStorageSize ?? NaN)} / ${mib(backingEnd)} MiB`],
  ['JS event listeners: start / after warm-up / end', `${first.listeners} / ${warm?.listeners} / ${end.listeners}`],
  ['ArrayBuffer contents: after warm-up / end', `${warm?.arrayBuffers} / ${end.arrayBuffers}`],
  ['PrometheusClients alive after GC: max / held', `${Math.max(...samples.map((s) => s.liveClients))} / ${figures.clientsHeld}`],
  ['in flight right after a poll: peak', maxInFlightAfter],
  ['in flight at the end', inFlightAtEnd],
  ['samples (full GC each)', samples.length],
  ['planted leak', plantLeak],
  ['wall time (not checked)', `${figures.seconds.toFixed(0)} s`],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\nkubeprom browser soak: Chromium ${chromiumVersion}, ${cpus().length} cores, ${new Date().toISOString()}`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
printFailures();
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, samples, steps, kinds, failures, perPoll }));
console.log(`soak: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
