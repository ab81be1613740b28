// Native histogram samples through parseResponse: each series that has any gets them whole in
// typed arrays (`series.histograms`, see index.d.ts), checked against the body read
// independently with JSON.parse; their counts stay in `values`, so the per-pod calls read a
// result with histograms the same whether its series were read or not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initSync, parseResponse, aggregatePods } from '../../www/index.js';
import { bits, exact, sampleValue } from './pages/exact.mjs';

before(() => {
  initSync({ module: readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url))) });
});

/** What a series of the body says, read with JSON.parse: every sample (a histogram as its count) and the histograms whole, numbers as their bits. */
function reference(series) {
  const timestamps = [];
  const values = [];
  const h = { timestamps: [], counts: [], sums: [], bucketStarts: [0], boundaryRules: [], lowerBounds: [], upperBounds: [], bucketCounts: [] };
  // Samples in the order of the body's keys, as JSON.parse keeps them.
  for (const [key, field] of Object.entries(series)) {
    const samples = key === 'value' || key === 'histogram' ? [field] : key === 'values' || key === 'histograms' ? field : [];
    for (const [t, sample] of samples) {
      timestamps.push(bits(t));
      if (key.startsWith('histogram')) {
        values.push(bits(sampleValue(sample.count)));
        h.timestamps.push(bits(t));
        h.counts.push(bits(sampleValue(sample.count)));
        h.sums.push(bits(sampleValue(sample.sum)));
        for (const [rule, lower, upper, count] of sample.buckets ?? []) {
          h.boundaryRules.push(rule);
          h.lowerBounds.push(bits(sampleValue(lower)));
          h.upperBounds.push(bits(sampleValue(upper)));
          h.bucketCounts.push(bits(sampleValue(count)));
        }
        h.bucketStarts.push(h.boundaryRules.length);
      } else {
        values.push(bits(sampleValue(sample)));
      }
    }
  }
  return { labels: series.metric, timestamps, values, histograms: h.timestamps.length > 0 ? h : undefined };
}

/** A series of parseResponse in the same form, checking the array types on the way. */
function asBits(series) {
  assert.ok(series.timestamps instanceof Float64Array && series.values instanceof Float64Array);
  const out = { labels: { ...series.labels }, timestamps: [...series.timestamps].map(bits), values: [...series.values].map(bits), histograms: undefined };
  const h = series.histograms;
  if (h !== undefined) {
    for (const key of ['timestamps', 'counts', 'sums', 'lowerBounds', 'upperBounds', 'bucketCounts']) assert.ok(h[key] instanceof Float64Array, key);
    assert.ok(h.bucketStarts instanceof Uint32Array && h.boundaryRules instanceof Uint8Array);
    assert.deepEqual(Object.keys(h).sort(), ['boundaryRules', 'bucketCounts', 'bucketStarts', 'counts', 'lowerBounds', 'sums', 'timestamps', 'upperBounds']);
    out.histograms = {
      timestamps: [...h.timestamps].map(bits),
      counts: [...h.counts].map(bits),
      sums: [...h.sums].map(bits),
      bucketStarts: [...h.bucketStarts],
      boundaryRules: [...h.boundaryRules],
      lowerBounds: [...h.lowerBounds].map(bits),
      upperBounds: [...h.upperBounds].map(bits),
      bucketCounts: [...h.bucketCounts].map(bits),
    };
  }
  return out;
}

function assertAsTheBodySays(text, what) {
  const expected = JSON.parse(text).data.result.map(reference);
  const result = parseResponse(text);
  assert.deepEqual(result.series.map(asBits), expected, what);
  for (const s of result.series) assert.equal('histograms' in s, s.histograms !== undefined, `${what}: histograms only where there are some`);
  return result;
}

const body = (resultType, result) => JSON.stringify({ status: 'success', data: { resultType, result } });

// As Prometheus writes them (util/jsonutil MarshalHistogram): negative buckets open right (1),
// the zero bucket closed on both sides (3), positive buckets open left (0); a custom-bucket
// histogram's outer bounds are infinite; `buckets` is left out when every bucket is empty.
const EXPONENTIAL = { count: '42', sum: '34593.34', buckets: [[1, '-4', '-2', '1'], [3, '-0.001', '0.001', '3'], [0, '0.25', '0.5', '12'], [0, '2', '4', '26']] };
const CUSTOM = { count: '+Inf', sum: 'NaN', buckets: [[0, '-Inf', '0.5', '1'], [2, '0.5', '1e300', '2.5'], [0, '1e300', '+Inf', '+Inf']] };
const EMPTY = { count: '0', sum: '0' };

test('vector histograms: count, sum and every bucket as the body says, the count in values', () => {
  const text = body('vector', [
    { metric: { namespace: 'a', pod: 'p', container: 'c' }, histogram: [1700000000.5, EXPONENTIAL] },
    { metric: { namespace: 'a', pod: 'p', container: 'd' }, value: [1700000000.5, '2'] },
    { metric: { namespace: 'b', pod: 'q', container: 'c' }, histogram: [1700000001, CUSTOM] },
    { metric: { namespace: 'b', pod: 'r', container: 'c' }, histogram: [1700000002, EMPTY] },
  ]);
  const result = assertAsTheBodySays(text, 'vector');
  const [first, floats, custom, empty] = result.series;
  assert.equal(floats.histograms, undefined);
  assert.deepEqual([...first.histograms.boundaryRules], [1, 3, 0, 0]);
  assert.deepEqual([...first.histograms.bucketStarts], [0, 4]);
  assert.deepEqual([...custom.histograms.lowerBounds], [-Infinity, 0.5, 1e300]);
  assert.deepEqual([...custom.histograms.upperBounds], [0.5, 1e300, Infinity]);
  assert.ok(Number.isNaN(custom.histograms.sums[0]));
  assert.deepEqual([...empty.histograms.bucketStarts], [0, 0]);
  assert.equal(empty.histograms.boundaryRules.length, 0);
});

