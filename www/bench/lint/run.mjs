// Lint throughput in headless Chromium: kubeprom's lintQuery beside @prometheus-io/lezer-promql
// parsing the same queries (those of benches/lint.rs, read from that file so the native and
// browser figures are for the same text).
//
//   npm run build            # pkg/: the kubeprom module with the linter
//   npm run bench:lint [-- --budget 1000 --rounds 3 --json out.json]
//   npm run bench:lint -- --serve [--port 8090]   # serve the page for a real browser instead
//
// The page runs under the CSP the plugins run with (script-src 'self' 'wasm-unsafe-eval').
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'";

/** The (name, query) pairs of benches/lint.rs' QUERIES. */
export async function benchQueries() {
  const source = await readFile(join(root, 'benches/lint.rs'), 'utf8');
  const block = source.match(/const QUERIES: &\[\(&str, &str\)\] = &\[([\s\S]*?)\n\];/);
  if (!block) throw new Error('benches/lint.rs: QUERIES not found');
  const queries = [...block[1].matchAll(/\(\s*"((?:[^"\\]|\\.)*)",\s*r#"([\s\S]*?)"#,?\s*\)/g)].map(([, name, query]) => ({ name, query }));
  if (!queries.length) throw new Error('benches/lint.rs: no queries in QUERIES');
  return queries;
}

async function lezerBundle() {
  const out = await build({
    stdin: { contents: "export { parser } from '@prometheus-io/lezer-promql';", resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

async function serve(port) {
  const generated = {
    '/www/bench/lint/lezer-promql.js': await lezerBundle(),
    '/www/bench/lint/queries.json': JSON.stringify(await benchQueries()),
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const headers = (path) => ({ 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'content-security-policy': CSP, 'cache-control': 'no-store' });
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (url.pathname in generated) {
      res.writeHead(200, headers(url.pathname));
      return res.end(generated[url.pathname]);
    }
    let path = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    if (path.endsWith('/')) path = join(path, 'index.html');
    if (!['www/', 'pkg/'].some((p) => path.startsWith(p))) {
      res.writeHead(404);
      return res.end('not found');
    }
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, headers(path));
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${server.address().port}/www/bench/lint/` };
}

function table(report) {
  const rows = [['query', 'kubeprom lintQuery q/s', 'lezer-promql parse q/s', 'lezer/kubeprom', 'findings']];
  for (const r of report.results) {
    rows.push([r.name, Math.round(r.lintPerSecond).toLocaleString('en-US'), Math.round(r.lezerPerSecond).toLocaleString('en-US'), (r.lezerPerSecond / r.lintPerSecond).toFixed(1), r.findings.join(', ') || 'none']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

/** Runs the page in headless Chromium; resolves to its report ({ results: [...] }). */
export async function runBench({ budgetMs = 1000, rounds = 3 } = {}) {
  const { server, url } = await serve(0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${url}?budget=${budgetMs}&rounds=${rounds}`);
    await page.waitForFunction(() => window.benchReport, null, { timeout: 0, polling: 500 });
    const report = await page.evaluate(() => window.benchReport);
    if (report.error || errors.length) throw new Error(`bench page failed: ${report.error ?? ''} ${errors.join('; ')}`);
    return report;
  } finally {
    await browser.close();
    server.close();
  }
}

async function main() {
  const budgetMs = Number(arg('--budget', 1000));
  const rounds = Number(arg('--rounds', 3));
  if (args.includes('--serve')) {
    const { url } = await serve(Number(arg('--port', 0)));
    console.log(`lint bench page: ${url}?budget=${budgetMs}&rounds=${rounds}`);
    return;
  }
  const report = await runBench({ budgetMs, rounds });
  for (const r of report.results) {
    if (r.lezerErrors) console.warn(`warning: lezer-promql found ${r.lezerErrors} syntax errors in "${r.name}"`);
  }
  console.log(`${report.userAgent}\nmedian of ${report.rounds} rounds of ~${report.budgetMs} ms per query and tool\n`);
  console.log(table(report));
  if (args.includes('--json')) await writeFile(arg('--json'), JSON.stringify(report, null, 2) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
