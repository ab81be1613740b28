// The soak page: polls through kubeprom's public API the way a Headlamp or Grafana plugin does
// (dashboard refreshes, a user's own PromQL, remounts, aborts when a panel closes), in a fixed
// rotation of steps. Every call's outcome is checked; memory figures are read after every poll.
// Served by browser-soak.mjs, which also plays the Prometheus the calls go to. In Node it only
// lends `fingerprint` to the runner, so both sides hash results the same way.

import { mulberry32 } from '../../www/bench/prng.mjs';

/**
 * A digest of per-pod results, equal only when every name, unit, value (to the bit: String() of
 * a double is its shortest exact form), container, statistic and kept sample is: the page
 * compares each poll's answer with what the same module computed once in Node.
 */
export function fingerprint(pods) {
  let h = 0x811c9dc5;
  let n = 0;
  const add = (text) => {
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f;
    h = Math.imul(h, 0x01000193);
    n += text.length + 1;
  };
  for (const p of pods) {
    add(p.namespace);
    add(p.pod);
    add(String(p.value));
    add(p.unit);
    for (const c of p.containers) {
      add(c.container);
      add(String(c.value));
    }
    if (p.stats) for (const k of Object.keys(p.stats).sort()) add(`${k}=${p.stats[k]}`);
    if (p.timestamps) for (const t of p.timestamps) add(String(t));
    if (p.values) for (const v of p.values) add(String(v));
  }
  return `${pods.length}:${n}:${(h >>> 0).toString(16)}`;
}

