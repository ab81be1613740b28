// The benchmark page (bundled by run.mjs with esbuild): every contender goes from the same
// ArrayBuffer, as fetch hands it over, to per-pod last/avg/max/p95 over time.
import { QueryResult as PromQueryResult } from 'prometheus-query';

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

let kubeprom = null;
let wasmExports = null;
const inputs = new Map();
let heapProbe = null;

function probe() {
  if (heapProbe) heapProbe.peak = Math.max(heapProbe.peak, performance.memory.usedJSHeapSize);
}

/**
 * The lean JS a plugin author would write for a query that selects real containers: one Map
 * keyed by namespace/pod, series summed per timestamp (one pass per series), then per pod
 * last/avg/max and p95 by sorting a Float64Array. It skips what the inputs do not need (no
 * replicas to dedupe, every pod has containers), so it is as fast as correct JS gets here.
 * The accessors read one library's objects: JSON.parse's or prometheus-query's.
 */
function perPod(result, labelsOf, samplesOf, timeOf, valueOf) {
  const pods = new Map();
  for (const s of result) {
    const m = labelsOf(s);
    if (!m.container || m.container === 'POD' || !m.namespace || !m.pod) continue;
    const key = `${m.namespace}/${m.pod}`;
    let pod = pods.get(key);
    if (pod === undefined) pods.set(key, (pod = { namespace: m.namespace, pod: m.pod, sums: new Map() }));
    const samples = samplesOf(s);
    for (let i = 0; i < samples.length; i++) {
      const v = valueOf(samples[i]);
      if (Number.isNaN(v)) continue;
      const t = timeOf(samples[i]);
      pod.sums.set(t, (pod.sums.get(t) ?? 0) + v);
    }
  }
  probe();
  const out = [];
  for (const { namespace, pod, sums } of pods.values()) {
    const times = [...sums.keys()].sort((a, b) => a - b);
    const values = new Float64Array(times.length);
    for (let i = 0; i < times.length; i++) values[i] = sums.get(times[i]);
    out.push({ namespace, pod, ...stats(values) });
  }
  out.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
  return out;
}

/** (a): TextDecoder + JSON.parse, then `perPod`. */
function leanJs(buffer) {
  const json = JSON.parse(new TextDecoder().decode(buffer));
  probe();
  const { resultType, result } = json.data;
  const matrix = resultType === 'matrix';
  return perPod(result, (s) => s.metric, (s) => (matrix ? s.values : [s.value]), (sample) => sample[0], (sample) => parseFloat(sample[1]));
}

const FOUR = ['last', 'avg', 'max', 'p95'];

/** The busiest pods by last value, as the `top` option orders them (NaN last, then names). */
export function busiest(pods, n) {
  const rank = (a, b) => Number.isNaN(a.last) - Number.isNaN(b.last) || b.last - a.last || (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0);
  return [...pods].sort(rank).slice(0, n);
}

/** The visible page of a pod list: 50 pods spread over the answer, in namespace/pod order. */
function page(buffer) {
  if (!pages.has(buffer)) {
    const all = kubeprom.aggregatePodsFromBytes(buffer).pods;
    const step = Math.max(1, Math.floor(all.length / 50));
    pages.set(buffer, all.filter((_, i) => i % step === 0).slice(0, 50).map(({ namespace, pod }) => ({ namespace, pod })));
  }
  return pages.get(buffer);
}
const pages = new Map();

