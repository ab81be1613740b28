// `npm run bench`: response bytes to per-pod numbers in headless Chromium, every contender on
// the same bytes in the same run. Prints a markdown table and writes .data/results.{json,md}.
//   node www/bench/run.mjs [--pkg DIR] [--rounds N] [--warmup N] [--inputs a,b]
// DIR holds kubeprom.js + kubeprom_bg.wasm (default target/pkg-bench, what `npm run bench`
// builds without the linter, the module plugins load by default).
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { generate } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const pkg = resolve(root, arg('pkg', 'target/pkg-bench'));
const inputNames = arg('inputs', 'matrix-2000,matrix-200,vector-50000,vector-pods-50000,vector-pods-12500x4').split(',');
const ROUNDS = { 'matrix-2000': 7, 'matrix-200': 15 };
const rounds = (name) => Number(arg('rounds', ROUNDS[name] ?? 7));
const warmup = Number(arg('warmup', 2));

generate(join(here, '.data'));
await build({
  entryPoints: [join(here, 'page.mjs')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outfile: join(here, '.data/page.js'),
  logLevel: 'warning',
});

/** Input bodies by name, read once, for the streamed section's Prometheus stand-in. */
const bodies = new Map();
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const prom = path.match(/^\/prom\/([\w-]+)\/api\/v1\/query(_range)?$/);
  if (prom) {
    if (!bodies.has(prom[1])) bodies.set(prom[1], readFileSync(join(here, '.data', `${prom[1]}.json`)));
    const body = bodies.get(prom[1]);
    return res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  }
  const file = path.startsWith('/pkg/') ? join(pkg, path.slice(5)) : join(here, path === '/' ? 'index.html' : path);
  if (!file.startsWith(pkg) && !file.startsWith(here)) return res.writeHead(403).end();
  try {
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc', '--enable-precise-memory-info'],
});

async function openPage() {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => globalThis.bench);
  const load = await page.evaluate(([glue, wasm]) => globalThis.bench.load(glue, wasm), [`${origin}/pkg/kubeprom.js`, `${origin}/pkg/kubeprom_bg.wasm`]);
  return { page, load };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const MB = 1e6;

// Instantiate cost: a fresh page each time, the median of five.
const loads = [];
for (let i = 0; i < 5; i++) {
  const { page, load } = await openPage();
  loads.push(load);
  await page.close();
}
const instantiate = {
  wasmBytes: loads[0].wasmBytes,
  compileMs: median(loads.map((l) => l.compileMs)),
  instantiateMs: median(loads.map((l) => l.instantiateMs)),
};

const results = { machine: {}, instantiate, inputs: {} };
results.machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  browser: `Chromium ${browser.version()} (headless)`,
  date: new Date().toISOString(),
};

