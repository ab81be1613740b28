import { createDataFrame, type DataFrame, DataFrameType, FieldType } from '@grafana/data';
import type { RightSizingOptions } from '../types';

const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;

/** Test support: the right-sizing options of Deployment `web` in namespace `shop`. */
export const WEB: RightSizingOptions = { namespace: 'shop', workloadKind: 'Deployment', workloadName: 'web' };

/** An instant query's frame as Grafana's Prometheus data source gives it: one per series. */
export function instantFrame(refId: string, container: string, value: number): DataFrame {
  return createDataFrame({
    refId,
    meta: { type: DataFrameType.NumericMulti, custom: { resultType: 'vector' } },
    fields: [
      { name: 'Time', type: FieldType.time, values: [T0] },
      { name: 'Value', type: FieldType.number, values: [value], labels: { container } },
    ],
  });
}

/**
 * The answers of web's right-sizing queries, per need and container: two containers over 14 days
 * of 5-minute steps (4032 steps each). No OOM kill and no CPU limit: those two queries return no
 * series, so Grafana hands over no frames for them.
 */
export const WEB_ANSWERS: Record<string, Array<[string, number]>> = {
  cpuUsage: [
    ['app', 0.4321],
    ['sidecar', 0.003],
  ],
  cpuSamples: [
    ['app', 4032],
    ['sidecar', 4032],
  ],
  memoryPeak: [
    ['app', 700 * MiB],
    ['sidecar', 40 * MiB],
  ],
  cpuRequest: [
    ['app', 1],
    ['sidecar', 0.01],
  ],
  memoryRequest: [
    ['app', 256 * MiB],
    ['sidecar', 100 * MiB],
  ],
  memoryLimit: [
    ['app', 1024 * MiB],
    ['sidecar', 128 * MiB],
  ],
};

/** The frames of `answers`, one per need and container. */
export function answerFrames(answers = WEB_ANSWERS): DataFrame[] {
  return Object.entries(answers).flatMap(([need, values]) => values.map(([c, v]) => instantFrame(need, c, v)));
}
