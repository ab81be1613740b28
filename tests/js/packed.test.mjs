// Results cross the wasm boundary packed (crates/kubeprom-wasm/src/packed.rs and unpack.js): parseResponse's
// objects must be what the body says, read independently with JSON.parse, and aggregatePods must
// read back any QueryResult (parseResponse's, or built by hand with plain arrays, separate
// arrays, other key orders, non-ASCII text, edited values) as the same numbers, bit for bit.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate } from '../../www/bench/generate.mjs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { initSync, parseResponse, aggregatePodsReport, aggregatePods } from '../../www/index.js';
import { keptIdOf, keptStats, setKeptBudget } from '../../pkg/kubeprom_unpack.js';
import { bits, sampleValue } from './pages/exact.mjs';

before(() => {
  initSync({ module: readFileSync(fileURLToPath(new URL('../../pkg/kubeprom_bg.wasm', import.meta.url))) });
});

/** The QueryResult a body describes, read with JSON.parse (numbers as their bits). */
function reference(text) {
  const { data, warnings = [], infos = [] } = JSON.parse(text);
  return {
    resultType: data.resultType,
    series: data.result.map((s) => {
      const samples = data.resultType === 'matrix' ? s.values : [s.value];
      return { labels: s.metric, timestamps: samples.map(([t]) => bits(t)), values: samples.map(([, v]) => bits(sampleValue(v))) };
    }),
    warnings,
    infos,
  };
}

/** parseResponse's result in the same form. */
function asBits(result) {
  return {
    resultType: result.resultType,
    series: result.series.map((s) => {
      assert.ok(s.timestamps instanceof Float64Array && s.values instanceof Float64Array);
      return { labels: { ...s.labels }, timestamps: [...s.timestamps].map(bits), values: [...s.values].map(bits) };
    }),
    warnings: result.warnings,
    infos: result.infos,
  };
}

const reportBits = (report) =>
  JSON.stringify({
    pods: report.pods.map((p) => [p.namespace, p.pod, bits(p.value), p.unit, p.containers.map((c) => [c.container, bits(c.value)]), p.timestamps && [...p.timestamps].map(bits), p.values && [...p.values].map(bits)]),
    // Label objects keep the caller's key order; compared sorted.
    unattributed: report.unattributed.map((labels) => Object.entries(labels).sort()),
    droppedDuplicates: report.droppedDuplicates,
    skippedSamples: report.skippedSamples,
  });

const ODD = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      { metric: { namespace: 'é-ns', pod: 'p😀', container: 'c\u0000"\\' }, values: [[1, '1'], [2, 'NaN'], [3, '+Inf'], [4, '-0'], [5, '0.30000000000000004']] },
      { metric: { pod: 'p😀', namespace: 'é-ns', container: 'ü' }, values: [[1, '-Inf'], [2.5, '1e-320'], [3, '123456789012345678901234']] },
      { metric: { job: 'x', '😀': 'ß' }, values: [[1, '2']] },
      { metric: JSON.parse('{"__proto__":"not a prototype","job":"y"}'), values: [[1, '3']] },
      { metric: {}, values: [] },
    ],
  },
  warnings: ['partial'],
  infos: ['i'],
});

test('parseResponse gives what the body says: labels, every sample bit, warnings', () => {
  const bodies = Object.values(generate()).map((path) => readFileSync(path, 'utf8'));
  bodies.push(ODD, '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"\\u00e9\\ud83d\\ude00"},"value":[1.5,"-Inf"]}]}}');
  for (const body of bodies) {
    assert.deepEqual(asBits(parseResponse(body)), reference(body), body.slice(0, 80));
    assert.deepEqual(asBits(parseResponse(new TextEncoder().encode(body))), reference(body));
  }
});

/** A copy of a result as a user might build it: own arrays, plain arrays, keys reordered. */
function rebuilt(result, style) {
  return {
    resultType: result.resultType,
    series: result.series.map((s, i) => {
      const keys = Object.keys(s.labels);
      const labels = Object.fromEntries((style === 'reversed' ? keys.reverse() : keys).map((k) => [k, s.labels[k]]));
      const own = (a) => (style === 'plain' || (style === 'mixed' && i % 2) ? [...a] : Float64Array.from(a));
      return { labels, timestamps: own(s.timestamps), values: own(s.values) };
    }),
    warnings: [],
    infos: [],
  };
}

