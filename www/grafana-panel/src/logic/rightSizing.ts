import type {
  ContainerAdvice,
  QueryResult,
  RecommendationNeed,
  RecommendationQuery,
  RecommendSpec,
  ResourceAdvice,
  ResourceStatus,
} from 'kubeprom';
import type { Kubeprom } from '../kubeprom/types';
import type { RightSizingOptions } from '../types';
import type { RefResult } from './frames';
import { errorText, type Notice } from './podView';
import type { TargetLike } from './roles';

type Core = Pick<Kubeprom, 'planRecommendation' | 'recommendResources' | 'formatValue' | 'formatDuration'>;

/** Fills in the dashboard's variables (the panel's `replaceVariables`). */
export type Interpolate = (value: string) => string;

const AS_WRITTEN: Interpolate = (value) => value;

/** Words of the core's statuses, as the Headlamp plugin writes them. */
export const STATUS_TEXT: Record<ResourceStatus, string> = {
  fine: 'Fine',
  'over-provisioned': 'Over-provisioned',
  'under-provisioned': 'Under-provisioned',
  'not-enough-data': 'Not enough data',
};

/** Grafana colour of a status: too little is the risk (red), too much the waste (orange). */
export type StatusColor = 'green' | 'orange' | 'red' | 'darkgrey';

export function statusColor(status: ResourceStatus): StatusColor {
  switch (status) {
    case 'fine':
      return 'green';
    case 'over-provisioned':
      return 'orange';
    case 'under-provisioned':
      return 'red';
    default:
      return 'darkgrey';
  }
}

/** A RecommendSpec of one workload: the panel right-sizes a workload, not a namespace. */
export type WorkloadSpec = RecommendSpec & Required<Pick<RecommendSpec, 'workload'>>;

/**
 * The RecommendSpec of the options, label values passed through `interpolate` (the dashboard's
 * variables filled in), or the fields still to give. Settings left empty are left out, so the
 * core's defaults apply; values the core refuses are passed on for it to name.
 */
export function rightSizingSpec(
  options: RightSizingOptions | undefined,
  interpolate: Interpolate = AS_WRITTEN
): { spec?: WorkloadSpec; missing: string[] } {
  const o = options ?? {};
  const label = (v: string | undefined) => {
    const written = v?.trim();
    const value = written ? interpolate(written).trim() : '';
    return value === '' ? undefined : value;
  };
  const namespace = label(o.namespace);
  const name = label(o.workloadName);
  const missing = [
    ...(namespace ? [] : ['namespace']),
    ...(o.workloadKind ? [] : ['workload kind']),
    ...(name ? [] : ['workload name']),
  ];
  if (!namespace || !o.workloadKind || !name) {
    return { missing };
  }
  const spec: WorkloadSpec = { namespace, workload: { kind: o.workloadKind, name } };
  const container = label(o.container);
  if (container) {
    spec.container = container;
  }
  const cluster = label(o.cluster);
  if (cluster) {
    spec.cluster = cluster;
  }
  const window = o.window?.trim();
  if (window) {
    spec.window = window;
  }
  const minHistory = o.minHistory?.trim();
  if (minHistory) {
    spec.minHistory = minHistory;
  }
  if (isNumber(o.cpuPercentile)) {
    spec.cpuPercentile = o.cpuPercentile;
  }
  if (isNumber(o.memoryBuffer)) {
    spec.memoryBuffer = o.memoryBuffer;
  }
  if (isNumber(o.cpuLimitTimes) && o.cpuLimitTimes !== 0) {
    spec.cpuLimit = { requestTimes: o.cpuLimitTimes };
  }
  if (o.profile) {
    spec.profile = o.profile;
  }
  return { spec, missing };
}

function isNumber(v: number | undefined): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

/**
 * A Prometheus target of the panel: one per need of the plan, the need as its refId, an instant
 * query (each query reads its own history through subqueries, evaluated once at the end of the
 * dashboard's time range), in code mode (the builder cannot show these queries).
 */
export interface RightSizingTarget {
  refId: RecommendationNeed;
  expr: string;
  instant: true;
  range: false;
  editorMode: 'code';
}

/**
 * The panel targets for the options: planRecommendation's queries with the dashboard's variables
 * kept as written (Grafana fills them in when it runs the queries).
 */
export function rightSizingTargets(
  kp: Pick<Kubeprom, 'planRecommendation'>,
  options: RightSizingOptions | undefined
): { targets?: RightSizingTarget[]; missing: string[]; error?: string } {
  const { spec, missing } = rightSizingSpec(options);
  if (!spec) {
    return { missing };
  }
  try {
    const targets = kp.planRecommendation(spec).queries.map((q) => ({
      refId: q.need,
      expr: q.promql,
      instant: true as const,
      range: false as const,
      editorMode: 'code' as const,
    }));
    return { targets, missing };
  } catch (e) {
    return { missing, error: errorText(e) };
  }
}

