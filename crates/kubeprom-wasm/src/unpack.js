// The JS half of packed.rs: turns flat arrays and one string table into the objects
// the API returns. Building them here, in one JS loop, costs a fraction of setting each property
// from wasm (a boundary crossing per property and a TextDecoder call per string): on a
// 50,000-series answer that was more time than parsing it. No logic lives here, only layout.
//
// Arrays passed in are views of wasm memory, valid during the call only: what outlives the call
// is copied (`slice`), never kept as a view.

/** The strings of a table: `text` cut at `ends` (UTF-16 offsets). */
function strings(text, ends) {
  const out = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    out[i] = text.slice(start, ends[i]);
    start = ends[i];
  }
  return out;
}

/** Label sets: per set a count, then (name, value) string ids. */
function labelSets(table, layout) {
  const out = [];
  let at = 0;
  while (at < layout.length) {
    const count = layout[at++];
    const labels = {};
    for (let i = 0; i < count; i++, at += 2) {
      const name = table[layout[at]];
      const value = table[layout[at + 1]];
      // `__proto__` is a valid label name; assigning it would set the prototype instead.
      if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
      else labels[name] = value;
    }
    out.push(labels);
  }
  return out;
}

/**
 * PodValue objects and unattributed label sets (see packed.rs for the layout).
 * `statNames`: the names of the extra statistics, comma-separated, empty for none.
 */
export function unpackPods(text, ends, layout, numbers, statNames, timestamps, values, hasSeries, unattributed) {
  const table = strings(text, ends);
  const stats = statNames === '' ? [] : statNames.split(',');
  const pods = [];
  let at = 0;
  let n = 0;
  let sample = 0;
  while (at < layout.length) {
    const namespace = table[layout[at]];
    const pod = table[layout[at + 1]];
    const unit = table[layout[at + 2]];
    const containerCount = layout[at + 3];
    const seriesLength = layout[at + 4];
    at += 5;
    // Numbers in layout order (value, statistics, containers); properties in the API's order.
    const value = numbers[n++];
    let statValues;
    if (stats.length > 0) {
      statValues = {};
      for (let i = 0; i < stats.length; i++) statValues[stats[i]] = numbers[n++];
    }
    const containers = new Array(containerCount);
    for (let i = 0; i < containerCount; i++) containers[i] = { container: table[layout[at++]], value: numbers[n++] };
    const item = { namespace, pod, value, unit, containers };
    if (statValues !== undefined) item.stats = statValues;
    if (hasSeries) {
      item.timestamps = timestamps.slice(sample, sample + seriesLength);
      item.values = values.slice(sample, sample + seriesLength);
      sample += seriesLength;
    }
    pods.push(item);
  }
  return { pods, unattributed: labelSets(table, unattributed) };
}

/**
 * The string table and label layout each `series` array of keptResult was made from, so that
 * packResult can give them back to wasm instead of packing every label again (packing was most
 * of aggregatePods' time on a 50,000-series result). Used only while the labels still say the
 * same, which packResult checks.
 */
const madeFrom = new WeakMap();

/**
 * Where the rows of each result of keptResult are while nobody has read its series: kept in
 * wasm (`{ kept: id, ... }`), or moved out as a copy of its body (`{ body, ... }`, kept again when
 * used). packResult hands them back as they are, since nothing can have changed what nobody has
 * seen. Each state also has the result's `resultType` as parsed, `bytes` (its size in wasm) and
 * the `maxBytes` it was parsed with.
 */
const unread = new WeakMap();

/** The wasm side of kept results (kept.rs). */
let keeper;

/**
 * Installed by kept.rs when it first keeps a result: `pack(id)` gives a packing, `release(id)`
 * frees the columns, `body(id)` gives a copy of the body, `keepAgain(body, maxBytes)` keeps it
 * again under a new id.
 */
export function installKeeper(pack, release, body, keepAgain) {
  keeper = { pack, release, body, keepAgain };
}

