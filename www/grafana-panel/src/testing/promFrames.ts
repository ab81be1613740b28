import { type DataFrame, type DataFrameJSON, dataFrameFromJSON, DataFrameType, FieldType } from '@grafana/data';

/** A Prometheus HTTP API success body (`/api/v1/query` or `/api/v1/query_range`). */
export interface PromResponse {
  status: 'success';
  data:
    | { resultType: 'matrix'; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }
    | { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  warnings?: string[];
  infos?: string[];
}

export interface QueryInfo {
  refId: string;
  expr: string;
  /** Step of a range query in seconds, for the executed query string and the time field's interval. */
  stepSeconds?: number;
}

/**
 * Test support: the frames Grafana's Prometheus data source hands a panel for a Prometheus
 * response. The backend (pkg/promlib) sends one frame per series in the data plane "multi" format
 * (`timeseries-multi` for a range query, `numeric-multi` for an instant query): a Time field and a
 * value field named after `__name__` (else "Value") carrying the series labels; NaN and ±Inf go
 * over the wire as null plus an `entities` note; warnings become frame notices; the executed query
 * is in `meta.executedQueryString`. The frontend decodes that JSON with dataFrameFromJSON, as done
 * here.
 *
 * Written from Grafana's documented wire format, independently of the code under test.
 */
export function prometheusToFrames(body: PromResponse, q: QueryInfo): DataFrame[] {
  const matrix = body.data.resultType === 'matrix';
  const notices = [
    ...(body.warnings ?? []).map((text) => ({ severity: 'warning' as const, text })),
    ...(body.infos ?? []).map((text) => ({ severity: 'info' as const, text })),
  ];
  const step = q.stepSeconds ?? 60;
  const executedQueryString = `Expr: ${q.expr}\nStep: ${formatStep(step)}`;
  const series = matrix
    ? (body.data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map((r) => ({
        metric: r.metric,
        samples: r.values,
      }))
    : (body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
        metric: r.metric,
        samples: [r.value],
      }));
  return series.map((s) => {
    const values: Array<number | null> = [];
    const entities: { NaN?: number[]; Inf?: number[]; NegInf?: number[] } = {};
    s.samples.forEach(([, v], i) => {
      const n = sampleValue(v);
      if (Number.isNaN(n)) {
        (entities.NaN ??= []).push(i);
        values.push(null);
      } else if (n === Infinity) {
        (entities.Inf ??= []).push(i);
        values.push(null);
      } else if (n === -Infinity) {
        (entities.NegInf ??= []).push(i);
        values.push(null);
      } else {
        values.push(n);
      }
    });
    const json: DataFrameJSON = {
      schema: {
        refId: q.refId,
        meta: {
          type: matrix ? DataFrameType.TimeSeriesMulti : DataFrameType.NumericMulti,
          typeVersion: [0, 1],
          custom: { resultType: body.data.resultType },
          executedQueryString,
          ...(notices.length > 0 ? { notices } : {}),
        },
        fields: [
          { name: 'Time', type: FieldType.time, config: { interval: step * 1000 } },
          {
            name: s.metric.__name__ ?? 'Value',
            type: FieldType.number,
            labels: s.metric,
            config: {},
          },
        ],
      },
      data: {
        values: [s.samples.map(([t]) => Math.round(t * 1000)), values],
        ...(Object.keys(entities).length > 0 ? { entities: [null, entities] } : {}),
      },
    };
    return dataFrameFromJSON(json);
  });
}

/** Prometheus writes sample values as strings, infinities as `+Inf` and `-Inf`. */
function sampleValue(v: string): number {
  if (v === '+Inf') {
    return Infinity;
  }
  if (v === '-Inf') {
    return -Infinity;
  }
  return Number(v);
}

function formatStep(seconds: number): string {
  if (seconds % 3600 === 0) {
    return `${seconds / 3600}h0m0s`;
  }
  if (seconds % 60 === 0) {
    return `${seconds / 60}m0s`;
  }
  return `${seconds}s`;
}
