/*
 * Test helpers: load the real kubeprom module from its .wasm bytes (Node), and write Prometheus
 * HTTP API bodies for a fake client to answer with.
 */
import { readFileSync } from 'fs';
import type { PodOptions, QueryResult, RecommendationNeed, Target } from 'kubeprom';
import {
  aggregatePodsFromBytes,
  initSync,
  parseResponse,
  planRecommendation,
  recommendResources,
} from 'kubeprom';
import { resolve } from 'path';
import { markKubepromLoaded } from '../lib/kubeprom';
import type { PromClientWithTargets } from '../lib/load';

let done = false;
export function loadKubepromForTests() {
  if (done) return;
  // `headlamp-plugin test` runs in the plugin folder. (No `process.cwd()`: the test build's
  // node polyfills would inject an unresolvable import for the `process` global.)
  initSync({ module: readFileSync(resolve('node_modules/kubeprom/pkg/kubeprom_bg.wasm')) });
  markKubepromLoaded();
  done = true;
}

export type Labels = Record<string, string>;

/** An instant-query answer with one sample per series. */
export function vectorBody(series: { labels: Labels; value: number }[], time = 1700000000): string {
  return JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: series.map(s => ({ metric: s.labels, value: [time, String(s.value)] })),
    },
  });
}

/** A range-query answer. */
export function matrixBody(series: { labels: Labels; points: [number, number][] }[]): string {
  return JSON.stringify({
    status: 'success',
    data: {
      resultType: 'matrix',
      result: series.map(s => ({
        metric: s.labels,
        values: s.points.map(([t, v]) => [t, String(v)]),
      })),
    },
  });
}

export interface Recorded {
  type: 'query' | 'range';
  promql: string;
  time?: number;
  start?: number;
  end?: number;
  step?: number;
}

/**
 * A PromClient whose answers come from `answer(promql)`: a body string (read by kubeprom's
 * parseResponse, or by aggregatePodsFromBytes for the per-pod calls, as the real client reads
 * it) or an Error to reject with.
 */
export function fakeClient(
  answer: (r: Recorded) => string | Error,
  targets: () => Target[] | Error = () => []
): PromClientWithTargets & { calls: Recorded[] } {
  const calls: Recorded[] = [];
  const body = (r: Recorded) => {
    calls.push(r);
    const a = answer(r);
    if (a instanceof Error) throw a;
    return a;
  };
  const reply = async (r: Recorded) => parseResponse(body(r));
  const pods = async (r: Recorded, podOptions?: PodOptions) =>
    aggregatePodsFromBytes(body(r), podOptions);
  return {
    calls,
    query: (promql, time) => reply({ type: 'query', promql, time }),
    queryRange: (promql, start, end, step) => reply({ type: 'range', promql, start, end, step }),
    queryPods: (promql, time, podOptions) => pods({ type: 'query', promql, time }, podOptions),
    queryRangePods: (promql, start, end, step, podOptions) =>
      pods({ type: 'range', promql, start, end, step }, podOptions),
    // As the real client does: the plan's queries, then the core's recommendation.
    recommendResources: async (spec, time) => {
      const answers = {} as Record<RecommendationNeed, QueryResult>;
      for (const q of planRecommendation(spec).queries) {
        answers[q.need] = await reply({ type: 'query', promql: q.promql, time });
      }
      return recommendResources(spec, answers);
    },
    targets: async () => {
      const t = targets();
      if (t instanceof Error) throw t;
      return t;
    },
  };
}

export const MiB = 1024 * 1024;
