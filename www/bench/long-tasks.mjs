// `npm run bench:worker`: the page thread's long tasks (Long Tasks API) while the big matrix
// and the 50,000-pod vector are fetched over loopback, parsed and aggregated, on the page and in
// worker mode. Prints a markdown table (median of 5 runs per way, each in the same page).
//   node www/bench/long-tasks.mjs [--runs N]
// Serves www/ and pkg/ (npm run build first) and the bench inputs as a fake Prometheus.
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { generate } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 5);
const inputs = generate(join(here, '.data'));
const NAMES = ['matrix-2000', 'vector-pods-50000'];
const bodies = Object.fromEntries(NAMES.map((n) => [n, readFileSync(inputs[n])]));

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const input = NAMES.find((n) => url.pathname.startsWith(`/prom/${n}/`));
  if (input) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': bodies[input].length });
    res.end(bodies[input]);
    return;
  }
  const path = normalize(url.pathname);
  if (!['/www/', '/pkg/'].some((p) => path.startsWith(p)) || !existsSync(join(root, path))) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
  res.end(readFileSync(join(root, path)));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('page error:', e));
await page.goto(`${origin}/www/bench/long-tasks.html`);
await page.waitForFunction(() => globalThis.bench);
await page.evaluate(() => globalThis.bench.load());
const ways = await page.evaluate(() => globalThis.bench.ways);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let md = `Chromium ${browser.version()} (headless), ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${new Date().toISOString()}; median of ${runs} runs after one warm-up\n\n`;
md += '| input | way | wall ms | long tasks | longest task ms | page blocked ms |\n|---|---|---:|---:|---:|---:|\n';
for (const name of NAMES) {
  const pods = new Set();
  for (const way of ways) {
    const all = [];
    for (let r = 0; r <= runs; r++) {
      const m = await page.evaluate(([w, u]) => globalThis.bench.measure(w, u), [way, `${origin}/prom/${name}`]);
      if (r > 0) all.push(m);
      pods.add(m.pods);
    }
    md += `| ${name} | ${way} | ${median(all.map((m) => m.ms)).toFixed(0)} | ${median(all.map((m) => m.longTasks))} | ${median(all.map((m) => m.longestTaskMs)).toFixed(0)} | ${median(all.map((m) => m.blockedMs)).toFixed(0)} |\n`;
  }
  if (pods.size !== 1) throw new Error(`${name}: the ways disagree on the pod count: ${[...pods]}`);
}
await browser.close();
server.close();
console.log(md);
