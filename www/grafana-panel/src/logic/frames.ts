import { type DataFrame, type Field, FieldType, type Labels } from '@grafana/data';
import type { QueryResult, Series } from 'kubeprom';

/**
 * Grafana's DataFrames for one query (refId), turned back into the kubeprom QueryResult shape so
 * that the kubeprom core aggregates them by the same rules as a raw Prometheus response.
 */
export interface RefResult {
  refId: string;
  result: QueryResult;
  /** The query as Prometheus ran it (template variables interpolated), from the frame metadata. */
  executedExpr?: string;
  /** Frames of the query the panel does not read, each with why (never read as wrong numbers). */
  unread: string[];
}

/**
 * Grafana's Prometheus data source gives a native histogram as a `heatmap-cells` frame (bucket
 * bounds and counts as fields): read as plain fields, its bounds would count as values.
 */
const HEATMAP_CELLS = 'heatmap-cells';

const HEATMAP_CELLS_NOTICE =
  'A native histogram (heatmap cells) is not shown: the panel shows one number per pod. Ask for one, e.g. histogram_quantile(0.95, sum by (namespace, pod) (rate(metric[5m]))) or histogram_count(...).';

/** Grafana's default refId when a query has none. */
const DEFAULT_REF_ID = 'A';

/**
 * Converts the panel's DataFrames into one QueryResult per refId, in first-seen order.
 *
 * Handles the shapes Grafana's Prometheus data source produces:
 * - time series / instant ("multi" frames): one frame per series, the labels on the value field;
 * - wide frames (one time field, many value fields, each with its labels, nulls where a series
 *   has no sample), e.g. after a join transformation;
 * - table format: one row per sample, labels as string columns.
 *
 * Null cells are missing samples and are skipped; NaN and ±Inf are kept (the core skips NaN in
 * its statistics).
 */
export function framesToResults(frames: DataFrame[]): RefResult[] {
  const byRef = new Map<
    string,
    {
      series: Series[];
      warnings: string[];
      infos: string[];
      unread: string[];
      matrix: boolean;
      executedExpr?: string;
    }
  >();
  for (const frame of frames) {
    const refId = frame.refId ?? DEFAULT_REF_ID;
    let entry = byRef.get(refId);
    if (!entry) {
      entry = { series: [], warnings: [], infos: [], unread: [], matrix: false };
      byRef.set(refId, entry);
    }
    if (frame.meta?.type === HEATMAP_CELLS) {
      entry.unread.push(HEATMAP_CELLS_NOTICE);
      entry.executedExpr ??= executedExpr(frame);
      continue;
    }
    const series = frameToSeries(frame);
    entry.series.push(...series);
    if (series.some((s) => s.values.length > 1) || isTimeSeriesFrame(frame)) {
      entry.matrix = true;
    }
    for (const notice of frame.meta?.notices ?? []) {
      if (notice.severity === 'warning' || notice.severity === 'error') {
        entry.warnings.push(notice.text);
      } else {
        entry.infos.push(notice.text);
      }
    }
    entry.executedExpr ??= executedExpr(frame);
  }
  return [...byRef.entries()].map(([refId, e]) => ({
    refId,
    executedExpr: e.executedExpr,
    unread: dedupe(e.unread),
    result: {
      resultType: e.matrix ? 'matrix' : 'vector',
      series: e.series,
      warnings: dedupe(e.warnings),
      infos: dedupe(e.infos),
    },
  }));
}

/** A notice per query with frames the panel does not read. */
export function unreadNotices(refs: Array<RefResult | undefined>): Array<{ refId: string; text: string }> {
  return refs.flatMap((r) => (r ? r.unread.map((text) => ({ refId: r.refId, text })) : []));
}

/** Merges several QueryResults (e.g. the refIds that all return usage) into one. */
export function mergeResults(results: QueryResult[]): QueryResult {
  return {
    resultType: results.some((r) => r.resultType === 'matrix') ? 'matrix' : 'vector',
    series: results.flatMap((r) => r.series),
    warnings: dedupe(results.flatMap((r) => r.warnings)),
    infos: dedupe(results.flatMap((r) => r.infos)),
  };
}