export const CONTENDERS = {
  /** (a) TextDecoder + JSON.parse + lean JS. */
  'a: JSON.parse + lean JS': leanJs,
  /** (b) prometheus-query's result objects (Metric, SampleValue with Date) + the same lean JS. */
  'b: prometheus-query + lean JS': (buffer) => {
    const json = JSON.parse(new TextDecoder().decode(buffer));
    const result = PromQueryResult.fromJSON(json.data);
    probe();
    return perPod(result.result, (s) => s.metric.labels, (s) => s.values ?? [s.value], (sample) => sample.time.getTime() / 1000, (sample) => sample.value);
  },
  /** (c) the documented path: parseResponse, then aggregatePods with the four stats in one call. */
  'c: parseResponse + aggregatePods': (buffer) => {
    const result = kubeprom.parseResponse(buffer);
    probe();
    const pods = kubeprom.aggregatePods(result, { stats: FOUR });
    probe();
    return pods.map((p) => ({ namespace: p.namespace, pod: p.pod, ...p.stats }));
  },
  /** (d) kubeprom aggregatePodsFromBytes: one call, the four stats computed in wasm. */
  'd: aggregatePodsFromBytes': (buffer) => {
    const report = kubeprom.aggregatePodsFromBytes(buffer, { stats: FOUR });
    probe();
    return report.pods.map((p) => ({ namespace: p.namespace, pod: p.pod, ...p.stats }));
  },
  /** (e) what a "top pods" view shows first: the 20 busiest, picked in wasm. (a) gets them by sorting its pods. */
  'e: aggregatePodsFromBytes top 20': (buffer) => {
    const report = kubeprom.aggregatePodsFromBytes(buffer, { stats: FOUR, top: 20 });
    probe();
    return report.pods.map((p) => ({ namespace: p.namespace, pod: p.pod, ...p.stats }));
  },
  /** (f) the visible page of a pod list: 50 given pods. (a) gets them by filtering its pods. */
  'f: aggregatePodsFromBytes page of 50': (buffer) => {
    const report = kubeprom.aggregatePodsFromBytes(buffer, { stats: FOUR, pods: page(buffer) });
    probe();
    return report.pods.map((p) => ({ namespace: p.namespace, pod: p.pod, ...p.stats }));
  },
};

/** Contenders that return a selection of the pods, with how to pick the same from (a)'s. */
export const SELECTIONS = {
  'e: aggregatePodsFromBytes top 20': (all) => busiest(all, 20),
  'f: aggregatePodsFromBytes page of 50': (all, buffer) => {
    const wanted = new Set(page(buffer).map((p) => `${p.namespace}/${p.pod}`));
    return all.filter((p) => wanted.has(`${p.namespace}/${p.pod}`));
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
  const out = Object.fromEntries(Object.keys(CONTENDERS).map((c) => [c, CONTENDERS[c](buffer)]));
  // Each selection next to what (a)'s pods give for it, so the runner compares like with like.
  const all = out[Object.keys(CONTENDERS)[0]];
  const expected = Object.fromEntries(Object.entries(SELECTIONS).map(([c, pick]) => [c, pick(all, buffer)]));
  return { out, expected };
}

/**
 * Request to per-pod values over loopback, the body streamed by the runner's server
 * (`/prom/NAME/api/v1/...` answers with input NAME): what receiving the body alone takes, and
 * each way to per-pod values from the request on.
 */
export const STREAMED = {
  'receive: fetch + arrayBuffer': async (base) => (await fetch(`${base}/api/v1/query?query=q`)).arrayBuffer(),
  'a: fetch + JSON.parse + lean JS': async (base) => leanJs(await (await fetch(`${base}/api/v1/query?query=q`)).arrayBuffer()),
  /** The documented client path: the result stays in wasm, aggregatePods reads it there. */
  'c: client.query + aggregatePods': async (base) =>
    kubeprom.aggregatePods(await new kubeprom.PrometheusClient({ baseUrl: base }).query('q'), { stats: FOUR }),
  'd: fetch + aggregatePodsFromBytes': async (base) =>
    kubeprom.aggregatePodsFromBytes(await (await fetch(`${base}/api/v1/query?query=q`)).arrayBuffer(), { stats: FOUR }).pods,
  'g: client.queryPods (streamed)': async (base) =>
    (await new kubeprom.PrometheusClient({ baseUrl: base }).queryPods('q', undefined, { stats: FOUR })).pods,
};

/** Wall times (ms) of `rounds` requests of each `STREAMED` contender, interleaved, after `warmup`. */
async function timeStreamed(name, rounds, warmup) {
  const base = `${location.origin}/prom/${name}`;
  const times = Object.fromEntries(Object.keys(STREAMED).map((c) => [c, []]));
  const answers = {};
  for (let r = 0; r < warmup + rounds; r++) {
    for (const [c, run] of Object.entries(STREAMED)) {
      const t0 = performance.now();
      const out = await run(base);
      const ms = performance.now() - t0;
      if (r >= warmup) times[c].push(ms);
      answers[c] = out.byteLength ?? out.length;
    }
  }
  return { times, answers };
}

globalThis.bench = { load, loadInput, time, memory, results, timeStreamed, contenders: Object.keys(CONTENDERS) };
