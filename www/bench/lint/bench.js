// Times kubeprom's lintQuery and @prometheus-io/lezer-promql's parser on the same queries, in
// the page's own thread. run.mjs serves the queries (taken from benches/lint.rs, so native and
// browser numbers are for the same text) and lezer-promql bundled by esbuild.
import init, { lintQuery } from '../../index.js';
import { parser } from './lezer-promql.js';

const params = new URLSearchParams(location.search);
const budgetMs = Number(params.get('budget') ?? 1000);
const rounds = Number(params.get('rounds') ?? 3);
const scrapeInterval = '30s';

/** Calls per second of `f`, run for about `budgetMs` after a warm-up (as benches/lint.rs does). */
function throughput(f) {
  for (let i = 0; i < 200; i++) f();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < budgetMs) {
    for (let i = 0; i < 100; i++) f();
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Error nodes in lezer's tree: lezer recovers from errors, so a parse never throws. */
function lezerErrors(text) {
  let errors = 0;
  parser.parse(text).iterate({ enter: (node) => { if (node.type.isError) errors++; } });
  return errors;
}

async function run() {
  await init();
  const queries = await (await fetch('queries.json')).json();
  const results = [];
  // Results are kept where the optimiser cannot drop the calls.
  let sink = 0;
  // Warm up both tools on every query first: V8 compiles wasm with a baseline tier and tiers
  // hot functions up later, and the first query measured would otherwise pay for it.
  const warmUntil = performance.now() + Math.max(1000, budgetMs);
  while (performance.now() < warmUntil) {
    for (const { query } of queries) {
      sink += lintQuery(query, { scrapeInterval }).length;
      sink += parser.parse(query.replaceAll('$__rate_interval', '5m')).length;
    }
  }
  for (const { name, query } of queries) {
    // promql-parser and lezer reject Grafana variables; the parsers get the query they would be given.
    const plain = query.replaceAll('$__rate_interval', '5m');
    const findings = lintQuery(query, { scrapeInterval });
    const lint = [];
    const lezer = [];
    for (let r = 0; r < rounds; r++) {
      lint.push(throughput(() => { sink += lintQuery(query, { scrapeInterval }).length; }));
      lezer.push(throughput(() => { sink += parser.parse(plain).length; }));
    }
    results.push({
      name,
      lintPerSecond: median(lint),
      lezerPerSecond: median(lezer),
      findings: findings.map((f) => f.rule),
      lezerErrors: lezerErrors(plain),
      rounds: { lint, lezer },
    });
  }
  return { userAgent: navigator.userAgent, budgetMs, rounds, results, sink };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
run().then(
  (report) => {
    const rows = report.results.map((r) => {
      const tr = document.createElement('tr');
      for (const [text, n] of [[r.name], [fmt(r.lintPerSecond), 1], [fmt(r.lezerPerSecond), 1], [(r.lezerPerSecond / r.lintPerSecond).toFixed(1), 1], [r.findings.join(', ') || 'none']]) {
        const td = document.createElement('td');
        td.textContent = text;
        if (n) td.className = 'n';
        tr.append(td);
      }
      return tr;
    });
    document.querySelector('#results tbody').replaceChildren(...rows);
    document.getElementById('status').textContent = `Done: median of ${report.rounds} rounds of about ${report.budgetMs} ms each.`;
    window.benchReport = report;
  },
  (e) => {
    document.getElementById('status').textContent = `Failed: ${e.kind ?? ''} ${e.message}`;
    window.benchReport = { error: String(e.message ?? e) };
  },
);