/** The series of one frame; see framesToResults for the shapes. */
export function frameToSeries(frame: DataFrame): Series[] {
  const time = frame.fields.find((f) => f.type === FieldType.time);
  const numbers = frame.fields.filter((f) => f.type === FieldType.number);
  const strings = frame.fields.filter((f) => f.type === FieldType.string);
  if (numbers.length === 0) {
    return [];
  }
  if (strings.length > 0) {
    return tableRowsToSeries(frame, time, numbers, strings);
  }
  return numbers.map((field) => fieldToSeries(field, time, frame.length)).filter((s): s is Series => s !== undefined);
}

function fieldToSeries(field: Field, time: Field | undefined, length: number): Series | undefined {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < length; i++) {
    const v = field.values[i];
    if (v === null || v === undefined) {
      continue;
    }
    timestamps.push(timeAt(time, i));
    values.push(Number(v));
  }
  if (values.length === 0) {
    return undefined;
  }
  return {
    labels: cleanLabels(field.labels),
    timestamps: Float64Array.from(timestamps),
    values: Float64Array.from(values),
  };
}

/**
 * Table format: each row is one sample of the series named by its string columns (the labels)
 * and the value field's own labels, if any.
 */
function tableRowsToSeries(frame: DataFrame, time: Field | undefined, numbers: Field[], strings: Field[]): Series[] {
  const bySeries = new Map<string, { labels: Record<string, string>; timestamps: number[]; values: number[] }>();
  for (const field of numbers) {
    for (let i = 0; i < frame.length; i++) {
      const v = field.values[i];
      if (v === null || v === undefined) {
        continue;
      }
      const labels: Record<string, string> = { ...cleanLabels(field.labels) };
      for (const s of strings) {
        const lv = s.values[i];
        // Prometheus drops empty labels; a table cell of '' is the same absent label.
        if (typeof lv === 'string' && lv !== '') {
          labels[s.name] = lv;
        }
      }
      const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      let entry = bySeries.get(key);
      if (!entry) {
        entry = { labels, timestamps: [], values: [] };
        bySeries.set(key, entry);
      }
      entry.timestamps.push(timeAt(time, i));
      entry.values.push(Number(v));
    }
  }
  return [...bySeries.values()].map((e) => {
    const order = e.timestamps.map((_, i) => i).sort((a, b) => e.timestamps[a] - e.timestamps[b]);
    return {
      labels: e.labels,
      timestamps: Float64Array.from(order.map((i) => e.timestamps[i])),
      values: Float64Array.from(order.map((i) => e.values[i])),
    };
  });
}

/** Sample time in unix seconds (Grafana time fields hold epoch milliseconds). */
function timeAt(time: Field | undefined, i: number): number {
  const t = time?.values[i];
  if (typeof t === 'number') {
    return t / 1000;
  }
  if (t instanceof Date) {
    return t.getTime() / 1000;
  }
  // An instant table without a time column: order is all that matters.
  return i;
}

function cleanLabels(labels: Labels | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (typeof v === 'string' && v !== '') {
      out[k] = v;
    }
  }
  return out;
}

function isTimeSeriesFrame(frame: DataFrame): boolean {
  const type = frame.meta?.type ?? '';
  return type.startsWith('timeseries') || frame.meta?.custom?.resultType === 'matrix';
}

/**
 * The Prometheus data source records what it ran as `Expr: <query>\nStep: <step>`; return the
 * query part.
 */
export function executedExpr(frame: DataFrame): string | undefined {
  const s = frame.meta?.executedQueryString;
  if (!s || !s.startsWith('Expr: ')) {
    return undefined;
  }
  const body = s.slice('Expr: '.length);
  const step = body.lastIndexOf('\nStep: ');
  return step >= 0 ? body.slice(0, step) : body;
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