if (typeof window !== 'undefined') {
  // Uncaught errors of the page itself, which the runner counts as failures.
  const pageErrors = [];
  addEventListener('error', (e) => pageErrors.push(`error: ${e.message}`));
  addEventListener('unhandledrejection', (e) => pageErrors.push(`unhandled rejection: ${e.reason && (e.reason.stack || e.reason.message || e.reason)}`));

  /** Asks the runner (its control server, another origin so held requests do not queue it). */
  async function control(what, tag = '') {
    const response = await fetch(`${plan.controlUrl}/${what}?tag=${encodeURIComponent(tag)}`);
    return response.json();
  }

  let kp; // the shim's exports
  let plan; // answers, expectations and case names from the runner
  let coreWasm; // the core module's exports (memory, tables), for measuring only
  let lintWasm;
  let rand;
  let clients; // what a plugin holds: re-created on every remount
  const clientRefs = []; // WeakRefs of every client ever made, to count the ones still alive
  let remounts = 0;
  let bigLocal; // a body over the local maxBytes, kept for the whole run
  const plantedLeak = [];

  /**
   * Loads kubeprom as a Grafana panel does (core and linter), then reaches the modules' own
   * exports through the wasm-bindgen glue: called again, its init returns the instance it
   * already made. Only the measurements use them.
   */
  async function setup(p) {
    plan = p;
    kp = await import('/www/index.js');
    await kp.default();
    coreWasm = await (await import('/pkg/kubeprom.js')).default();
    lintWasm = await (await import('/pkg/kubeprom_lint.js')).default();
    for (const w of [coreWasm, lintWasm]) {
      if (!(w.memory instanceof WebAssembly.Memory) || !(w.__wbindgen_externrefs instanceof WebAssembly.Table)) {
        throw new Error('the glue did not hand back its instance (no memory or externref table export)');
      }
    }
    rand = mulberry32(plan.seed);
    mount();
    bigLocal = await (await fetch(plan.bigLocalUrl)).arrayBuffer();
    return { ...handles(), clientsHeld: Object.keys(clients).length };
  }

  /** A panel (re)mounting: its clients are made anew; the old ones freed or left to the GC. */
  function mount() {
    if (clients) {
      const freeThem = remounts % 2 === 0;
      for (const c of Object.values(clients)) if (freeThem) c.free();
      remounts++;
    }
    const origin = location.origin;
    clients = {
      main: new kp.PrometheusClient({ baseUrl: `${origin}/prom` }),
      // A panel with a short timeout, relative base URL as a plugin behind its host's origin.
      fast: new kp.PrometheusClient({ baseUrl: '/prom', timeoutMs: plan.fastTimeoutMs }),
      small: new kp.PrometheusClient({ baseUrl: '/prom', maxBytes: plan.smallMaxBytes }),
      proxy: kp.PrometheusClient.headlampServiceProxy({ cluster: 'main', namespace: 'monitoring', service: 'prometheus-k8s', port: 9090 }),
      restricted: kp.PrometheusClient.headlampServiceProxy({ cluster: 'restricted', namespace: 'monitoring', service: 'prometheus-k8s', port: 9090 }),
      refused: new kp.PrometheusClient({ baseUrl: plan.refusedUrl }),
    };
    for (const c of Object.values(clients)) clientRefs.push(new WeakRef(c));
  }

  /**
   * Slots of a module's externref table in use: wasm-bindgen keeps every JsValue that Rust owns
   * in that table and writes null over a slot when its value is dropped, so every slot that is
   * not null is taken (a few constants, the values Rust holds, and any slot leaked).
   */
  function refsInUse(exports) {
    const table = exports.__wbindgen_externrefs;
    let n = 0;
    for (let i = 0; i < table.length; i++) if (table.get(i) !== null) n++;
    return n;
  }

  /** Sizes that only grow if something leaks: wasm memories and tables, live clients. */
  function handles() {
    const tables = (exports) => Object.values(exports).filter((v) => v instanceof WebAssembly.Table).reduce((n, t) => n + t.length, 0);
    for (let i = clientRefs.length - 1; i >= 0; i--) if (clientRefs[i].deref() === undefined) clientRefs.splice(i, 1);
    return {
      coreMemory: coreWasm.memory.buffer.byteLength,
      lintMemory: lintWasm.memory.buffer.byteLength,
      coreTables: tables(coreWasm),
      lintTables: tables(lintWasm),
      coreRefs: refsInUse(coreWasm),
      lintRefs: refsInUse(lintWasm),
      liveClients: clientRefs.length,
      pageErrors: pageErrors.splice(0),
    };
  }

  // ------------------------------------------------------------------------------------------
  // Checking outcomes

  let calls; // this poll's outcomes: { what, kind, ok, detail }

  /** One checked outcome; `kind` is the call's outcome, null for a check that is not a call. */
  function record(what, kind, problem) {
    calls.push({ what, kind, ok: !problem, detail: problem || undefined });
  }

  function kindOf(e) {
    return e instanceof kp.KubepromError ? e.kind : `not a KubepromError: ${e && e.name}: ${e && e.message}`;
  }

  /** A call that must succeed; `verify` returns a problem (string) or nothing. */
  async function ok(what, call, verify) {
    let value;
    try {
      value = await call();
    } catch (e) {
      record(what, kindOf(e), `expected success, got ${kindOf(e)}: ${e && e.message}`);
      return undefined;
    }
    let problem;
    try {
      problem = verify(value);
    } catch (e) {
      problem = `verifying threw ${e && e.stack}`;
    }
    record(what, 'ok', problem);
    return value;
  }

  /** A call that must fail with a KubepromError of `kind` (and `status`, `retryAfter`, `message` if given). */
  async function fails(what, call, want) {
    try {
      await call();
    } catch (e) {
      const kind = kindOf(e);
      const problems = [];
      if (!(e instanceof kp.KubepromError)) problems.push(kind);
      else {
        if (e.kind !== want.kind) problems.push(`kind ${e.kind}, want ${want.kind}`);
        if (!(e instanceof Error) || e.name !== 'KubepromError') problems.push('not an Error named KubepromError');
        if (typeof e.message !== 'string' || e.message.length === 0) problems.push('empty message');
        // Errors without an HTTP response (timeouts, aborts, local calls) carry no status.
        if (e.status !== want.status) problems.push(`status ${e.status}, want ${want.status}`);
        if ('retryAfter' in want && e.retryAfter !== want.retryAfter) problems.push(`retryAfter ${e.retryAfter}, want ${want.retryAfter}`);
        if (want.message && !want.message.test(e.message)) problems.push(`message ${JSON.stringify(e.message.slice(0, 200))} !~ ${want.message}`);
      }
      record(what, kind, problems.length ? `${problems.join('; ')} (${e && e.message})` : undefined);
      return;
    }
    record(what, 'ok', `expected ${want.kind}, but it succeeded`);
  }

  const same = (got, want, what) => (got === want ? undefined : `${what}: got ${got}, want ${want}`);
  const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

  /**
   * A real answer's pods: the same as the Node reading, and for instant queries the dataset's
   * model value of each pod (an independent expectation, from tests/data/generate.mjs).
   */
  function podsMatch(answer, pods) {
    const fp = same(fingerprint(pods), answer.fingerprint, 'fingerprint');
    if (fp || !answer.field) return fp;
    const want = plan.model[answer.field];
    const scale = answer.scale ?? 1;
    for (const p of pods) {
      const w = want[`${p.namespace}/${p.pod}`];
      if (w === undefined || !close(p.value, w / scale)) return `${p.namespace}/${p.pod} ${answer.field}: got ${p.value}, want ${w / scale}`;
    }
    return same(pods.length, answer.pods, 'pods');
  }

  /** The PromQL a plugin builds each time; must stay what Node built at the start. */
  function built(name) {
    const a = plan.answers[name];
    const q = kp.buildQuery(a.spec);
    if (q !== a.promql) throw new Error(`buildQuery(${JSON.stringify(a.spec)}) changed: ${q}`);
    return q;
  }

  /** A query the runner's Prometheus answers with its case `name` (tagged per poll). */
  function tagged(name, poll, arg = '') {
    return kp.buildQuery({ metric: 'pod_memory_working_set', namespace: 'soak', selector: { soak_case: name, soak_tag: `${name}-${poll}`, soak_arg: String(arg) } });
  }

  const A = () => plan.anchor;

  /** One of the real answers through `client`, read as its plugin panel reads it. */
  function realQuery(client, name) {
    const a = plan.answers[name];
    const promql = built(name);
    return ok(name, () => (a.range ? client.queryRange(promql, A() - a.range.seconds, A(), a.range.step) : client.query(promql, A())), (r) =>
      same(r.resultType, a.resultType, 'resultType') ||
      same(r.series.length, a.series, 'series') ||
      same(r.series.reduce((n, s) => n + s.values.length, 0), a.samples, 'samples') ||
      podsMatch(a, kp.aggregatePods(r, a.aggregate)));
  }

  async function benchBody(name, poll) {
    // As a plugin whose host does the fetching (Grafana's backend proxy) and hands over bytes.
    const response = await fetch(`/prom/api/v1/query?query=${encodeURIComponent(tagged(name, poll))}&time=${A()}`);
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    return response.arrayBuffer();
  }

  // ------------------------------------------------------------------------------------------
  // The rotation: one entry per poll, in this order. Two polls in three are ordinary dashboard
  // refreshes, as most of a plugin's day is; each error path and each of the largest answers
  // comes round once per rotation, between them.

  const podsShop = async () => {
    await Promise.all([
      realQuery(clients.main, 'memoryShop'),
      realQuery(clients.main, 'cpuShop'),
      realQuery(clients.main, 'restartsAll'),
    ]);
  };

  const hold = async (client, name, poll, arg = '') => {
    const ctrl = new AbortController();
    const tag = `${name}-${poll}`;
    const pending = client.query(tagged(name, poll, arg), undefined, { signal: ctrl.signal });
    const arrived = await control('arrived', tag);
    record(`${name}: the server had the request before the abort`, null, arrived ? undefined : 'it never arrived');
    ctrl.abort();
    return pending;
  };

  const SPECIAL = [
    ['bench-matrix-2000', async (i) => {
      const a = plan.bench['matrix-2000'];
      await ok('bench-matrix-2000 via client', () => clients.main.queryRange(tagged('bench-matrix-2000', i), A() - 86400, A(), 120), (r) =>
        same(r.series.length, a.series, 'series') || same(fingerprint(kp.aggregatePods(r, a.options)), a.fingerprint, 'fingerprint'));
    }],
    ['user-query-bad-data', async () => {
      await ok('lintQuery user query', () => kp.lintQuery('sum(', {}), (fs) => (fs.some((f) => f.rule === 'parse-error') ? undefined : 'no parse-error finding'));
      await fails('bad_data', () => clients.main.query(plan.answers.badData.promql, A()), { kind: 'bad_data', status: 400 });
    }],
    ['html-502', (i) => fails('html-502', () => clients.main.query(tagged('html-502', i)), { kind: 'malformed', status: 502, message: /502 Bad Gateway/ })],
    ['truncated', (i) => fails('truncated', () => clients.main.query(tagged('truncated', i, Math.floor(rand() * 1000))), { kind: 'malformed', status: 200 })],
    ['abort-held', (i) => fails('abort while the server holds', () => hold(clients.main, 'hold', i), { kind: 'aborted' })],
    ['prom-timeout', () => {
      const a = plan.answers.promTimeout;
      return fails('Prometheus timeout', () => clients.main.queryRange(built('promTimeout'), A() - a.range.seconds, A(), a.range.step), { kind: 'timeout', status: 503, message: /timeout|timed out/i });
    }],
    ['rate-limited', (i) => fails('429', () => clients.main.query(tagged('rate-limited', i)), { kind: 'malformed', status: 429, retryAfter: 5, message: /rate limit/ })],
    ['execution', () => fails('execution', () => clients.main.query(plan.answers.execution.promql, A()), { kind: 'execution', status: 422, message: /many/ })],
    ['bench-matrix-200', async (i) => {
      const a = plan.bench['matrix-200'];
      await ok('bench-matrix-200 via client', () => clients.main.queryRange(tagged('bench-matrix-200', i), A() - 21600, A(), 30), (r) =>
        same(r.series.length, a.series, 'series') || same(fingerprint(kp.aggregatePods(r, a.options)), a.fingerprint, 'fingerprint'));
    }],
    ['slow-headers', (i) => fails('slow headers past timeoutMs', () => clients.fast.query(tagged('hold', i)), { kind: 'timeout', message: new RegExp(`${plan.fastTimeoutMs} ms`) })],
    ['deep-nesting', async (i) => {
      await fails('100,000-deep nesting', () => clients.main.query(tagged('deep', i)), { kind: 'malformed', status: 200 });
      await ok('deep nesting in an ignored field', () => clients.main.query(tagged('deep-ignored', i)), (r) => same(r.series[0]?.values[0], 7, 'value'));
    }],
    ['invalid-utf8', (i) => fails('invalid UTF-8', () => clients.main.query(tagged('utf8', i, Math.floor(rand() * 4))), { kind: 'malformed', status: 200 })],
    ['parse-local', async () => {
      const a = plan.answers.memoryShop;
      const text = plan.bodies.memoryShop;
      const form = Math.floor(rand() * 3);
      const body = form === 0 ? text : form === 1 ? new TextEncoder().encode(text) : new TextEncoder().encode(text).buffer;
      await ok(`parseResponse (${['string', 'Uint8Array', 'ArrayBuffer'][form]})`, () => kp.parseResponse(body), (r) => podsMatch(a, kp.aggregatePods(r, a.aggregate)));
      await ok('aggregatePodsFromBytes small', () => kp.aggregatePodsFromBytes(body, a.aggregate), (r) => podsMatch(a, r.pods));
      await fails('parseResponse(42)', () => kp.parseResponse(42), { kind: 'invalid_argument' });
      await fails('parseResponse(HTML)', () => kp.parseResponse(plan.bodies.html502), { kind: 'malformed', message: /502 Bad Gateway/ });
    }],
    ['cut-mid-body', (i) => fails('connection cut mid-body', () => clients.main.query(tagged('cut', i)), { kind: 'network' })],
    ['too-large-declared', (i) => fails('Content-Length over maxBytes', () => clients.small.query(tagged('too-large-declared', i)), { kind: 'too_large', status: 200 })],
    ['too-large-chunked', (i) => fails('chunked body over maxBytes', () => clients.small.query(tagged('too-large-chunked', i)), { kind: 'too_large', status: 200 })],
    ['bench-vector-50000', async (i) => {
      const a = plan.bench['vector-50000'];
      await ok('bench-vector-50000 aggregatePodsFromBytes', async () => kp.aggregatePodsFromBytes(await benchBody('bench-vector-50000', i), a.options), (r) =>
        same(r.resultType, 'vector', 'resultType') || same(r.pods.length, a.pods, 'pods') || same(fingerprint(r.pods), a.fingerprint, 'fingerprint') ||
        same(r.droppedDuplicates, a.droppedDuplicates, 'droppedDuplicates'));
    }],
    ['abort-before', async (i) => {
      await fails('already aborted signal', () => clients.main.query(tagged('hold', i), undefined, { signal: AbortSignal.abort() }), { kind: 'aborted' });
      const hits = await control('hits', `hold-${i}`);
      record('an already aborted signal sends nothing', null, hits === 0 ? undefined : `the server got ${hits} requests`);
    }],
    ['abort-mid-body', (i) => fails('abort mid-body', () => hold(clients.main, 'drip', i), { kind: 'aborted' })],
    ['slow-body', (i) => fails('slow body past timeoutMs', () => clients.fast.query(tagged('drip', i)), { kind: 'timeout' })],
    ['build-query', async (i) => {
      const hostile = 'a"} or vector(1) #';
      await ok('buildQuery hostile value', () => kp.buildQuery({ metric: 'pod_memory_working_set', namespace: hostile }), (q) => (q.includes('namespace="a\\"} or vector(1) #"') ? undefined : `not an escaped literal: ${q}`));
      await fails('buildQuery unknown metric', () => kp.buildQuery({ metric: 'no_such_metric' }), { kind: 'invalid_argument' });
      await fails('buildQuery(42)', () => kp.buildQuery(42), { kind: 'invalid_argument' });
      await fails('queryRange over 11,000 points', () => clients.main.queryRange(tagged('hold', i), 0, 1e6, 1), { kind: 'invalid_argument', message: /11,000/ });
      const hits = await control('hits', `hold-${i}`);
      record('a refused queryRange sends nothing', null, hits === 0 ? undefined : `the server got ${hits} requests`);
    }],
    ['unavailable', (i) => fails('503 envelope', () => clients.main.query(tagged('unavailable', i)), { kind: 'unavailable', status: 503, retryAfter: 30 })],
    ['html-503', (i) => fails('503 HTML with Retry-After', () => clients.main.query(tagged('html-503', i)), { kind: 'malformed', status: 503, retryAfter: 12 })],
    ['warnings', (i) => ok('partial response with warnings', () => clients.main.query(tagged('warnings', i)), (r) =>
      same(JSON.stringify(r.warnings), JSON.stringify(plan.warnings), 'warnings') || same(JSON.stringify(r.infos), JSON.stringify(plan.infos), 'infos') ||
      podsMatch(plan.answers.memoryShop, kp.aggregatePods(r, plan.answers.memoryShop.aggregate)))],
    ['empty-body', (i) => fails('empty body', () => clients.main.query(tagged('empty', i)), { kind: 'malformed', status: 200, message: /empty/ })],
    ['kube-403', () => fails('Kubernetes 403 Status', () => clients.restricted.query(built('memoryShop'), A()), { kind: 'http', status: 403, message: /services\/proxy/ })],
    ['over-max-local', async () => {
      await fails('parseResponse over maxBytes', () => kp.parseResponse(bigLocal, { maxBytes: plan.smallMaxBytes }), { kind: 'too_large' });
      await fails('aggregatePodsFromBytes over maxBytes', () => kp.aggregatePodsFromBytes(new Uint8Array(bigLocal), { maxBytes: plan.smallMaxBytes }), { kind: 'too_large' });
    }],
    ['burst', async (i) => {
      // A dashboard of six panels refreshing at once, while the connection misbehaves.
      await Promise.all([
        realQuery(clients.main, 'memoryShop'),
        fails('burst: slow headers', () => clients.fast.query(tagged('hold', `${i}b`)), { kind: 'timeout' }),
        fails('burst: reset', () => clients.main.query(tagged('reset', i)), { kind: 'network' }),
        fails('burst: html-502', () => clients.main.query(tagged('html-502', i)), { kind: 'malformed', status: 502 }),
        realQuery(clients.main, 'memoryShopRange'),
        fails('burst: abort', () => hold(clients.main, 'hold', i), { kind: 'aborted' }),
      ]);
    }],
    ['refused', () => fails('connection refused', () => clients.refused.query('up'), { kind: 'network' })],
    ['hostile-namespace', () => realQuery(clients.main, 'hostileNamespace')],
    ['remount', async () => {
      mount();
      await realQuery(clients.main, 'restartsAll');
    }],
  ];

  const ORDINARY = [
    ['pods-shop', podsShop],
    ['pods-range', () => realQuery(clients.main, 'memoryShopRange')],
    ['headlamp-workload', () => realQuery(clients.proxy, 'memoryWeb')],
    ['requests', () => realQuery(clients.main, 'memoryRequestsShop')],
    ['cpu-batch-range', () => realQuery(clients.main, 'cpuBatchRange')],
    ['targets', () => ok('targets', () => clients.main.targets(), (ts) =>
      same(JSON.stringify(ts.map((t) => [t.job, t.health, t.scrapeUrl, t.lastError === '']).sort()), plan.targets, 'targets') ||
      (ts.every((t) => Number.isFinite(t.lastScrape)) ? undefined : 'lastScrape not a number'))],
  ];

  const ROTATION = SPECIAL.flatMap((step, k) => [step, ORDINARY[(2 * k) % ORDINARY.length], ORDINARY[(2 * k + 1) % ORDINARY.length]]);

  /**
   * Polls `from` to `to - 1`; after each, waits for the server to have no request in flight and
   * reads the memory figures. Returns one small record per poll (nothing of the answers is kept).
   */
  async function run(from, to, leak) {
    const records = [];
    for (let i = from; i < to; i++) {
      const [step, fn] = ROTATION[i % ROTATION.length];
      calls = [];
      const t0 = performance.now();
      try {
        await fn(i);
      } catch (e) {
        record(step, 'threw', `the step threw: ${e && e.stack}`);
      }
      const ms = performance.now() - t0;
      plantLeak(leak, i);
      const idle = await control('idle');
      records.push({ i, step, ms, calls, inFlightAfter: idle.first, inFlightSettled: idle.last, ...handles() });
    }
    return records;
  }

  /** A deliberate leak (about 1 KiB a poll for js and wasm), to show the checks catch it (--plant-leak). */
  function plantLeak(leak, i) {
    if (leak === 'js') plantedLeak.push(Array.from({ length: 128 }, (_, k) => k + i + 0.5)); // 128 doubles: 1 KiB
    else if (leak === 'wasm') coreWasm.__wbindgen_malloc(1024, 8);
    else if (leak === 'listener') {
      const ctrl = new AbortController();
      plantedLeak.push(ctrl);
      ctrl.signal.addEventListener('abort', () => {});
    } else if (leak === 'client') {
      const client = new kp.PrometheusClient({ baseUrl: '/prom' });
      plantedLeak.push(client);
      clientRefs.push(new WeakRef(client));
    } else if (leak === 'inflight') {
      // A request nobody aborts, to a server that never answers, under the default 30 s timeout.
      clients.main.query(tagged('hold', `${i}-leak`)).catch(() => {});
    }
  }

  globalThis.soak = { setup, run, handles, rotation: ROTATION.map(([name]) => name) };
}
