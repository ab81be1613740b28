// Starts a real Prometheus (Debian's package) on 127.0.0.1 over a bundled dataset, for tests
// and the demo: `main` (tests/data/generate.mjs, hours of a small cluster) or `history`
// (tests/data/history.mjs, 15 days of a few workloads, for right-sizing). The dataset is generated and backfilled once per anchor and reused while it is
// fresh; every instance runs on its own copy of the blocks so several can run at once.
//
//   import { startPrometheus } from './tests/harness/prometheus.mjs';
//   const prom = await startPrometheus();   // { url, expected, stop() }
//
//   node tests/harness/prometheus.mjs serve [--dataset main|history] [--port N] [--exit-with PID]
//   # prints PROMETHEUS_URL=..., runs until killed (or until process PID exits)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from './server-process.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const workDir = join(root, 'tests/.work');
/** Regenerate when less than this much of the data lies ahead of now. */
const MIN_FUTURE_SECONDS = 90 * 60;
/**
 * Each dataset's generator, and the name of its marker and expectations in tests/.work (the main
 * one's are where the plugins' tests read them).
 */
const DATASETS = {
  main: { generator: 'tests/data/generate.mjs', marker: 'tsdb.json', expected: 'expected.json', prefix: 'dataset-' },
  history: { generator: 'tests/data/history.mjs', marker: 'tsdb-history.json', expected: 'expected-history.json', prefix: 'dataset-history-' },
};
function datasetOf(name) {
  const d = DATASETS[name];
  if (!d) throw new Error(`no dataset ${JSON.stringify(name)}: one of ${Object.keys(DATASETS).join(', ')}`);
  return d;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); install it (see .ci/run)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * Generates and backfills the dataset unless a fresh one exists; returns its paths.
 *
 * Test files run in parallel (`node --test`), and several may find the dataset stale at once:
 * each builds in its own staging folder and renames the finished folder into place, so no
 * process ever reads a half-written dataset or has its files rewritten under it.
 */
export function prepareDataset(name = 'main') {
  const d = datasetOf(name);
  const marker = join(workDir, d.marker);
  // The generator and the writer it imports: a change to either makes a new dataset.
  const generator = readFileSync(join(root, d.generator), 'utf8') + readFileSync(join(root, 'tests/data/openmetrics.mjs'), 'utf8');
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.generator === generator && m.end - Date.now() / 1000 > MIN_FUTURE_SECONDS && existsSync(m.tsdb)) return m;
  }
  mkdirSync(workDir, { recursive: true });
  const staging = mkdtempSync(join(workDir, 'staging-'));
  try {
    run(process.execPath, [join(root, d.generator), staging]);
    const expected = JSON.parse(readFileSync(join(staging, 'expected.json'), 'utf8'));
    run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(staging, 'dataset.om'), join(staging, 'tsdb')]);
    rmSync(join(staging, 'dataset.om'));
    const digest = createHash('sha256').update(generator).digest('hex').slice(0, 12);
    const final = join(workDir, `${d.prefix}${expected.anchor}-${digest}`);
    try {
      renameSync(staging, final);
    } catch (e) {
      // Another process finished the same dataset first; theirs is as good as ours.
      if (!existsSync(join(final, 'tsdb'))) throw e;
    }
    const m = { generator, tsdb: join(final, 'tsdb'), end: expected.end, expectedPath: join(final, 'expected.json') };
    atomicWrite(join(workDir, d.expected), readFileSync(m.expectedPath));
    atomicWrite(marker, JSON.stringify(m));
    removeStale(final);
    return m;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function atomicWrite(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Drops datasets that can no longer be fresh (older than a day), keeping the current one. */
function removeStale(current) {
  for (const name of readdirSync(workDir)) {
    const path = join(workDir, name);
    if (path === current || !/^(dataset-|tsdb-|staging-)/.test(name)) continue;
    if (Date.now() - statSync(path).mtimeMs > 24 * 3600 * 1000) rmSync(path, { recursive: true, force: true });
  }
}

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * Starts Prometheus over the dataset. `scrapeConfigs` (YAML objects as JSON) adds scrape jobs,
 * e.g. for an exporter the test serves on 127.0.0.1.
 */
export async function startPrometheus({ port, scrapeConfigs = [], scrapeInterval = '5s', dataset: name = 'main' } = {}) {
  const dataset = prepareDataset(name);
  const expected = JSON.parse(readFileSync(dataset.expectedPath, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'kubeprom-prom-'));
  cpSync(dataset.tsdb, join(dir, 'data'), { recursive: true });
  // JSON is YAML, so the config needs no YAML library. The backfilled blocks reach two hours
  // past now, so live scrapes land "in the past" of the head: accept them as out-of-order.
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify({
    global: { scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval },
    scrape_configs: scrapeConfigs,
    storage: { tsdb: { out_of_order_time_window: '3h' } },
  }));
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { stop, log } = await startServerProcess({
    command: 'prometheus',
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    readyUrl: `${url}/-/ready`,
    dir,
  });
  return { url, port, expected, expectedPath: dataset.expectedPath, stop, log };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...rest] = process.argv.slice(2);
  const datasetArg = rest.indexOf('--dataset');
  const datasetName = datasetArg >= 0 ? rest[datasetArg + 1] : undefined;
  if (command === 'prepare') {
    console.log(JSON.stringify(prepareDataset(datasetName)));
  } else if (command === 'serve') {
    const portArg = rest.indexOf('--port');
    const prom = await startPrometheus({ port: portArg >= 0 ? Number(rest[portArg + 1]) : undefined, dataset: datasetName });
    console.log(`PROMETHEUS_URL=${prom.url}`);
    console.log(`EXPECTED=${prom.expectedPath}`);
    const shutdown = async () => { await prom.stop(); process.exit(0); };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    // --exit-with PID: stop when that process is gone (a test binary that started us).
    const parentArg = rest.indexOf('--exit-with');
    const parent = parentArg >= 0 ? Number(rest[parentArg + 1]) : 0;
    setInterval(() => {
      if (!parent) return;
      try { process.kill(parent, 0); } catch { shutdown(); }
    }, 500);
  } else {
    console.error('usage: node tests/harness/prometheus.mjs prepare|serve [--dataset main|history] [--port N]');
    process.exit(2);
  }
}