// The states of the results kept in wasm, oldest first ({ ref, state } by id), and the bytes
// they hold there. Past the budget the oldest move out as a copy of their body (a plain copy:
// packing them into JS would cost more than they can save). wasm memory never shrinks and the
// garbage collector runs when it likes, so without a bound a page polling a big cluster would
// keep every answer in wasm until then.
const kept = new Map();
let keptBytes = 0;
let keptBudget = 128 * 1024 * 1024;

/**
 * Sets the budget in bytes of the results kept in wasm (for tests; 0 keeps none beyond the
 * newest) and gives the one it replaces.
 */
export function setKeptBudget(bytes) {
  const replaced = keptBudget;
  keptBudget = bytes;
  return replaced;
}

/** How many results are kept in wasm now, their bytes and ids (for tests). */
export function keptStats() {
  return { results: kept.size, bytes: keptBytes, ids: [...kept.keys()] };
}

/** The id under which `result`'s columns are kept in wasm, or undefined (for tests). */
export function keptIdOf(result) {
  return unread.get(result)?.kept;
}

const collected = new FinalizationRegistry((id) => forget(id));

/** Drops kept result `id` from the books and frees its columns. */
function forget(id) {
  const entry = kept.get(id);
  if (entry !== undefined) {
    kept.delete(id);
    keptBytes -= entry.state.bytes;
    collected.unregister(entry.state);
  }
  keeper.release(id);
}

/** Books `result` (whose state says `kept`) as kept, moving older ones out past the budget. */
function book(result, state) {
  collected.register(result, state.kept, state);
  kept.set(state.kept, { ref: new WeakRef(result), state });
  keptBytes += state.bytes;
  for (const [oldest, entry] of kept) {
    if (keptBytes <= keptBudget || oldest === state.kept) break;
    if (entry.ref.deref() !== undefined) {
      entry.state.body = keeper.body(oldest);
      delete entry.state.kept;
    }
    forget(oldest);
  }
}

/** The id of `result`'s columns in wasm, keeping its body again if it had moved out. */
function keptId(result, state) {
  if (state.kept === undefined) {
    state.kept = keeper.keepAgain(state.body, state.maxBytes);
    delete state.body;
    book(result, state);
  }
  return state.kept;
}

/**
 * A QueryResult whose columns stay in wasm as kept result `id`. Its series objects are made when
 * `series` is first read (then all samples are copied once into two JS-owned arrays, each
 * series' `timestamps` and `values` being views of them, and the columns in wasm are freed); a
 * result only handed to the per-pod calls never makes them, and on a 50,000-series answer making
 * them cost as much as JSON.parse.
 */
export function keptResult(id, bytes, maxBytes, resultType, warnings, infos, stringValue) {
  let series;
  const result = {
    resultType,
    get series() {
      if (series === undefined) {
        const state = unread.get(result);
        const at = keptId(result, state);
        series = seriesOf(keeper.pack(at));
        unread.delete(result);
        forget(at);
      }
      return series;
    },
    set series(replaced) {
      const state = unread.get(result);
      if (state?.kept !== undefined) forget(state.kept);
      unread.delete(result);
      series = replaced;
    },
    warnings,
    infos,
  };
  if (stringValue !== undefined) result.value = stringValue;
  const state = { kept: id, resultType, bytes, maxBytes };
  unread.set(result, state);
  book(result, state);
  return result;
}

/**
 * A packing's arrays copied out of wasm memory (the views passed in are valid during the call);
 * `histograms` is what copyHistograms gave, or undefined when the result has none.
 */
export function copyPacking(text, ends, labels, bounds, timestamps, values, histograms) {
  return { text, ends: ends.slice(), labels: labels.slice(), bounds: bounds.slice(), timestamps: timestamps.slice(), values: values.slice(), histograms };
}

/**
 * A result's native histogram columns copied out of wasm memory: per series the bounds of its
 * samples, per sample its time, count, sum and the end of its buckets, per bucket its rule,
 * bounds and count.
 */
