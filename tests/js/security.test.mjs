// Browser-facing security of kubeprom: no eval/new Function in the shipped JS (a scan of the
// package's files and of the plugin bundles when built), the whole API in a page and a module
// worker under `script-src 'self' 'wasm-unsafe-eval'` (headless Chromium), credentials and
// headers never in logs or error messages, and a client that only ever talks to its base URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './demo-server.mjs';
import { servePages } from './pages-server.mjs';
import { startPrometheus } from '../harness/prometheus.mjs';
import { initSync, PrometheusClient, KubepromError } from '../../www/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'kubeprom-test-secret-3f9a1c';
let prom;
const servers = [];

async function serve(handler) {
  const server = createServer(handler);
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}`;
}

before(async () => {
  initSync({ module: readFileSync(`${root}/pkg/kubeprom_bg.wasm`) });
  prom = await startPrometheus();
});

after(async () => {
  for (const s of servers) {
    s.closeAllConnections?.();
    s.close();
  }
  await prom?.stop();
});

// ---------------------------------------------------------------------------------------------
// No eval in the shipped JS

/**
 * The code of a JS source with the contents of strings, template literal text, comments and
 * regular expression literals blanked out, so that only code is searched. Template
 * substitutions (`${...}`) stay code.
 */
export function codeOnly(source) {
  let out = '';
  let i = 0;
  const templateDepth = []; // brace depth at which each open template's substitution started
  let braces = 0;
  let lastSignificant = '';
  const regexCanStart = () => lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant) || /\b(return|typeof|case|do|else|in|of|void|delete|throw|new|yield|await)$/.test(out.trimEnd());
  const skipString = (quote) => {
    out += quote;
    i++;
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') i++;
      if (source[i] === '\n' && quote !== '`') break;
      i++;
    }
    out += quote;
    i++;
  };
  const skipTemplateText = () => {
    // From just after ` or }: text until ` or ${.
    while (i < source.length) {
      if (source[i] === '\\') { i += 2; continue; }
      if (source[i] === '`') { out += '`'; i++; return; }
      if (source[i] === '$' && source[i + 1] === '{') { out += '${'; i += 2; templateDepth.push(braces); braces++; return; }
      i++;
    }
  };
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
      out += ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      skipString(c);
      lastSignificant = '"';
      continue;
    }
    if (c === '`') {
      out += '`';
      i++;
      skipTemplateText();
      lastSignificant = '`';
      continue;
    }
    if (c === '/' && regexCanStart()) {
      out += '/';
      i++;
      let inClass = false;
      while (i < source.length && (source[i] !== '/' || inClass) && source[i] !== '\n') {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i++;
      }
      out += '/';
      i++;
      lastSignificant = '/re';
      continue;
    }
    if (c === '{') braces++;
    if (c === '}') {
      braces--;
      if (templateDepth.length && templateDepth[templateDepth.length - 1] === braces) {
        templateDepth.pop();
        out += '}';
        i++;
        skipTemplateText();
        lastSignificant = '`';
        continue;
      }
    }
    out += c;
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return out;
}

