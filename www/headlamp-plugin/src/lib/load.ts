/*
 * Running a view's planned queries and shaping the answers. Every query text comes from
 * kubeprom's buildQuery, and every per-pod number from kubeprom's client: queryPods and
 * queryRangePods scan the answer while it arrives and apply aggregatePods' rules in wasm (the
 * pod-level cgroup series, the pause container and duplicate scrapes kept out of the sums).
 */
import type {
  PodOptions,
  PodValue,
  PrometheusClient,
  QueryResult,
  QuerySpec,
  Recommendation,
  RecommendSpec,
  Target,
} from 'kubeprom';
import { buildQuery, planRecommendation } from 'kubeprom';
import type { Endpoint } from './endpoint';
import type { ErrorDescription } from './errors';
import { describeError, isAbort } from './errors';
import type { KueueAnswers, KueuePlan, QueueRow } from './kueue';
import { queueRows } from './kueue';
import type { OperatorDef, OperatorHealth } from './operators';
import { operatorHealth, OPERATORS, planOperators } from './operators';
import type { CardPlan, ChartPlan, DisplayUnit, PlanContext, TimeRange } from './plan';
import type { ChartData, PodRow, RefLine, Termination } from './viewmodel';
import { chartData, podRows, refLines, terminations } from './viewmodel';

/** What we need of kubeprom's PrometheusClient. */
export type PromClient = Pick<
  PrometheusClient,
  'query' | 'queryRange' | 'queryPods' | 'queryRangePods' | 'recommendResources'
>;

/** The per-pod options for a display unit (rates and counts keep their own unit). */
export function podOptions(unit: DisplayUnit, keepSeries = false): PodOptions {
  return unit === 'millicores' || unit === 'MiB' ? { unit, keepSeries } : { keepSeries };
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
            const { pods } = await client.queryRangePods(
              promql,
              range.start,
              range.end,
              range.step,
              podOptions(plan.unit, true),
              { signal }
            );
            return { key: s.key, label: s.label, pods };
          })
        );
        const refs = await Promise.all(
          plan.refs.map(async r => {
            const promql = build(r.spec);
            queries.push(promql);
            const { pods } = await client.queryPods(promql, range.end, podOptions(plan.unit), {
              signal,
            });
            return { key: r.key, label: r.label, pods };
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
        if (card.id === 'reason') {
          reasons = terminations(await client.query(promql, time, { signal }));
        } else {
          const report = await client.queryPods(promql, time, podOptions(card.unit), { signal });
          values[card.id] = report.pods;
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

/** What we need of the client for operator health: queries and the targets API. */
export type PromClientWithTargets = PromClient & Pick<PrometheusClient, 'targets'>;

export interface OperatorsResult {
  health: OperatorHealth[];
  queries: string[];
  /** Set when none of the queries worked (then `health` is empty). */
  error?: ErrorDescription;
  /** Why the targets API could not be read, when it could not. */
  targetsError?: ErrorDescription;
}

export async function loadOperators(
  client: PromClientWithTargets,
  ctx: PlanContext,
  defs: OperatorDef[] = OPERATORS,
  signal?: AbortSignal,
  endpoint?: Endpoint
): Promise<OperatorsResult> {
  const plan = planOperators(ctx);
  const queries = Object.values(plan).map(build);
  const settled = await Promise.allSettled(
    (Object.keys(plan) as (keyof typeof plan)[]).map(
      async k => [k, await client.query(build(plan[k]), undefined, { signal })] as const
    )
  );
  let targets: Target[] | undefined;
  let targetsFailure: unknown;
  try {
    targets = await client.targets({ signal });
  } catch (e) {
    targetsFailure = e;
  }
  const all = [
    ...settled.map(s => (s.status === 'rejected' ? s.reason : undefined)),
    targetsFailure,
  ];
  if (all.some(isAbort)) throw all.find(isAbort);
  const errors = settled.map(s =>
    s.status === 'rejected' ? describeError(s.reason, endpoint) : undefined
  );
  const outage = commonError(errors);
  if (outage) return { health: [], queries, error: outage };
  const empty: QueryResult = { resultType: 'vector', series: [], warnings: [], infos: [] };
  const results = Object.fromEntries(
    settled.map((s, i) => [Object.keys(plan)[i], s.status === 'fulfilled' ? s.value[1] : empty])
  ) as Record<keyof typeof plan, QueryResult>;
  return {
    health: defs.map(def => operatorHealth(def, { ...results, targets })),
    queries,
    targetsError: targets ? undefined : describeError(targetsFailure, endpoint),
  };
}

export interface KueueResult {
  rows: QueueRow[];
  queries: string[];
  error?: ErrorDescription;
}

export async function loadKueue(
  client: PromClient,
  plan: KueuePlan,
  signal?: AbortSignal,
  endpoint?: Endpoint
): Promise<KueueResult> {
  const names = Object.keys(plan) as (keyof KueuePlan)[];
  const queries = names.map(name => build(plan[name]));
  try {
    const answers = await Promise.all(queries.map(q => client.query(q, undefined, { signal })));
    const results = Object.fromEntries(names.map((name, i) => [name, answers[i]])) as KueueAnswers;
    return { rows: queueRows(results), queries };
  } catch (e) {
    if (isAbort(e)) throw e;
    return { rows: [], queries, error: describeError(e, endpoint) };
  }
}

export interface RightSizingResult {
  recommendation?: Recommendation;
  /** The PromQL the numbers come from, shown under the table. */
  queries: string[];
  error?: ErrorDescription;
}

/** Right-sizing of a workload: kubeprom's recommendResources over the client. */
export async function loadRightSizing(
  client: PromClient,
  spec: RecommendSpec,
  signal?: AbortSignal,
  endpoint?: Endpoint
): Promise<RightSizingResult> {
  try {
    const recommendation = await client.recommendResources(spec, undefined, { signal });
    return { recommendation, queries: recommendation.queries.map(q => q.promql) };
  } catch (e) {
    if (isAbort(e)) throw e;
    // The answer carries its queries; without one, the plan says what was asked.
    const queries = planRecommendation(spec).queries.map(q => q.promql);
    return { queries, error: describeError(e, endpoint) };
  }
}