test('aggregatePods reads back any QueryResult to the same numbers', () => {
  const bodies = [ODD, ...Object.values(generate()).map((path) => readFileSync(path, 'utf8'))];
  for (const body of bodies) {
    const result = parseResponse(body);
    for (const opts of [{ stat: 'p95', keepSeries: true }, { stat: 'avg', unit: 'MiB' }]) {
      const expected = reportBits(aggregatePodsReport(result, opts));
      for (const style of ['typed', 'plain', 'mixed', 'reversed']) {
        assert.equal(reportBits(aggregatePodsReport(rebuilt(result, style), opts)), expected, `${style} ${body.slice(0, 60)}`);
      }
    }
  }
  const odd = aggregatePodsReport(parseResponse(ODD), { stat: 'last' });
  assert.deepEqual(odd.pods.map((p) => [p.namespace, p.pod, p.containers.map((c) => c.container)]), [['é-ns', 'p😀', ['c\u0000"\\', 'ü']]]);
  // In the plain path's order: by label set, the empty one first.
  assert.deepEqual(odd.unattributed, [{}, JSON.parse('{"__proto__":"not a prototype","job":"y"}'), { job: 'x', '😀': 'ß' }]);
  assert.equal(Object.getPrototypeOf(odd.unattributed[1]), Object.prototype);
});

test('the samples read back are the current ones: edits count, other series stay apart', () => {
  const body = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p","container":"x"},"value":[1,"1"]},{"metric":{"namespace":"a","pod":"q","container":"x"},"value":[1,"2"]}]}}';
  const result = parseResponse(body);
  result.series[0].values[0] = 40;
  assert.deepEqual(aggregatePods(result).map((p) => p.value), [40, 2]);
  result.series.reverse();
  assert.deepEqual(aggregatePods(result).map((p) => p.value), [40, 2]);
  result.series.pop();
  assert.deepEqual(aggregatePods(result).map((p) => p.pod), ['q']);
});

test('the labels read back are the current ones: every edit of a parsed result counts', () => {
  const body = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p","container":"x"},"value":[1,"1"]},{"metric":{"namespace":"a","pod":"q","container":"x"},"value":[1,"2"]},{"metric":{"__proto__":"v","namespace":"a","pod":"q","container":"y"},"value":[1,"4"]}]}}';
  const edits = {
    'a value changed': (r) => (r.series[0].labels.pod = 'q'),
    'a label removed': (r) => delete r.series[1].labels.container,
    'a label added': (r) => (r.series[0].labels.instance = 'i'),
    'a container renamed to the pause container': (r) => (r.series[2].labels.container = 'POD'),
    'labels replaced': (r) => (r.series[1].labels = { namespace: 'b', pod: 'q', container: 'x' }),
    'labels reordered': (r) => {
      const { container, ...rest } = r.series[0].labels;
      r.series[0].labels = { container, ...rest };
    },
    'a series appended': (r) => r.series.push({ labels: { namespace: 'c', pod: 'z' }, timestamps: new Float64Array([1]), values: new Float64Array([8]) }),
    'series swapped': (r) => ([r.series[0], r.series[2]] = [r.series[2], r.series[0]]),
    'nothing': () => {},
  };
  for (const [what, edit] of Object.entries(edits)) {
    const result = parseResponse(body);
    edit(result);
    // structuredClone makes a plain copy with the same labels, which aggregatePods packs afresh.
    const fresh = structuredClone(result);
    for (const opts of [{}, { stats: ['last'] }]) {
      assert.equal(reportBits(aggregatePodsReport(result, opts)), reportBits(aggregatePodsReport(fresh, opts)), what);
    }
  }
  // A labels value that is not a string is still an error after parsing.
  const result = parseResponse(body);
  result.series[0].labels.pod = 7;
  assert.throws(() => aggregatePods(result), (e) => e.kind === 'invalid_argument' && /values must be strings/.test(e.message));
});

test('a QueryResult of the wrong shape is invalid_argument, naming the field', () => {
  const series = (s) => ({ resultType: 'vector', series: [s] });
  const cases = [
    [null, /resultType/],
    [{ resultType: 'table', series: [] }, /resultType/],
    [{ resultType: 'vector', series: {} }, /result\.series: expected an array/],
    [series(null), /series\[0\]\.labels: expected an object/],
    [series({ labels: 5, timestamps: [], values: [] }), /series\[0\]\.labels: expected an object/],
    [series({ labels: { a: 1 }, timestamps: [], values: [] }), /values must be strings/],
    [series({ labels: {}, timestamps: 'x', values: [] }), /series\[0\]\.timestamps/],
    [series({ labels: {}, timestamps: [], values: new Float32Array(0) }), /series\[0\]\.values/],
    [series({ labels: {}, timestamps: [1, 2], values: [1] }), /differ in length/],
  ];
  for (const [result, message] of cases) {
    assert.throws(() => aggregatePods(result), (e) => e.kind === 'invalid_argument' && message.test(e.message), JSON.stringify(result));
  }
});

