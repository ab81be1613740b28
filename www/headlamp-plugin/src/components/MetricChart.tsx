import { Box, Typography, useTheme } from '@mui/material';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ChartResult } from '../lib/load';
import { chartTop, formatTime, formatValue, yAxisWidth } from '../lib/viewmodel';
import { ErrorNotice } from './states';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
];
const REF_COLORS: Record<string, string> = { request: '#2e7d32', limit: '#d32f2f' };

/**
 * One chart: a line per pod (and per series), request/limit as dashed reference lines. With
 * `stacked` (a setting, off by default) the pods of each series are stacked areas instead, which
 * shows a workload's total; lines are the default because stacked areas hide each pod's own
 * value.
 */
export function MetricChart(props: {
  chart: ChartResult;
  rangeSeconds: number;
  stacked?: boolean;
}) {
  const { chart, rangeSeconds } = props;
  const theme = useTheme();
  const { plan, data, refs, error } = chart;
  const unit = plan.unit;
  const stacked = !!props.stacked && data.lines.length > 1;
  const Chart = stacked ? AreaChart : LineChart;
  const axisWidth = yAxisWidth(
    chartTop(
      data,
      refs.map(r => r.value),
      stacked
    ),
    unit
  );
  return (
    <Box
      data-testid={`kubeprom-chart-${plan.id}`}
      data-stacked={stacked ? 'true' : 'false'}
      sx={{ mb: 2 }}
    >
      <Typography variant="subtitle2">{plan.title}</Typography>
      {error ? (
        <ErrorNotice title={`${plan.title}: query failed`} error={error} />
      ) : data.lines.length === 0 ? (
        <Typography variant="body2" color="text.secondary" data-testid="kubeprom-nodata">
          No data for this range: Prometheus has no matching series.
        </Typography>
      ) : (
        <ResponsiveContainer width="100%" height={220}>
          <Chart data={data.rows} margin={{ top: 8, right: 24, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
            <XAxis
              dataKey="t"
              type="number"
              domain={['dataMin', 'dataMax']}
              tick={{ fontSize: 12 }}
              tickFormatter={t => formatTime(t, rangeSeconds)}
              stroke={theme.palette.text.secondary}
            />
            <YAxis
              width={axisWidth}
              tick={{ fontSize: 12 }}
              tickFormatter={v => formatValue(v, unit)}
              stroke={theme.palette.text.secondary}
              domain={[0, 'auto']}
            />
            <Tooltip
              labelFormatter={t => new Date(Number(t) * 1000).toLocaleString()}
              formatter={(v: number) => formatValue(v, unit)}
              contentStyle={{ background: theme.palette.background.paper }}
            />
            <Legend />
            {data.lines.map((line, i) =>
              stacked ? (
                <Area
                  key={line.dataKey}
                  dataKey={line.dataKey}
                  name={line.name}
                  type="monotone"
                  stackId={line.series}
                  isAnimationActive={false}
                  stroke={PALETTE[i % PALETTE.length]}
                  fill={PALETTE[i % PALETTE.length]}
                  fillOpacity={0.35}
                  connectNulls={false}
                />
              ) : (
                <Line
                  key={line.dataKey}
                  dataKey={line.dataKey}
                  name={line.name}
                  type="monotone"
                  dot={false}
                  isAnimationActive={false}
                  stroke={PALETTE[i % PALETTE.length]}
                  connectNulls={false}
                />
              )
            )}
            {refs.map(r => (
              <ReferenceLine
                key={r.key}
                y={r.value}
                stroke={REF_COLORS[r.key] ?? theme.palette.text.secondary}
                strokeDasharray="6 3"
                ifOverflow="extendDomain"
                label={{
                  value: `${r.label} ${formatValue(r.value, unit)}`,
                  position: 'insideTopRight',
                  fill: theme.palette.text.secondary,
                  fontSize: 11,
                }}
              />
            ))}
          </Chart>
        </ResponsiveContainer>
      )}
    </Box>
  );
}