/** One resource setting of a container as the table shows it; the numbers are the core's. */
export interface AdviceCell {
  /** Cores or bytes; absent when not set. */
  current?: number;
  /** The current value's text, `not set` when there is none. */
  currentText: string;
  recommended?: number;
  recommendedText?: string;
  /** The recommendation as a Kubernetes quantity (`440m`, `816Mi`). */
  quantity?: string;
  /** current - recommended. */
  difference?: number;
  /** The difference's text, signed: `+560m` is more than recommended. */
  differenceText?: string;
  status?: ResourceStatus;
  statusText?: string;
  color?: StatusColor;
}

export interface ContainerRow {
  container: string;
  status: ResourceStatus;
  statusText: string;
  color: StatusColor;
  cpuRequest: AdviceCell;
  cpuLimit: AdviceCell;
  memoryRequest: AdviceCell;
  memoryLimit: AdviceCell;
  /** Length of the history with usage, as the core writes durations. */
  historyText: string;
  oomKilled: boolean;
  /** `kubectl set resources ...` applying the recommendation; absent without one. */
  kubectl?: string;
}

export interface RightSizingView {
  /** The workload the rows are for, the dashboard's variables filled in. */
  workload?: { namespace: string; kind: string; name: string };
  rows: ContainerRow[];
  /** The PromQL the numbers come from, as Prometheus runs it (variables filled in). */
  queries: RecommendationQuery[];
  notices: Notice[];
}

/** The panel's queries and what they returned, as Grafana hands them over. */
export interface RightSizingInput {
  targets: TargetLike[] | undefined;
  refs: RefResult[];
  /** Grafana's query errors (`data.errors`), with the refId of the query when it is known. */
  errors: Array<{ refId?: string; message?: string }>;
}

const EMPTY: QueryResult = { resultType: 'vector', series: [], warnings: [], infos: [] };

/**
 * The right-sizing view: each target's frames become the answer of the need its refId names, and
 * the core's recommendResources makes every number, status and command of them. A need without a
 * query, a query that is not the plan's for these settings, that failed, or whose frames cannot be
 * read gives a notice and no rows: a recommendation from a partial or foreign answer would look
 * right and be wrong.
 */
