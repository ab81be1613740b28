import React, { useMemo } from 'react';
import { type FieldConfig, FieldColorModeId, type FieldSparkline, FieldType } from '@grafana/data';
import type { GraphFieldConfig } from '@grafana/schema';
import { Sparkline, useTheme2 } from '@grafana/ui';

interface Props {
  series: { times: number[]; values: number[] };
  color: string;
  width: number;
  height: number;
}

/** Grafana's sparkline for one pod's series over the time range. */
export function SeriesSparkline({ series, color, width, height }: Props) {
  const theme = useTheme2();
  const sparkline: FieldSparkline = useMemo(
    () => ({
      x: { name: 'time', type: FieldType.time, values: series.times, config: {} },
      // Grafana's panels fill in the value range; the sparkline scales its y axis to it.
      y: {
        name: 'value',
        type: FieldType.number,
        values: series.values,
        config: {},
        state: { range: rangeOf(series.values) },
      },
    }),
    [series]
  );
  const config: FieldConfig<GraphFieldConfig> = useMemo(
    () => ({ color: { mode: FieldColorModeId.Fixed, fixedColor: color }, custom: { lineWidth: 1, fillOpacity: 10 } }),
    [color]
  );
  return (
    <div data-testid="kubeprom-sparkline" style={{ width, height }}>
      <Sparkline width={width} height={height} theme={theme} sparkline={sparkline} config={config} />
    </div>
  );
}

function rangeOf(values: number[]): { min: number; max: number; delta: number } {
  const finite = values.filter(Number.isFinite);
  const min = finite.length > 0 ? Math.min(...finite) : 0;
  const max = finite.length > 0 ? Math.max(...finite) : 0;
  return { min, max, delta: max - min };
}
