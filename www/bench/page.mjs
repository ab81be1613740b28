// The benchmark page (bundled by run.mjs with esbuild): every contender goes from the same
// ArrayBuffer, as fetch hands it over, to per-pod last/avg/max/p95 over time.
import { QueryResult as PromQueryResult } from 'prometheus-query';

const IDENTITY = new Set(['instance', 'replica', 'prometheus_replica', 'prometheus', '__replica__']);

/** Linear interpolation between closest ranks, as quantile_over_time. */
function quantile(sorted, q) {
  const rank = q * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const w = rank - lower;
  return sorted[lower] * (1 - w) + sorted[upper] * w;
}

/** last/avg/max/p95 of a pod's summed series (values in time order). */
function stats(values) {
  const n = values.length;
  if (n === 0) return { last: NaN, avg: NaN, max: NaN, p95: NaN };
  let sum = 0;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    if (v > max) max = v;
  }
  const sorted = Float64Array.from(values).sort();
  return { last: values[n - 1], avg: sum / n, max, p95: quantile(sorted, 0.95) };
}

/**
 * The idiomatic JS aggregation a plugin would write: dedupe scrapes, per pod prefer container
 * series over the pod-level cgroup and the pause container, sum per timestamp, then the stats.
 * `series`: [{ labels, samples: [[timeKey, value: number]] }].
 */
function aggregateInJs(series) {
  const seen = new Set();
  const pods = new Map();
  for (const s of series) {
    const m = s.labels;
    const id = Object.keys(m)
      .filter((k) => !IDENTITY.has(k))
      .sort()
      .map((k) => `${k}=${m[k]}`)
      .join('\u0000');
    if (seen.has(id)) continue;
    seen.add(id);
    if (!m.namespace || !m.pod) continue;
    const tier = !m.container ? 1 : m.container === 'POD' ? 2 : 0;
    const key = `${m.namespace}/${m.pod}`;
    let pod = pods.get(key);
    if (!pod) pods.set(key, (pod = { namespace: m.namespace, pod: m.pod, series: [] }));
    pod.series.push({ tier, samples: s.samples });
  }
  const out = [];
  for (const pod of pods.values()) {
    const best = Math.min(...pod.series.map((s) => s.tier));
    const sums = new Map();
    for (const s of pod.series) {
      if (s.tier !== best) continue;
      for (const [t, v] of s.samples) {
        if (Number.isNaN(v)) continue;
        sums.set(t, (sums.get(t) ?? 0) + v);
      }
    }
    const times = [...sums.keys()].sort((a, b) => a - b);
    out.push({ namespace: pod.namespace, pod: pod.pod, ...stats(times.map((t) => sums.get(t))) });
  }
  out.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
  return out;
}

let kubeprom = null;
let wasmExports = null;
const inputs = new Map();
let heapProbe = null;

function probe() {
  if (heapProbe) heapProbe.peak = Math.max(heapProbe.peak, performance.memory.usedJSHeapSize);
}

export const CONTENDERS = {
  /** (a) TextDecoder + JSON.parse + the JS aggregation. */
  'a: JSON.parse + JS': (buffer) => {
    const json = JSON.parse(new TextDecoder().decode(buffer));
    probe();
    const d = json.data;
    const series = d.result.map((s) => ({
      labels: s.metric,
      samples: (d.resultType === 'matrix' ? s.values : [s.value]).map(([t, v]) => [t, parseFloat(v)]),
    }));
    probe();
    return aggregateInJs(series);
  },
  /** (b) prometheus-query's result objects (Metric, SampleValue with Date) + the JS aggregation. */
  'b: prometheus-query + JS': (buffer) => {
    const json = JSON.parse(new TextDecoder().decode(buffer));
    const result = PromQueryResult.fromJSON(json.data);
    probe();
    const series = result.result.map((s) => ({
      labels: { __name__: s.metric.name, ...s.metric.labels },
      samples: (s.values ?? [s.value]).map((sample) => [sample.time.getTime(), sample.value]),
    }));
    probe();
    return aggregateInJs(series);
  },
  /** (c) kubeprom parseResponse + aggregatePods (keepSeries, stats of the pod series). */
  'c: parseResponse + aggregatePods': (buffer) => {
    const result = kubeprom.parseResponse(buffer);
    probe();
    const pods = kubeprom.aggregatePods(result, { keepSeries: true });
    probe();
    return pods.map((p) => ({ namespace: p.namespace, pod: p.pod, ...stats(p.values) }));
  },
  /** (d) kubeprom aggregatePodsFromBytes: one call, the four stats computed in wasm. */
  'd: aggregatePodsFromBytes': (buffer) => {
    const report = kubeprom.aggregatePodsFromBytes(buffer, { stats: ['last', 'avg', 'max', 'p95'] });
    probe();
    return report.pods.map((p) => ({ namespace: p.namespace, pod: p.pod, ...p.stats }));
  },
};

/** Loads the kubeprom glue and its wasm; times compile and instantiate separately. */
async function load(glueUrl, wasmUrl) {
  kubeprom = await import(glueUrl);
  const bytes = await (await fetch(wasmUrl)).arrayBuffer();
  const t0 = performance.now();
  const module = await WebAssembly.compile(bytes);
  const t1 = performance.now();
  wasmExports = kubeprom.initSync({ module });
  const t2 = performance.now();
  return { wasmBytes: bytes.byteLength, compileMs: t1 - t0, instantiateMs: t2 - t1 };
}

async function loadInput(name) {
  if (!inputs.has(name)) inputs.set(name, await (await fetch(`.data/${name}.json`)).arrayBuffer());
  return inputs.get(name).byteLength;
}

/** Wall times (ms) of `rounds` runs of each contender, interleaved, after `warmup` rounds. */
function time(name, contenders, rounds, warmup) {
  const buffer = inputs.get(name);
  const times = Object.fromEntries(contenders.map((c) => [c, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (const c of contenders) {
      const t0 = performance.now();
      const pods = CONTENDERS[c](buffer);
      const ms = performance.now() - t0;
      if (pods.length === 0) throw new Error(`${c} found no pods`);
      if (r >= warmup) times[c].push(ms);
    }
  }
  return times;
}

/** Peak JS heap above a collected baseline and wasm memory growth of one run (fresh page). */
function memory(name, contender) {
  const buffer = inputs.get(name);
  const wasmMemory = wasmExports.memory;
  globalThis.gc();
  const wasmBefore = wasmMemory.buffer.byteLength;
  const base = performance.memory.usedJSHeapSize;
  heapProbe = { peak: base };
  const out = CONTENDERS[contender](buffer);
  probe();
  const peak = heapProbe.peak;
  heapProbe = null;
  return {
    jsHeapPeak: peak - base,
    wasmGrowth: wasmMemory.buffer.byteLength - wasmBefore,
    wasmTotal: wasmMemory.buffer.byteLength,
    pods: out.length,
  };
}

/** Per-pod results of every contender, for the runner's cross-check. */
function results(name) {
  const buffer = inputs.get(name);
  return Object.fromEntries(Object.keys(CONTENDERS).map((c) => [c, CONTENDERS[c](buffer)]));
}

globalThis.bench = { load, loadInput, time, memory, results, contenders: Object.keys(CONTENDERS) };
