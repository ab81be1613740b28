// Fills CORPUS/<target>/ (default fuzz/corpus; `node fuzz/corpus.mjs DIR` for another folder)
// with seeds: the committed ones under fuzz/seeds/<target>/ and inputs made from the project's
// test data (tests/data/lint/corpus.json queries, deploy/ dashboards,
// tests/data/kueue/*.json visibility responses cut to a few items so runs stay fast).
// Structured targets (build_query, aggregate_pods, exposition) read their input through
// `arbitrary` and start from libFuzzer's own inputs.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fuzz = `${root}/fuzz`;
const corpus = process.argv[2] ?? `${fuzz}/corpus`;

function add(target, bytes) {
  const dir = `${corpus}/${target}`;
  mkdirSync(dir, { recursive: true });
  const name = createHash('sha1').update(bytes).digest('hex');
  writeFileSync(`${dir}/${name}`, bytes);
}

// Committed seeds.
for (const target of existsSync(`${fuzz}/seeds`) ? readdirSync(`${fuzz}/seeds`) : []) {
  const dir = `${fuzz}/seeds/${target}`;
  for (const file of readdirSync(dir)) {
    mkdirSync(`${corpus}/${target}`, { recursive: true });
    copyFileSync(`${dir}/${file}`, `${corpus}/${target}/${file}`);
  }
}

// lint_query: one byte of scrape interval (seconds, 0 = off), then the query.
const lint = JSON.parse(readFileSync(`${root}/tests/data/lint/corpus.json`, 'utf8'));
for (const { query } of lint.queries) {
  add('lint_query', Buffer.concat([Buffer.from([30]), Buffer.from(query, 'utf8')]));
}

// lint_files: one byte of scrape interval, then a dashboard or rule file as JSON: the generated
// ones cut to a few panels and rules so runs stay fast.
for (const file of readdirSync(`${root}/deploy/dashboards`).filter((f) => f.endsWith('.json'))) {
  const doc = JSON.parse(readFileSync(`${root}/deploy/dashboards/${file}`, 'utf8'));
  const small = { ...doc, panels: doc.panels.slice(0, 3) };
  add('lint_files', Buffer.concat([Buffer.from([30]), Buffer.from(JSON.stringify(small))]));
}
add('lint_files', Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify({
  groups: [{ name: 'g', interval: '1m', rules: [
    { record: 'job:x:rate5m', expr: 'sum by (job) (rate(x_total[5m]))' },
    { alert: 'Down', expr: 'up == 0', for: '5m', labels: { severity: 'warning' }, annotations: { summary: 's' } },
  ] }],
}))]));
// kueue_pending_summary: 8 bytes of `now` (f64 LE), head limit, cluster-queue choice, body.
const kueueDir = `${root}/tests/data/kueue`;
const { now } = JSON.parse(readFileSync(`${kueueDir}/expected.json`, 'utf8'));
const head = Buffer.alloc(10);
head.writeDoubleLE(now, 0);
head[8] = 3;
for (const file of readdirSync(kueueDir).filter((f) => f.endsWith('.json') && f !== 'expected.json')) {
  const doc = JSON.parse(readFileSync(`${kueueDir}/${file}`, 'utf8'));
  for (const n of [0, 1, 4]) {
    const small = { ...doc, items: doc.items.slice(0, n) };
    add('kueue_pending_summary', Buffer.concat([head, Buffer.from(JSON.stringify(small))]));
  }
}

// parse_response: the committed responses, also as the Thanos/Mimir-style partial response.
const responses = `${fuzz}/seeds/parse_response`;
for (const file of existsSync(responses) ? readdirSync(responses) : []) {
  const body = JSON.parse(readFileSync(`${responses}/${file}`, 'utf8'));
  if (body.status === 'success') {
    add('parse_response', Buffer.from(JSON.stringify({ ...body, warnings: ['partial response: store unavailable'], infos: ['info'] })));
  }
}
// fast_path: an options byte (unit, stat, keepSeries), then each parse_response seed.
for (const file of existsSync(responses) ? readdirSync(responses) : []) {
  const body = readFileSync(`${responses}/${file}`);
  for (const options of [0x00, 0x81, 0x16]) add('fast_path', Buffer.concat([Buffer.from([options]), body]));
}
console.log(`corpus: ${readdirSync(corpus).sort().map((t) => `${t} ${readdirSync(`${corpus}/${t}`).length}`).join(', ')}`);