test('a result whose series were never read aggregates as the same result read, and reads as it', () => {
  const bodies = [ODD, ...Object.values(generate()).map((path) => readFileSync(path, 'utf8'))];
  for (const body of bodies) {
    for (const opts of [{ stats: ['last', 'p95'], keepSeries: true }, { stat: 'avg', unit: 'MiB' }]) {
      const read = parseResponse(body);
      read.series.length; // made now: the packing is then checked label by label
      const expected = reportBits(aggregatePodsReport(read, opts));
      assert.equal(reportBits(aggregatePodsReport(parseResponse(body), opts)), expected, body.slice(0, 60));
      assert.equal(reportBits(aggregatePodsReport(rebuilt(read, 'plain'), opts)), expected, body.slice(0, 60));
    }
    // Aggregating first does not make the series; reading them afterwards gives what the body says.
    const result = parseResponse(body);
    aggregatePods(result, {});
    assert.deepEqual(asBits(result), reference(body), body.slice(0, 60));
  }
});

test('a never-read result copied, spread or replaced is what its series say', () => {
  const body = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p","container":"x"},"value":[1,"1"]},{"metric":{"namespace":"a","pod":"q","container":"x"},"value":[1,"2"]}]},"warnings":["w"]}';
  const values = (r) => aggregatePods(r).map((p) => [p.pod, p.value]);
  assert.deepEqual(values(structuredClone(parseResponse(body))), [['p', 1], ['q', 2]]);
  assert.deepEqual(values({ ...parseResponse(body) }), [['p', 1], ['q', 2]]);
  const viaJson = JSON.parse(JSON.stringify(parseResponse(body)));
  assert.deepEqual(Object.keys(viaJson), ['resultType', 'series', 'warnings', 'infos']);
  assert.deepEqual(viaJson.series.map((s) => s.labels.pod), ['p', 'q']);
  assert.deepEqual(viaJson.warnings, ['w']);
  // Series replaced before anyone read them: the new ones count.
  const replaced = parseResponse(body);
  replaced.series = [{ labels: { namespace: 'b', pod: 'r', container: 'x' }, timestamps: [1], values: [5] }];
  assert.deepEqual(values(replaced), [['r', 5]]);
  // The result type as the caller leaves it: a vector called a string is refused, as for any result.
  const retyped = parseResponse(body);
  retyped.resultType = 'table';
  assert.throws(() => aggregatePods(retyped), (e) => e.kind === 'invalid_argument' && /resultType/.test(e.message));
  // Edits through the series read still count (the read result is checked label by label).
  const edited = parseResponse(body);
  edited.series[1].labels.pod = 'p';
  edited.series[1].labels.container = 'y';
  edited.series[1].values[0] = 3;
  assert.deepEqual(values(edited), [['p', 4]]);
});

// Results keep their parsed columns in wasm until their series are read, they are collected, or
// the kept results pass a byte budget (crates/kubeprom-wasm/src/kept.rs, unpack.js).
const KEPT_BODY = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p","container":"x"},"value":[1,"1.5"]},{"metric":{"namespace":"a","pod":"q","container":"x"},"value":[1,"2"]}]},"infos":["i"]}';
const keptCount = () => keptStats().results;

test('reading or replacing the series of a result frees its columns in wasm', () => {
  const before = keptCount();
  const read = parseResponse(KEPT_BODY);
  const replaced = parseResponse(KEPT_BODY);
  assert.equal(keptCount(), before + 2);
  assert.equal(read.series.length, 2);
  assert.equal(keptCount(), before + 1);
  replaced.series = [];
  assert.equal(keptCount(), before);
  assert.deepEqual(asBits(read), reference(KEPT_BODY));
  assert.deepEqual(aggregatePods(replaced), []);
});

test('past the budget the oldest kept results move into JS and still read and aggregate the same', () => {
  const bodies = Object.values(generate()).map((path) => readFileSync(path, 'utf8'));
  const opts = { stats: ['last', 'avg', 'max', 'p95'] };
  const expected = bodies.map((body) => {
    const read = parseResponse(body);
    read.series.length;
    return reportBits(aggregatePodsReport(read, opts));
  });
  const budget = setKeptBudget(0);
  try {
    const results = bodies.map((body) => parseResponse(body));
    // Only the newest is kept: every older one (and any of earlier tests) was spilled.
    assert.equal(keptCount(), 1);
    results.forEach((result, i) => assert.equal(reportBits(aggregatePodsReport(result, opts)), expected[i], `input ${i}`));
    results.forEach((result, i) => assert.deepEqual(asBits(result), reference(bodies[i]), `input ${i}`));
    assert.equal(keptCount(), 0);
  } finally {
    setKeptBudget(budget);
  }
});

/** The ids of `n` kept results, aggregated and dropped (made here, so no frame still holds one). */
function keepAndDrop(n) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const result = parseResponse(KEPT_BODY);
    aggregatePods(result);
    ids.push(keptIdOf(result));
  }
  return ids;
}

test('a kept result nobody holds is freed when it is collected', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const ids = keepAndDrop(20);
  const stillKept = () => ids.filter((id) => keptStats().ids.includes(id));
  assert.equal(stillKept().length, 20);
  // Finalizers run in tasks after a collection; a few rounds give them every chance.
  for (let round = 0; round < 50 && stillKept().length > 0; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(stillKept(), []);
});