test('matrix series with floats, histograms or both keep each, in the order of the body', () => {
  const histograms = [[10, EXPONENTIAL], [20, EMPTY], [30, CUSTOM]];
  const values = [[40, '1.5'], [50, 'NaN']];
  const text = body('matrix', [
    { metric: { namespace: 'a', pod: 'p' }, values, histograms },
    { metric: { namespace: 'a', pod: 'q' }, histograms, values },
    { metric: { namespace: 'a', pod: 'r' }, histograms },
    { metric: { namespace: 'a', pod: 's' }, values },
  ]);
  const result = assertAsTheBodySays(text, 'matrix');
  // bucketStarts are the series' own: its first sample's buckets start at 0.
  for (const s of result.series.slice(0, 3)) assert.deepEqual([...s.histograms.bucketStarts], [0, 4, 4, 7]);
  assert.equal(result.series[3].histograms, undefined);
});

test('generated histograms of many shapes read as the body says', () => {
  let x = 0x2545f491;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const texts = ['0', '1', '-0', '0.1', '1e-320', '123456789.123456789', '+Inf', '-Inf', 'NaN', '1e308', '-2.5'];
  const pick = (list) => list[Math.floor(next() * list.length)];
  const histogram = () => {
    const h = { count: pick(texts), sum: pick(texts) };
    const n = Math.floor(next() * 6);
    if (n > 0 || next() < 0.5) h.buckets = Array.from({ length: n }, () => [Math.floor(next() * 4), pick(texts), pick(texts), pick(texts)]);
    return h;
  };
  for (let round = 0; round < 20; round++) {
    const result = Array.from({ length: 1 + Math.floor(next() * 8) }, (_, i) => {
      const s = { metric: { namespace: 'n', pod: `p${i}` } };
      const times = (n) => Array.from({ length: n }, (_, k) => 1700000000 + 15 * k + pick([0, 0.5, 0.001]));
      if (next() < 0.6) s.values = times(Math.floor(next() * 4)).map((t) => [t, pick(texts)]);
      if (next() < 0.8 || s.values === undefined) s.histograms = times(Math.floor(next() * 4)).map((t) => [t, histogram()]);
      return s;
    });
    assertAsTheBodySays(body('matrix', result), `round ${round}`);
    const vector = result.map((s, i) => ({ metric: s.metric, ...(i % 2 ? { histogram: [1, histogram()] } : { value: [1, pick(texts)] }) }));
    assertAsTheBodySays(body('vector', vector), `vector round ${round}`);
  }
});

test('aggregatePods reads a histogram sample as its count, whether the series were read or not', () => {
  const text = body('matrix', [
    { metric: { namespace: 'a', pod: 'p', container: 'c' }, values: [[10, '1']], histograms: [[20, EXPONENTIAL], [30, { count: '7', sum: '1' }]] },
    { metric: { namespace: 'a', pod: 'p', container: 'd' }, histograms: [[20, { count: '5', sum: '1' }]] },
    { metric: { namespace: 'b', pod: 'q', container: 'c' }, histograms: [[20, CUSTOM]] },
  ]);
  const opts = { stat: 'max', keepSeries: true };
  const kept = exact(aggregatePods(parseResponse(text), opts));
  const read = parseResponse(text);
  assert.ok(read.series[0].histograms !== undefined);
  assert.equal(exact(aggregatePods(read, opts)), kept, 'series read, packed back from JS');
  // The same samples as plain float series, built from JSON.parse: the same pods.
  const floats = JSON.parse(text).data.result.map((s) => {
    const samples = [...(s.values ?? []), ...s.histograms.map(([t, h]) => [t, h.count])];
    return { labels: s.metric, timestamps: Float64Array.from(samples, ([t]) => t), values: Float64Array.from(samples, ([, v]) => sampleValue(v)) };
  });
  assert.equal(exact(aggregatePods({ resultType: 'matrix', series: floats, warnings: [], infos: [] }, opts)), kept, 'as float samples');
  // Pod a/p at its busiest time, 20: container c's histogram count and d's.
  assert.equal(JSON.parse(kept)[0].value, bits(42 + 5));
});

test('malformed histograms are malformed errors that say what is wrong', () => {
  const cases = [
    [{ count: '1', sum: '1', buckets: [[4, '0', '1', '1']] }, /boundary rule 4 is not 0 \(open left\), 1 \(open right\), 2 \(open both\) or 3 \(closed both\)/],
    [{ count: '1', sum: '1', buckets: [[0, '0', 'one', '1']] }, /bucket upper bound "one" is not a number/],
    [{ count: '1', sum: '1', buckets: [[0, '0', '1']] }, /invalid length/],
    [{ count: 'x', sum: '1' }, /histogram count "x" is not a number/],
    [{ count: '1' }, /missing field `sum`/],
    [{ count: 1, sum: '1' }, /invalid type/],
  ];
  for (const [histogram, message] of cases) {
    const text = body('vector', [{ metric: {}, histogram: [1, histogram] }]);
    assert.throws(() => parseResponse(text), (e) => e.kind === 'malformed' && message.test(e.message), JSON.stringify(histogram));
  }
  const both = body('vector', [{ metric: {}, value: [1, '1'], histogram: [1, EMPTY] }]);
  assert.throws(() => parseResponse(both), (e) => e.kind === 'malformed' && /both value and histogram/.test(e.message));
  const twice = '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"histograms":[],"histograms":[]}]}}';
  assert.throws(() => parseResponse(twice), (e) => e.kind === 'malformed' && /histograms twice/.test(e.message));
});