export function copyHistograms(bounds, timestamps, counts, sums, bucketEnds, rules, lower, upper, bucketCounts) {
  return {
    bounds: bounds.slice(),
    timestamps: timestamps.slice(),
    counts: counts.slice(),
    sums: sums.slice(),
    bucketEnds: bucketEnds.slice(),
    rules: rules.slice(),
    lower: lower.slice(),
    upper: upper.slice(),
    bucketCounts: bucketCounts.slice(),
  };
}

/**
 * Series `i`'s native histogram samples (see `Series.histograms` in index.d.ts), views of the
 * copied columns but for `bucketStarts`, made relative to the series' first bucket; undefined
 * when it has none.
 */
function histogramsOf(columns, i) {
  const start = columns.bounds[2 * i];
  const end = columns.bounds[2 * i + 1];
  if (start === end) return undefined;
  const { bucketEnds } = columns;
  const first = start === 0 ? 0 : bucketEnds[start - 1];
  const last = bucketEnds[end - 1];
  const bucketStarts = new Uint32Array(end - start + 1);
  for (let k = start; k < end; k++) bucketStarts[k - start + 1] = bucketEnds[k] - first;
  return {
    timestamps: columns.timestamps.subarray(start, end),
    counts: columns.counts.subarray(start, end),
    sums: columns.sums.subarray(start, end),
    bucketStarts,
    boundaryRules: columns.rules.subarray(first, last),
    lowerBounds: columns.lower.subarray(first, last),
    upperBounds: columns.upper.subarray(first, last),
    bucketCounts: columns.bucketCounts.subarray(first, last),
  };
}

/** The series objects of a packing, remembered with what they were made from (see madeFrom). */
function seriesOf({ text, ends, labels, bounds, timestamps, values, histograms }) {
  const table = strings(text, ends);
  const sets = labelSets(table, labels);
  const series = new Array(sets.length);
  for (let i = 0; i < sets.length; i++) {
    const start = bounds[2 * i];
    const end = bounds[2 * i + 1];
    series[i] = { labels: sets[i], timestamps: timestamps.subarray(start, end), values: values.subarray(start, end) };
    const own = histograms === undefined ? undefined : histogramsOf(histograms, i);
    if (own !== undefined) series[i].histograms = own;
  }
  madeFrom.set(series, { table, text, ends, labels });
  return series;
}

/** Float64Array or array of numbers: its length, or -1 when it is neither. */
function sampleCount(samples) {
  return samples instanceof Float64Array || Array.isArray(samples) ? samples.length : -1;
}

/**
 * A QueryResult given back to wasm (for aggregatePods) as a string table, flat arrays and two
 * sample arrays: reading it property by property from wasm took longer than the aggregation.
 * A series' `histograms` stay behind: the aggregations read a histogram sample's count, which
 * `values` holds.
 * The table may hold a string more than once; ids only need to point at equal text.
 * Samples that are views of one buffer in series order, as keptResult makes them, go as one
 * view without a copy. Gives `{ error }` for a result of the wrong shape, with the message.
 */