for (const name of inputNames) {
  const { page } = await openPage();
  const size = await page.evaluate((n) => globalThis.bench.loadInput(n), name);
  const contenders = await page.evaluate(() => globalThis.bench.contenders);
  // The same pods from everyone (a selection: the pods (a)'s give for it), the same numbers
  // within 1e-9 of (a)'s, and kubeprom's two full paths bit-identical.
  const check = await page.evaluate((n) => {
    const { out, expected } = globalThis.bench.results(n);
    const keys = Object.keys(out);
    const want = (c) => expected[c] ?? out[keys[0]];
    const pods = (list) => list.map((p) => `${p.namespace}/${p.pod}`).join();
    const bits = (c) => JSON.stringify(out[c].map((p) => [p.last, p.avg, p.max, p.p95].map((x) => String(x))));
    // Largest relative difference to (a)'s numbers; NaN against NaN is equal, NaN against a
    // number is a disagreement (Infinity).
    let maxRel = 0;
    for (const c of keys) {
      const ref = want(c);
      out[c].forEach((p, i) => {
        for (const k of ['last', 'avg', 'max', 'p95']) {
          const [x, y] = [p[k], ref[i]?.[k]];
          if (Number.isNaN(x) && Number.isNaN(y)) continue;
          const rel = Math.abs(x - y) / Math.max(1, Math.abs(x));
          maxRel = Math.max(maxRel, Number.isNaN(rel) ? Infinity : rel);
        }
      });
    }
    return {
      samePods: keys.every((c) => pods(out[c]) === pods(want(c))),
      cdIdentical: bits(keys[2]) === bits(keys[3]),
      maxRelDiffToA: maxRel,
      pods: out[keys[0]].length,
    };
  }, name);
  if (!check.samePods || !check.cdIdentical || !(check.maxRelDiffToA <= 1e-9)) {
    throw new Error(`${name}: contenders disagree: ${JSON.stringify(check)}`);
  }
  const times = await page.evaluate(([n, c, r, w]) => globalThis.bench.time(n, c, r, w), [name, contenders, rounds(name), warmup]);
  await page.close();
  const entry = { bytes: size, pods: check.pods, check, contenders: {} };
  for (const c of contenders) {
    const { page: fresh } = await openPage();
    await fresh.evaluate((n) => globalThis.bench.loadInput(n), name);
    const mem = await fresh.evaluate(([n, cc]) => globalThis.bench.memory(n, cc), [name, c]);
    await fresh.close();
    const t = times[c];
    entry.contenders[c] = { times: t, medianMs: median(t), minMs: Math.min(...t), maxMs: Math.max(...t), mbPerS: size / MB / (median(t) / 1000), ...mem };
  }
  const base = entry.contenders[contenders[0]].medianMs;
  for (const c of contenders) entry.contenders[c].speedup = base / entry.contenders[c].medianMs;
  results.inputs[name] = entry;
  console.error(`${name}: done`);
}
// Streamed over loopback: request to per-pod values against receiving the body alone.
results.streamed = {};
for (const name of inputNames) {
  const { page } = await openPage();
  const { times, answers } = await page.evaluate(([n, r, w]) => globalThis.bench.timeStreamed(n, r, w), [name, rounds(name), warmup]);
  await page.close();
  const pods = Object.entries(answers).filter(([c]) => !c.startsWith('receive'));
  if (pods.some(([, n]) => n !== pods[0][1])) throw new Error(`${name}: streamed contenders disagree: ${JSON.stringify(answers)}`);
  const receive = median(Object.values(times)[0]);
  results.streamed[name] = Object.fromEntries(
    Object.entries(times).map(([c, t]) => [c, { times: t, medianMs: median(t), vsReceive: median(t) / receive }]),
  );
  console.error(`${name} streamed: done`);
}
await browser.close();
server.close();

const f = (x, d = 0) => x.toFixed(d);
let md = `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB; ${results.machine.browser}; ${results.machine.date}\n\n`;
md += `wasm (${(statSync(join(pkg, 'kubeprom_bg.wasm')).size / 1024).toFixed(0)} KiB): compile ${f(instantiate.compileMs, 1)} ms, instantiate ${f(instantiate.instantiateMs, 1)} ms (median of 5 fresh pages)\n\n`;
md += '| input | contender | median ms | min–max ms | MB/s | vs (a) | peak JS heap MB | wasm memory growth MB |\n|---|---|---:|---:|---:|---:|---:|---:|\n';
for (const [name, entry] of Object.entries(results.inputs)) {
  for (const [c, r] of Object.entries(entry.contenders)) {
    md += `| ${name} (${f(entry.bytes / MB, 1)} MB, ${entry.pods} pods) | ${c} | ${f(r.medianMs, 1)} | ${f(r.minMs, 1)}–${f(r.maxMs, 1)} | ${f(r.mbPerS)} | ${f(r.speedup, 1)}x | ${f(r.jsHeapPeak / MB, 1)} | ${f(r.wasmGrowth / MB, 1)} |\n`;
  }
}
md += '\n| input | request to per-pod values, over loopback | median ms | vs receiving the body |\n|---|---|---:|---:|\n';
for (const [name, entry] of Object.entries(results.streamed)) {
  for (const [c, r] of Object.entries(entry)) md += `| ${name} | ${c} | ${f(r.medianMs, 1)} | ${f(r.vsReceive, 2)}x |\n`;
}
writeFileSync(join(here, '.data/results.json'), JSON.stringify(results, null, 2));
writeFileSync(join(here, '.data/results.md'), md);
console.log(md);
