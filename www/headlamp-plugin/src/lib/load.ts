/*
 * Running a view's planned queries and shaping the answers. Every query text comes from
 * kubeprom's buildQuery, every answer is parsed by kubeprom's client, and every per-pod number
 * comes from kubeprom's aggregatePods (which keeps the pod-level cgroup series, the pause
 * container and duplicate scrapes out of the sums).
 */
import type { PodValue, QueryResult, QuerySpec } from 'kubeprom';
import { aggregatePods, buildQuery } from 'kubeprom';
import type { Endpoint } from './endpoint';
import type { ErrorDescription } from './errors';
import { describeError, isAbort } from './errors';
import type { CardPlan, ChartPlan, DisplayUnit, TimeRange } from './plan';
import type { ChartData, PodRow, RefLine, Termination } from './viewmodel';
import { chartData, podRows, refLines, terminations } from './viewmodel';

/** What we need of kubeprom's PrometheusClient. */
export interface PromClient {
  query(promql: string, time?: number, opts?: { signal?: AbortSignal }): Promise<QueryResult>;
  queryRange(
    promql: string,
    start: number,
    end: number,
    step: number,
    opts?: { signal?: AbortSignal }
  ): Promise<QueryResult>;
}

/** aggregatePods' target unit for a display unit (rates and counts keep their own unit). */
function aggregateUnit(unit: DisplayUnit): string | undefined {
  return unit === 'millicores' || unit === 'MiB' ? unit : undefined;
}

export function aggregate(result: QueryResult, unit: DisplayUnit, keepSeries = false): PodValue[] {
  const u = aggregateUnit(unit);
  return aggregatePods(result, u ? { unit: u, keepSeries } : { keepSeries });
}

export interface ChartResult {
  plan: ChartPlan;
  data: ChartData;
  refs: RefLine[];
  /** Queries shown in the "PromQL" disclosure, so users can reuse them. */
  queries: string[];
  error?: ErrorDescription;
}

/** Same query text for the same spec within one load. */
function build(spec: QuerySpec) {
  return buildQuery(spec);
}

export async function loadCharts(
  client: PromClient,
  plans: ChartPlan[],
  range: TimeRange,
  showPodNames: boolean,
  signal?: AbortSignal,
  endpoint?: Endpoint
): Promise<ChartResult[]> {
  return Promise.all(
    plans.map(async plan => {
      const queries: string[] = [];
      try {
        const series = await Promise.all(
          plan.series.map(async s => {
            const promql = build(s.spec);
            queries.push(promql);
            const result = await client.queryRange(promql, range.start, range.end, range.step, {
              signal,
            });
            return { key: s.key, label: s.label, pods: aggregate(result, plan.unit, true) };
          })
        );
        const refs = await Promise.all(
          plan.refs.map(async r => {
            const promql = build(r.spec);
            queries.push(promql);
            const result = await client.query(promql, range.end, { signal });
            return { key: r.key, label: r.label, pods: aggregate(result, plan.unit) };
          })
        );
        return {
          plan,
          data: chartData(series, showPodNames),
          refs: refLines(refs),
          queries,
        };
      } catch (e) {
        if (isAbort(e)) throw e;
        return {
          plan,
          data: { rows: [], lines: [] },
          refs: [],
          queries,
          error: describeError(e, endpoint),
        };
      }
    })
  );
}

export interface CurrentResult {
  rows: PodRow[];
  queries: string[];
  /** Errors per card id; a card that failed shows its error instead of a number. */
  errors: Partial<Record<CardPlan['id'], ErrorDescription>>;
}

export async function loadCurrent(
  client: PromClient,
  cards: CardPlan[],
  time?: number,
  signal?: AbortSignal,
  endpoint?: Endpoint
): Promise<CurrentResult> {
  const values: Partial<Record<CardPlan['id'], PodValue[]>> = {};
  let reasons: Map<string, Termination[]> | undefined;
  const errors: CurrentResult['errors'] = {};
  const queries: string[] = [];
  await Promise.all(
    cards.map(async card => {
      try {
        const promql = build(card.spec);
        queries.push(promql);
        const result = await client.query(promql, time, { signal });
        if (card.id === 'reason') {
          reasons = terminations(result);
        } else {
          values[card.id] = aggregate(result, card.unit);
        }
      } catch (e) {
        if (isAbort(e)) throw e;
        errors[card.id] = describeError(e, endpoint);
      }
    })
  );
  return {
    rows: podRows({
      cpu: values.cpu ?? [],
      memory: values.memory ?? [],
      restarts: values.restarts,
      reasons,
    }),
    queries,
    errors,
  };
}

/** The one error to show when every part of a view failed the same way (an outage). */
export function commonError(
  errors: (ErrorDescription | undefined)[]
): ErrorDescription | undefined {
  if (errors.length === 0 || errors.some(e => !e)) return undefined;
  const first = errors[0]!;
  return errors.every(e => e!.summary === first.summary) ? first : undefined;
}
