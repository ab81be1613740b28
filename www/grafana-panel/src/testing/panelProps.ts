import type { DataQuery } from '@grafana/schema';
import {
  type DataFrame,
  type DataQueryRequest,
  dateTime,
  EventBusSrv,
  type FieldConfigSource,
  LoadingState,
  type PanelProps,
  type TimeRange,
} from '@grafana/data';
import { defaultOptions, type PodResourcesOptions } from '../types';

export interface PanelInput {
  frames: DataFrame[];
  targets: Array<DataQuery & { expr?: string }>;
  options?: Partial<PodResourcesOptions>;
  fieldConfig?: FieldConfigSource;
  width?: number;
  height?: number;
  timeRange?: TimeRange;
}

/** Test support: the props Grafana gives a panel after its queries ran. */
export function panelProps({
  frames,
  targets,
  options,
  fieldConfig,
  width = 900,
  height = 500,
  timeRange,
}: PanelInput): PanelProps<PodResourcesOptions> {
  const range = timeRange ?? { from: dateTime(0), to: dateTime(3600_000), raw: { from: 'now-1h', to: 'now' } };
  const request = { targets, range, interval: '30s', intervalMs: 30_000 } as unknown as DataQueryRequest;
  return {
    id: 1,
    title: 'Pod resources',
    data: { state: LoadingState.Done, series: frames, timeRange: range, request },
    timeRange: range,
    timeZone: 'utc',
    options: { ...defaultOptions, ...options },
    fieldConfig: fieldConfig ?? { defaults: {}, overrides: [] },
    transparent: false,
    width,
    height,
    renderCounter: 1,
    eventBus: new EventBusSrv(),
    replaceVariables: (s: string) => s,
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    onChangeTimeRange: () => {},
  };
}
