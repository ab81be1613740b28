/*
 * Shaping kubeprom results into what the components draw: chart rows, reference lines, table
 * rows, card values. Input is always kubeprom output (PodValue from aggregatePods, or the label
 * sets of a parsed QueryResult); nothing here parses Prometheus responses or builds PromQL.
 */
import type { PodValue, QueryResult } from 'kubeprom';
import { formatValue as coreFormatValue } from 'kubeprom';
import type { DisplayUnit } from './plan';

export const podKey = (p: { namespace: string; pod: string }) => `${p.namespace}/${p.pod}`;

export interface LineInput {
  key: string;
  label: string;
  /** aggregatePods(..., { keepSeries: true }) output. */
  pods: PodValue[];
}

export interface ChartLine {
  /** Recharts dataKey; plain identifiers because Recharts reads dots as paths. */
  dataKey: string;
  name: string;
  pod: string;
  /** Key of the series the line belongs to (pods stack within a series, never across). */
  series: string;
}

export interface ChartData {
  rows: Array<{ t: number; [dataKey: string]: number | null }>;
  lines: ChartLine[];
}

/**
 * Rows keyed by timestamp with one column per (series, pod). Every pod gets its own line:
 * Headlamp's Prometheus plugin draws only the first series of a workload query.
 */
export function chartData(inputs: LineInput[], showPodNames: boolean): ChartData {
  const lines: ChartLine[] = [];
  const byTime = new Map<number, { t: number; [k: string]: number | null }>();
  const multipleSeries = inputs.length > 1;
  for (const input of inputs) {
    for (const pod of input.pods) {
      const dataKey = `s${lines.length}`;
      let name = input.label;
      if (showPodNames) {
        name = multipleSeries ? `${pod.pod} ${input.label}` : pod.pod;
      }
      lines.push({ dataKey, name, pod: pod.pod, series: input.key });
      const ts = pod.timestamps ?? new Float64Array();
      const vs = pod.values ?? new Float64Array();
      for (let i = 0; i < ts.length; i++) {
        let row = byTime.get(ts[i]);
        if (!row) {
          row = { t: ts[i] };
          byTime.set(ts[i], row);
        }
        row[dataKey] = Number.isFinite(vs[i]) ? vs[i] : null;
      }
    }
  }
  const rows = [...byTime.values()].sort((a, b) => a.t - b.t);
  // Missing points are gaps, not zeros.
  for (const row of rows) {
    for (const line of lines) {
      if (!(line.dataKey in row)) row[line.dataKey] = null;
    }
  }
  return { rows, lines };
}

export interface RefLine {
  key: string;
  label: string;
  value: number;
}

/**
 * Request and limit lines. They are drawn when every pod has the same value (one pod, or the
 * replicas of one template); pods that disagree are left to the table instead of drawing a line
 * that is wrong for some of them.
 */
export function refLines(inputs: LineInput[]): RefLine[] {
  const out: RefLine[] = [];
  for (const input of inputs) {
    const values = input.pods.map(p => p.value).filter(Number.isFinite);
    if (values.length === 0 || values.length !== input.pods.length) continue;
    const first = values[0];
    if (values.every(v => Math.abs(v - first) <= 1e-9 * Math.max(1, Math.abs(first)))) {
      out.push({ key: input.key, label: input.label, value: first });
    }
  }
  return out;
}

export interface Termination {
  container: string;
  reason: string;
}

/**
 * Last termination reason per pod from a pod_last_terminated_reason result: the series whose
 * current value is non-zero, by their `reason` and `container` labels.
 */
export function terminations(result: QueryResult): Map<string, Termination[]> {
  const out = new Map<string, Termination[]>();
  for (const s of result.series) {
    const last = s.values.length ? s.values[s.values.length - 1] : NaN;
    const { namespace, pod, reason, container } = s.labels;
    if (!(last > 0) || !namespace || !pod || !reason) continue;
    const key = podKey({ namespace, pod });
    const list = out.get(key) ?? [];
    if (!list.some(t => t.reason === reason && t.container === (container ?? ''))) {
      list.push({ container: container ?? '', reason });
    }
    out.set(key, list);
  }
  for (const list of out.values()) {
    list.sort((a, b) => a.container.localeCompare(b.container) || a.reason.localeCompare(b.reason));
  }
  return out;
}

export interface PodRow {
  namespace: string;
  pod: string;
  cpu: number | null;
  memory: number | null;
  restarts: number | null;
  reasons: Termination[];
  containers: { container: string; cpu: number | null; memory: number | null }[];
}