export function buildRightSizingView(
  kp: Core,
  input: RightSizingInput,
  options: RightSizingOptions | undefined,
  interpolate: Interpolate
): RightSizingView {
  const notices: Notice[] = [];
  const written = rightSizingSpec(options);
  const run = rightSizingSpec(options, interpolate);
  if (!written.spec || !run.spec) {
    notices.push({
      severity: 'info',
      title: 'Choose a workload',
      text: `Set the ${(run.missing.length > 0 ? run.missing : written.missing).join(', ')} under Right-sizing in the panel options; a dashboard variable there must have a single value.`,
    });
    return { rows: [], queries: [], notices };
  }
  let writtenPlan: RecommendationQuery[];
  let runPlan: RecommendationQuery[];
  try {
    writtenPlan = kp.planRecommendation(written.spec).queries;
    runPlan = kp.planRecommendation(run.spec).queries;
  } catch (e) {
    notices.push({ severity: 'error', title: 'Cannot plan the right-sizing queries', text: errorText(e) });
    return { rows: [], queries: [], notices };
  }
  const workload = { namespace: run.spec.namespace, kind: run.spec.workload.kind, name: run.spec.workload.name };
  const view: RightSizingView = { workload, rows: [], queries: runPlan, notices };

  const targets = new Map<string, TargetLike>();
  // Grafana does not run a hidden query; frames under its refId are not its answer.
  const hidden = new Set<string>();
  for (const t of input.targets ?? []) {
    if (t.hide) {
      hidden.add(t.refId);
    } else if (!targets.has(t.refId)) {
      targets.set(t.refId, t);
    }
  }
  const refs = new Map(input.refs.map((r) => [r.refId, r]));
  const missing: string[] = [];
  const foreign: string[] = [];
  const unlabelled: string[] = [];
  const ranged: string[] = [];
  let blocked = false;
  for (const e of input.errors.filter((e) => e.refId === undefined || e.refId === '')) {
    notices.push({ severity: 'error', title: 'The queries failed', text: e.message ?? 'no message' });
    blocked = true;
  }
  const answers = {} as Record<RecommendationNeed, QueryResult>;
  for (const q of runPlan) {
    const need = q.need;
    const target = targets.get(need);
    const ref = refs.get(need);
    if (!target && (!ref || hidden.has(need))) {
      missing.push(need);
      continue;
    }
    const error = input.errors.find((e) => e.refId === need);
    if (error) {
      notices.push({ severity: 'error', title: `Query ${need} failed`, text: error.message ?? 'no message' });
      blocked = true;
      continue;
    }
    // As written (variables kept) or as Prometheus ran it (variables filled in): either is the plan.
    const expr = typeof target?.expr === 'string' ? target.expr.trim() : undefined;
    const asWritten = writtenPlan.find((w) => w.need === need)?.promql;
    if (expr !== asWritten && ref?.executedExpr?.trim() !== q.promql) {
      foreign.push(need);
      continue;
    }
    for (const text of ref?.unread ?? []) {
      notices.push({ severity: 'warning', title: `Query ${need}: not read`, text });
      blocked = true;
    }
    const result = ref?.result ?? EMPTY;
    // Every planned query keeps the container label: a series without one is not this plan's answer.
    if (result.series.some((s) => !s.labels.container)) {
      unlabelled.push(need);
    }
    if (result.resultType === 'matrix') {
      ranged.push(need);
    }
    for (const w of result.warnings) {
      notices.push({ severity: 'warning', title: `Prometheus warning (${need})`, text: w });
    }
    answers[need] = result;
  }
  const needs = new Set<string>(runPlan.map((q) => q.need));
  const others = [...new Set([...targets.keys(), ...refs.keys()])].filter((refId) => !needs.has(refId));
  if (others.length > 0) {
    notices.push({
      severity: 'info',
      title: `Not shown: ${others.join(', ')}`,
      text: 'In right-sizing mode the panel reads only the queries of the plan, by their refIds.',
    });
  }
  if (missing.length > 0) {
    notices.push({
      severity: 'warning',
      title: `Right-sizing queries missing: ${missing.join(', ')}`,
      text: `The panel needs every query of the plan, each an instant query whose refId is its need (${runPlan.map((q) => q.need).join(', ')}). The query helper in the panel options writes them.`,
    });
  }
  if (foreign.length > 0) {
    notices.push({
      severity: 'warning',
      title: `Not this workload's right-sizing queries: ${foreign.join(', ')}`,
      text: 'Their PromQL is not what the plan is for this workload and these settings (were the options changed after the queries were written?). Copy the targets from the query helper in the panel options again.',
    });
  }
  if (unlabelled.length > 0) {
    notices.push({
      severity: 'warning',
      title: `Series without a container: ${unlabelled.join(', ')}`,
      text: "Each right-sizing query answers per container; a series without a container label cannot be one container's answer. Is a transformation or a legend hiding labels?",
    });
  }
  if (ranged.length > 0) {
    notices.push({
      severity: 'info',
      title: `Run as range queries: ${ranged.join(', ')}`,
      text: "The panel reads each series' last sample: the history up to the end of the time range. Set the queries to Instant: Prometheus then evaluates the history once instead of at every step.",
    });
  }
  if (blocked || missing.length > 0 || foreign.length > 0 || unlabelled.length > 0) {
    return view;
  }
  let containers: ContainerAdvice[];
  try {
    containers = kp.recommendResources(run.spec, answers).containers;
  } catch (e) {
    notices.push({ severity: 'error', title: 'Cannot right-size the workload', text: errorText(e) });
    return view;
  }
  if (containers.length === 0) {
    notices.push({
      severity: 'info',
      title: 'No containers',
      text: `Prometheus has no usage, requests or limits of the pods of ${workload.kind} ${workload.name} in ${workload.namespace}. Are the kind and name right?`,
    });
  }
  view.rows = containers.map((c) => toRow(kp, c));
  return view;
}

function toRow(kp: Core, c: ContainerAdvice): ContainerRow {
  return {
    container: c.container,
    status: c.status,
    statusText: STATUS_TEXT[c.status],
    color: statusColor(c.status),
    cpuRequest: toCell(kp, c.cpuRequest, 'cores'),
    cpuLimit: toCell(kp, c.cpuLimit, 'cores'),
    memoryRequest: toCell(kp, c.memoryRequest, 'bytes'),
    memoryLimit: toCell(kp, c.memoryLimit, 'bytes'),
    historyText: kp.formatDuration(c.historySeconds),
    oomKilled: c.oomKilled,
    kubectl: c.kubectl,
  };
}

function toCell(kp: Core, a: ResourceAdvice, unit: 'cores' | 'bytes'): AdviceCell {
  const cell: AdviceCell = {
    current: a.current,
    currentText: a.current === undefined ? 'not set' : kp.formatValue(a.current, unit),
  };
  if (a.recommended !== undefined) {
    cell.recommended = a.recommended;
    cell.recommendedText = kp.formatValue(a.recommended, unit);
    cell.quantity = a.quantity;
  }
  if (a.difference !== undefined) {
    cell.difference = a.difference;
    const text = kp.formatValue(a.difference, unit);
    cell.differenceText = a.difference > 0 ? `+${text}` : text;
  }
  if (a.status !== undefined) {
    cell.status = a.status;
    cell.statusText = STATUS_TEXT[a.status];
    cell.color = statusColor(a.status);
  }
  return cell;
}