const DYNAMIC_CODE = /(?<![.\w$])eval\s*\(|\bnew\s+Function\b|(?<![.\w$])Function\s*\(|\bset(?:Timeout|Interval)\s*\(\s*["'`]|\bimport\s*\(\s*["'`]data:/g;

function dynamicCode(file) {
  const code = codeOnly(readFileSync(file, 'utf8'));
  return [...code.matchAll(DYNAMIC_CODE)].map((m) => code.slice(Math.max(0, m.index - 60), m.index + 40));
}

test('the scanner finds eval and new Function in code, not in strings or comments', () => {
  const flagged = (src) => [...codeOnly(src).matchAll(DYNAMIC_CODE)].length;
  assert.equal(flagged('const a = eval("1");'), 1);
  assert.equal(flagged('x = new Function("return this")();'), 1);
  assert.equal(flagged('x = Function("a", "return a")'), 1);
  assert.equal(flagged('setTimeout("alert(1)", 1)'), 1);
  assert.equal(flagged('const t = `${eval(x)}`;'), 1);
  assert.equal(flagged('// eval(x)\n/* new Function() */ const s = "eval(1)"; const r = /eval\\(/; const t = `Function(${name})`;'), 0);
  assert.equal(flagged('obj.eval(1); myFunction(2); x.Function(3)'), 0);
});

test('no eval or new Function in the shipped JS', () => {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  const files = pkg.files.filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 2, JSON.stringify(pkg.files));
  for (const file of files) {
    assert.ok(existsSync(`${root}/${file}`), `${file} is built (npm run build)`);
    assert.deepEqual(dynamicCode(`${root}/${file}`), [], file);
  }
  for (const file of ['target/pkg-lite/kubeprom.js', 'target/pkg-lite/kubeprom_lint.js']) {
    if (existsSync(`${root}/${file}`)) assert.deepEqual(dynamicCode(`${root}/${file}`), [], file);
  }
});

test('no eval or new Function in the plugin bundles (when built)', (t) => {
  // webpack's runtime finds the global object with `new Function("return this")()` only where
  // globalThis is missing (never in a browser that runs wasm), inside a try: allowed, as is.
  const webpackGlobal = 'try{return this||new Function("return this")()}catch';
  let scanned = 0;
  for (const file of ['www/headlamp-plugin/dist/main.js', 'www/grafana-panel/dist/module.js']) {
    if (!existsSync(`${root}/${file}`)) continue;
    scanned++;
    const allowed = readFileSync(`${root}/${file}`, 'utf8').split(webpackGlobal).length - 1;
    const hits = dynamicCode(`${root}/${file}`);
    const newFunction = hits.filter((hit) => /new Function/.test(hit));
    assert.ok(newFunction.length <= allowed, `${file}: ${newFunction}`);
    assert.deepEqual(hits.filter((hit) => !/new Function/.test(hit)), [], file);
  }
  if (scanned === 0) t.skip('no plugin bundle built');
});

// ---------------------------------------------------------------------------------------------
// The API under CSP in a page and a module worker

const CSP = "script-src 'self' 'wasm-unsafe-eval'";

test("page and worker under script-src 'self' 'wasm-unsafe-eval'", async () => {
  const seenAuth = [];
  const headers = { 'content-security-policy': CSP, 'cache-control': 'no-store' };
  const pages = await servePages({
    headers,
    route: async (req, res, url) => {
      if (!url.pathname.startsWith('/prom/')) return false;
      seenAuth.push(req.headers.authorization);
      const upstream = await fetch(`${prom.url}${req.url.slice('/prom'.length)}`);
      res.writeHead(upstream.status, { ...headers, 'content-type': 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return true;
    },
  });
  const origin = pages.origin;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${origin}/tests/js/pages/csp.html?anchor=${prom.expected.anchor}&secret=${SECRET}`);
    await page.waitForFunction(() => window.__result, null, { timeout: 60000 });
    const result = await page.evaluate(() => window.__result);
    const want = Object.entries(prom.expected.pods)
      .filter(([key]) => key.startsWith('shop/'))
      .map(([key, p]) => [key.slice(5), p.memoryWorkingSet / 1048576])
      .sort();
    for (const [where, r] of Object.entries(result)) {
      assert.equal(r.failed, undefined, `${where}: ${r.failed}`);
      assert.equal(r.evalBlocked, true, `${where}: the CSP is in force`);
      assert.deepEqual(r.pods.sort(), want, where);
      assert.equal(r.parsed, Infinity);
      assert.ok(r.lint.includes('cadvisor-double-count'), `${where}: ${r.lint}`);
      assert.equal(r.kueue, true);
      assert.equal(r.errorKind, 'malformed', where);
      assert.ok(!r.errorMessage.includes(SECRET), where);
      // The one violation is the eval probe; kubeprom itself causes none.
      assert.deepEqual(r.violations.filter((v) => !/^script-src(-elem)? eval/.test(v)), [], where);
      assert.equal(r.violations.length, 1, `${where}: ${r.violations}`);
    }
    assert.ok(seenAuth.length >= 2 && seenAuth.every((a) => a === `Bearer ${SECRET}`), 'the header was sent');
    assert.ok(!logs.some((l) => l.includes(SECRET)), logs.join('\n'));
    assert.ok(requests.every((u) => u.startsWith(`${origin}/`)), requests.join('\n'));
  } finally {
    await browser.close();
    pages.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Credentials never logged

test('headers and credentials never reach logs or error messages', async () => {
  const seen = [];
  const base = await serve((req, res) => {
    seen.push(req.headers.authorization);
    if (req.url.includes('forbidden')) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'forbidden', reason: 'Forbidden', code: 403 }));
    } else if (req.url.includes('hang')) {
      // never answers
    } else if (req.url.includes('html')) {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><title>502 Bad Gateway</title></html>');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success","data":{"resultType":"vector","result":[]}}');
    }
  });
  const captured = [];
  const saved = {};
  for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    saved[name] = console[name];
    console[name] = (...args) => captured.push(args.map(String).join(' '));
  }
  const savedOut = process.stdout.write;
  const savedErr = process.stderr.write;
  process.stdout.write = (chunk, ...rest) => { captured.push(String(chunk)); return savedOut.call(process.stdout, chunk, ...rest); };
  process.stderr.write = (chunk, ...rest) => { captured.push(String(chunk)); return savedErr.call(process.stderr, chunk, ...rest); };
  const errors = [];
  try {
    const headers = { Authorization: `Bearer ${SECRET}`, 'X-Scope-OrgID': `${SECRET}-tenant` };
    // Only the hanging request relies on the short timeout; the others may take their time.
    const client = new PrometheusClient({ baseUrl: base, headers, timeoutMs: 60000 });
    const hasty = new PrometheusClient({ baseUrl: base, headers, timeoutMs: 300 });
    await client.query('up');
    for (const [promql, c] of [['forbidden', client], ['hang', hasty], ['html', client]]) errors.push(await c.query(promql).catch((e) => e));
    errors.push(await new PrometheusClient({ baseUrl: 'http://127.0.0.1:1', headers }).query('up').catch((e) => e));
    const aborted = new AbortController();
    aborted.abort();
    errors.push(await client.query('up', undefined, { signal: aborted.signal }).catch((e) => e));
    // A base URL with user:password@ is refused without repeating it.
    try {
      new PrometheusClient({ baseUrl: `http://admin:${SECRET}@127.0.0.1:9090` });
    } catch (e) {
      errors.push(e);
    }
    // A header that cannot be sent is named, its value is not.
    errors.push(await new PrometheusClient({ baseUrl: base, headers: { 'Bad Header': SECRET } }).query('up').catch((e) => e));
  } finally {
    Object.assign(console, saved);
    process.stdout.write = savedOut;
    process.stderr.write = savedErr;
  }
  assert.deepEqual(errors.map((e) => e.kind), ['http', 'timeout', 'malformed', 'network', 'aborted', 'invalid_argument', 'invalid_argument']);
  for (const e of errors) {
    assert.ok(e instanceof KubepromError);
    assert.ok(!e.message.includes(SECRET) && !JSON.stringify(e).includes(SECRET) && !String(e.stack).includes(SECRET), e.message);
  }
  assert.ok(seen.length >= 4 && seen.every((a) => a === `Bearer ${SECRET}`), 'the header was sent');
  assert.deepEqual(captured.filter((line) => line.includes(SECRET)), []);
});

// ---------------------------------------------------------------------------------------------
// Only the base URL

test('the client only talks to its base URL: redirects, response data and query text cannot move it', async () => {
  let elsewhere = 0;
  const attacker = await serve((req, res) => {
    elsewhere++;
    res.end('{"status":"success","data":{"resultType":"vector","result":[]}}');
  });
  const requests = [];
  const base = await serve((req, res) => {
    requests.push(req.url);
    const url = new URL(req.url, 'http://x');
    const status = Number(url.searchParams.get('query')?.match(/^redirect(\d+)$/)?.[1] ?? 0);
    if (status) {
      res.writeHead(status, { location: `${attacker}/api/v1/query?query=up` });
      res.end();
    } else if (url.pathname === '/prefix/api/v1/targets') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { activeTargets: [{ labels: { job: 'x', __address__: attacker }, scrapePool: 'x', scrapeUrl: `${attacker}/metrics`, globalUrl: `${attacker}/metrics`, health: 'up', lastError: '', lastScrape: '2026-01-01T00:00:00Z' }], droppedTargets: [] } }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-location': `${attacker}/`, link: `<${attacker}/>; rel="alternate"` });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { url: `${attacker}/api/v1/query` }, value: [1, '1'] }] }, warnings: [`see ${attacker}`] }));
    }
  });
  const client = new PrometheusClient({ baseUrl: `${base}/prefix` });
  for (const status of [301, 302, 303, 307, 308]) {
    await assert.rejects(client.query(`redirect${status}`), (e) => e.kind === 'http' && e.status === status && /redirect/.test(e.message));
  }
  const targets = await client.targets();
  assert.equal(targets[0].scrapeUrl, `${attacker}/metrics`);
  await client.query('up');
  // Query text that looks like a path, another parameter or a URL stays the query parameter.
  const sneaky = ['../../../api/v1/admin/tsdb/delete_series', 'up&query=evil', 'up#frag', `${attacker}/x`, 'up?x=1', '%2F..%2F', 'up\r\nHost: evil', ''];
  for (const promql of sneaky) await client.query(promql);
  await client.queryRange('../x', 0, 60, 15);
  assert.equal(elsewhere, 0, 'the attacker server was never contacted');
  const seen = requests.map((u) => new URL(u, 'http://x'));
  assert.ok(seen.every((u) => ['/prefix/api/v1/query', '/prefix/api/v1/query_range', '/prefix/api/v1/targets'].includes(u.pathname)), requests.join('\n'));
  const queries = seen.filter((u) => u.pathname === '/prefix/api/v1/query').map((u) => u.searchParams.get('query'));
  for (const promql of sneaky) assert.ok(queries.includes(promql), promql);
  // Service-proxy paths cannot climb out of the proxy.
  for (const path of ['/..', '/select/../../../secrets', '/./x']) {
    assert.throws(() => PrometheusClient.headlampServiceProxy({ cluster: 'c', namespace: 'monitoring', service: 'prometheus', port: 9090, path }), (e) => e.kind === 'invalid_argument' && /path/.test(e.message));
  }
  const odd = PrometheusClient.headlampServiceProxy({ cluster: '../c', namespace: 'monitoring', service: 'prometheus', port: 9090, path: '/%2e%2e/a b' });
  assert.equal(odd.baseUrl, '/clusters/..%2Fc/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/%252e%252e/a%20b');
});
