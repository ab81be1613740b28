// OpenMetrics text of generated series, for `promtool tsdb create-blocks-from openmetrics`: one
// family at a time (promtool wants each family's samples together), `unknown` type, label values
// escaped, numbers as the shortest text that reads back the same.

const escape = (v) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const format = (v) => (Number.isInteger(v) ? String(v) : v.toPrecision(17).replace(/0+$/, '').replace(/\.$/, ''));

/**
 * The lines of `series` (each `{ name, labels, at(t) }`) sampled at `timesOf(series)`, an
 * iterable of unix seconds, ending with `# EOF`.
 */
export function openMetricsLines(series, timesOf) {
  const byName = new Map();
  for (const s of series) (byName.get(s.name) ?? byName.set(s.name, []).get(s.name)).push(s);
  const lines = [];
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} unknown`);
    for (const s of list) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escape(v)}"`).join(',');
      for (const t of timesOf(s)) lines.push(`${name}{${labels}} ${format(s.at(t))} ${t}`);
    }
  }
  lines.push('# EOF');
  return lines;
}

/** `from`, `from + step`, ... while below or at `to`. */
export function* every(from, to, step) {
  for (let t = from; t <= to; t += step) yield t;
}
