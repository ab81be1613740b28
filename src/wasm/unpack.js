// The JS half of src/wasm/packed.rs: turns flat arrays and one string table into the objects
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
    for (let i = 0; i < count; i++, at += 2) labels[table[layout[at]]] = table[layout[at + 1]];
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
    const item = { namespace, pod, value: numbers[n++], unit, containers: undefined };
    let statValues;
    if (stats.length > 0) {
      statValues = {};
      for (let i = 0; i < stats.length; i++) statValues[stats[i]] = numbers[n++];
    }
    const containers = new Array(containerCount);
    for (let i = 0; i < containerCount; i++) containers[i] = { container: table[layout[at++]], value: numbers[n++] };
    item.containers = containers;
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