/** One row per pod, busiest CPU first (then memory, then name). */
export function podRows(input: {
  cpu: PodValue[];
  memory: PodValue[];
  restarts?: PodValue[];
  reasons?: Map<string, Termination[]>;
}): PodRow[] {
  const rows = new Map<string, PodRow>();
  const row = (p: PodValue) => {
    const key = podKey(p);
    let r = rows.get(key);
    if (!r) {
      r = {
        namespace: p.namespace,
        pod: p.pod,
        cpu: null,
        memory: null,
        restarts: null,
        reasons: input.reasons?.get(key) ?? [],
        containers: [],
      };
      rows.set(key, r);
    }
    return r;
  };
  const container = (r: PodRow, name: string) => {
    let c = r.containers.find(x => x.container === name);
    if (!c) {
      c = { container: name, cpu: null, memory: null };
      r.containers.push(c);
    }
    return c;
  };
  for (const p of input.cpu) {
    const r = row(p);
    r.cpu = p.value;
    for (const c of p.containers) container(r, c.container).cpu = c.value;
  }
  for (const p of input.memory) {
    const r = row(p);
    r.memory = p.value;
    for (const c of p.containers) container(r, c.container).memory = c.value;
  }
  for (const p of input.restarts ?? []) row(p).restarts = p.value;
  const num = (v: number | null) => (v === null || !Number.isFinite(v) ? -Infinity : v);
  return [...rows.values()]
    .map(r => ({
      ...r,
      containers: r.containers.sort((a, b) => a.container.localeCompare(b.container)),
    }))
    .sort(
      (a, b) =>
        num(b.cpu) - num(a.cpu) ||
        num(b.memory) - num(a.memory) ||
        podKey(a).localeCompare(podKey(b))
    );
}

/** The `n` pods using the most of `by`. */
export function topPods(rows: PodRow[], by: 'cpu' | 'memory', n = 10): PodRow[] {
  return rows
    .filter(r => r[by] !== null && Number.isFinite(r[by] as number))
    .sort((a, b) => (b[by] as number) - (a[by] as number) || podKey(a).localeCompare(podKey(b)))
    .slice(0, n);
}

/**
 * The core's text for a value in a display unit (`250m`, `11.7 GiB`, `0.5/s`, `1m 15s`); null
 * and undefined, a value not known yet, read as NaN (`—`). Needs kubeprom loaded.
 */
export function formatValue(value: number | null | undefined, unit: DisplayUnit): string {
  return coreFormatValue(value ?? NaN, unit);
}

/** Pixels per character of an axis tick label (12 px system font, digits and units). */
const TICK_CHAR_PX = 7.5;
/** Room for the tick mark and the gap before the label. */
const TICK_GAP_PX = 14;

/**
 * A Y-axis width that holds its tick labels on one line: Recharts wraps a label wider than the
 * axis (`68.4 KiB/s` over two lines, the top one clipped). Ticks are not known before the chart
 * lays them out, so the labels of quarters of the top value stand in for them; `top` is the
 * largest value drawn (stacked: the largest sum).
 */
export function yAxisWidth(top: number, unit: DisplayUnit): number {
  const max = Number.isFinite(top) && top > 0 ? top : 1;
  let longest = 0;
  for (const share of [0, 0.25, 0.5, 0.75, 1, 1.25]) {
    longest = Math.max(longest, formatValue(max * share, unit).length);
  }
  return Math.ceil(longest * TICK_CHAR_PX + TICK_GAP_PX);
}

/**
 * The largest value a chart draws: of any line, or stacked, of a series' pods summed per row
 * (pods stack within their series).
 */
export function chartTop(data: ChartData, refs: number[], stacked: boolean): number {
  let top = Math.max(0, ...refs.filter(Number.isFinite));
  for (const row of data.rows) {
    const sums = new Map<string, number>();
    for (const line of data.lines) {
      const v = row[line.dataKey];
      if (typeof v === 'number' && Number.isFinite(v)) {
        const key = stacked ? line.series : line.dataKey;
        sums.set(key, (sums.get(key) ?? 0) + v);
      }
    }
    top = Math.max(top, ...sums.values());
  }
  return top;
}

/** Time label for the X axis: clock time for ranges under two days, else date and hour. */
export function formatTime(t: number, rangeSeconds: number): string {
  const d = new Date(t * 1000);
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  if (rangeSeconds < 2 * 86400) return `${hh}:${mm}`;
  return `${d.getMonth() + 1}/${d.getDate()} ${hh}:${mm}`;
}
