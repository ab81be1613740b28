// Starts a real single-node VictoriaMetrics (Debian's package) on 127.0.0.1 over the same
// generated dataset as the Prometheus harness, imported through its Prometheus text import.
//
//   import { startVictoriaMetrics } from './tests/harness/victoria-metrics.mjs';
//   const vm = await startVictoriaMetrics();   // { url, expected, stop() }
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from './prometheus.mjs';
import { startServerProcess } from './server-process.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Lines per import request: a few MB each, well under VictoriaMetrics' request limits. */
const LINES_PER_REQUEST = 20000;

/**
 * OpenMetrics sample lines as Prometheus text with millisecond timestamps, which is what
 * `/api/v1/import/prometheus` reads; comments and `# EOF` are dropped.
 */
function toPrometheusText(line) {
  if (line === '' || line.startsWith('#')) return null;
  const space = line.lastIndexOf(' ');
  const seconds = Number(line.slice(space + 1));
  if (!Number.isFinite(seconds)) throw new Error(`a sample without a timestamp: ${line.slice(0, 200)}`);
  return `${line.slice(0, space)} ${Math.round(seconds * 1000)}`;
}

async function importDataset(url, path) {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let batch = [];
  const send = async () => {
    const r = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: `${batch.join('\n')}\n` });
    if (!r.ok) throw new Error(`import failed: ${r.status} ${await r.text()}`);
    batch = [];
  };
  for await (const line of lines) {
    const sample = toPrometheusText(line);
    if (sample === null) continue;
    batch.push(sample);
    if (batch.length === LINES_PER_REQUEST) await send();
  }
  if (batch.length) await send();
  const flushed = await fetch(`${url}/internal/force_flush`);
  if (!flushed.ok) throw new Error(`force_flush failed: ${flushed.status}`);
}

/** Starts VictoriaMetrics with the dataset imported; resolves once every series is queryable. */
export async function startVictoriaMetrics({ port } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kubeprom-vm-'));
  const gen = spawnSync(process.execPath, [join(root, 'tests/data/generate.mjs'), dir], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`generate.mjs failed:\n${gen.stderr}`);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  // latencyOffset 0: an instant query at the anchor, however close to now, sees every sample.
  const { stop, log } = await startServerProcess({
    command: 'victoria-metrics',
    args: [
      `-storageDataPath=${join(dir, 'data')}`,
      '-retentionPeriod=100y',
      `-httpListenAddr=127.0.0.1:${port}`,
      '-search.latencyOffset=0s',
      '-search.disableCache',
    ],
    readyUrl: `${url}/health`,
    dir,
  });
  try {
    await importDataset(url, join(dir, 'dataset.om'));
  } catch (e) {
    await stop();
    throw e;
  }
  rmSync(join(dir, 'dataset.om'));
  return { url, port, expected, stop, log };
}