export function packResult(result) {
  const resultType = result?.resultType;
  if (!['vector', 'matrix', 'scalar', 'string'].includes(resultType)) {
    return { error: "result.resultType: expected 'vector', 'matrix', 'scalar' or 'string'" };
  }
  // A result whose type was changed by hand reads its series and packs them as any other.
  const state = unread.get(result);
  if (state !== undefined && state.resultType === resultType) return { resultType, kept: keptId(result, state) };
  const series = result.series;
  if (!Array.isArray(series)) return { error: 'result.series: expected an array' };
  const made = madeFrom.get(series);
  if (made !== undefined && labelsUnchanged(series, made)) {
    const samples = packSamples(series);
    return samples.error ? samples : { resultType, text: made.text, ends: made.ends, labels: made.labels, ...samples };
  }
  const parts = [];
  const ends = [];
  let units = 0;
  const add = (s) => {
    parts.push(s);
    units += s.length;
    ends.push(units);
    return parts.length - 1;
  };
  // Strings go in the table as they come, except that one equal to the string at the same label
  // position of the previous series reuses its entry: names and many values repeat from series to
  // series (for parseResponse's results as the very same string objects, so `===` is a pointer
  // test), while the values that differ are mostly unique anyway. A Map over every string cost
  // more than the aggregation.
  const lastStrings = [];
  const lastIds = [];
  const cached = (slot, s) => {
    if (lastStrings[slot] === s) return lastIds[slot];
    lastStrings[slot] = s;
    return (lastIds[slot] = add(s));
  };
  const labels = [];
  for (let i = 0; i < series.length; i++) {
    const set = series[i]?.labels;
    if (set === null || typeof set !== 'object') return { error: `result.series[${i}].labels: expected an object` };
    const names = Object.keys(set);
    labels.push(names.length);
    for (let at = 0; at < names.length; at++) {
      const name = names[at];
      const value = set[name];
      if (typeof value !== 'string') return { error: `result.series[${i}].labels: values must be strings` };
      labels.push(cached(2 * at, name), cached(2 * at + 1, value));
    }
  }
  const samples = packSamples(series);
  if (samples.error) return samples;
  return { resultType, text: parts.join(''), ends: Uint32Array.from(ends), labels: Uint32Array.from(labels), ...samples };
}

/**
 * Whether every series still has exactly the labels, in the order, that `made` lays out: the
 * same names and values (`===`, a pointer test for the table's own strings), no more, no fewer.
 */
function labelsUnchanged(series, { table, labels }) {
  let at = 0;
  for (let i = 0; i < series.length; i++) {
    const set = series[i]?.labels;
    if (set === null || typeof set !== 'object') return false;
    const names = Object.keys(set);
    if (names.length !== labels[at++]) return false;
    for (let k = 0; k < names.length; k++, at += 2) {
      if (names[k] !== table[labels[at]] || set[names[k]] !== table[labels[at + 1]]) return false;
    }
  }
  return at === labels.length;
}

/**
 * The samples of `series` for packResult: bounds and two arrays. Samples that are views of one
 * buffer, series after series, go as one view without a copy.
 */
function packSamples(series) {
  const bounds = new Uint32Array(2 * series.length);
  let total = 0;
  let shared = series.length > 0 ? undefined : null;
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    const count = sampleCount(s.timestamps);
    if (count < 0) return { error: `result.series[${i}].timestamps: expected a Float64Array or an array of numbers` };
    if (sampleCount(s.values) < 0) return { error: `result.series[${i}].values: expected a Float64Array or an array of numbers` };
    if (s.values.length !== count) return { error: `result.series[${i}]: timestamps and values differ in length` };
    bounds[2 * i] = total;
    total += count;
    bounds[2 * i + 1] = total;
    if (shared !== null) shared = continues(shared, s, count);
  }
  if (shared) {
    return {
      bounds,
      timestamps: new Float64Array(shared.timestamps.buffer, shared.timestampsAt, total),
      values: new Float64Array(shared.values.buffer, shared.valuesAt, total),
    };
  }
  const timestamps = new Float64Array(total);
  const values = new Float64Array(total);
  for (let i = 0; i < series.length; i++) {
    timestamps.set(series[i].timestamps, bounds[2 * i]);
    values.set(series[i].values, bounds[2 * i]);
  }
  return { bounds, timestamps, values };
}

/**
 * Whether series `s` (with `count` samples) follows the previous ones in the same two buffers:
 * the state carried on, or null once one does not.
 */
function continues(state, s, count) {
  const { timestamps, values } = s;
  if (!(timestamps instanceof Float64Array) || !(values instanceof Float64Array)) return null;
  if (state === undefined) {
    return { timestamps, values, timestampsAt: timestamps.byteOffset, valuesAt: values.byteOffset, next: count };
  }
  const next = state.next;
  const ok =
    timestamps.buffer === state.timestamps.buffer &&
    values.buffer === state.values.buffer &&
    timestamps.byteOffset === state.timestampsAt + next * 8 &&
    values.byteOffset === state.valuesAt + next * 8;
  if (!ok) return null;
  state.next += count;
  return state;
}
