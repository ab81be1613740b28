import { Alert, Box, Button, MenuItem, TextField, Typography } from '@mui/material';
import type { CustomMetric } from 'kubeprom';
import { kubepromLoaded } from '../lib/kubeprom';
import type { CustomMetricSetting } from '../lib/settings';
import { readCustomMetric } from '../lib/settings';

const KINDS: Array<{ value: CustomMetric['kind']; label: string }> = [
  { value: 'gauge', label: 'gauge (the value itself)' },
  { value: 'rate', label: 'rate (a counter, per second)' },
  { value: 'increase', label: 'increase (a counter, over the window)' },
];
const SCOPES: Array<{ value: NonNullable<CustomMetric['scope']>; label: string }> = [
  { value: 'pod', label: 'pod (every series of the pod)' },
  { value: 'container', label: 'container (real containers only)' },
];
const UNITS: Array<CustomMetric['unit']> = [
  'count',
  'bytes',
  'bytes/s',
  'cores',
  'seconds',
  'ratio',
  'ops/s',
];

/** A small select of one of `options`. */
function Choice<T extends string>(props: {
  label: string;
  width: number;
  value: T | undefined;
  options: Array<{ value: T; label: string }>;
  onChange: (value: T) => void;
}) {
  return (
    <TextField
      select
      size="small"
      label={props.label}
      sx={{ minWidth: props.width }}
      value={props.value ?? ''}
      onChange={e => props.onChange(e.target.value as T)}
    >
      {props.options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * The user's own per-pod metrics: each is charted on pod and workload pages after the built-in
 * charts, counted once per series however many jobs scrape it and summed per pod by the core.
 */
export function CustomMetricsEditor(props: {
  value: CustomMetricSetting[];
  onChange: (value: CustomMetricSetting[] | undefined) => void;
}) {
  const { value, onChange } = props;
  const set = (i: number, patch: Partial<CustomMetricSetting>) =>
    onChange(value.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const remove = (i: number) => {
    const rest = value.filter((_, j) => j !== i);
    onChange(rest.length > 0 ? rest : undefined);
  };
  return (
    <Box data-testid="kubeprom-custom-metrics">
      {value.map((m, i) => {
        const problem = kubepromLoaded() ? readCustomMetric(m).problem : undefined;
        return (
          <Box
            key={i}
            data-testid={`kubeprom-custom-metric-${i}`}
            sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, alignItems: 'flex-start', mb: 2 }}
          >
            <TextField
              size="small"
              label="Title"
              value={m.title ?? ''}
              placeholder={m.series || 'Orders queued'}
              onChange={e => set(i, { title: e.target.value || undefined })}
            />
            <TextField
              size="small"
              label="Series"
              value={m.series ?? ''}
              placeholder="orders_queue_depth"
              onChange={e => set(i, { series: e.target.value || undefined })}
            />
            <Choice
              label="Kind"
              width={150}
              value={m.kind}
              options={KINDS}
              onChange={kind => set(i, { kind })}
            />
            <Choice
              label="Scope"
              width={150}
              value={m.scope ?? 'pod'}
              options={SCOPES}
              onChange={scope => set(i, { scope })}
            />
            <Choice
              label="Unit"
              width={110}
              value={m.unit}
              options={UNITS.map(u => ({ value: u, label: u }))}
              onChange={unit => set(i, { unit })}
            />
            <TextField
              size="small"
              multiline
              minRows={1}
              label="Matchers"
              placeholder="job=shop/web"
              helperText="One label=value per line, matched exactly"
              value={m.matchers ?? ''}
              onChange={e => set(i, { matchers: e.target.value || undefined })}
            />
            <Button variant="text" color="inherit" onClick={() => remove(i)}>
              Remove
            </Button>
            {problem && (
              <Alert severity="warning" sx={{ flexBasis: '100%' }}>
                Not charted yet: {problem}
              </Alert>
            )}
          </Box>
        );
      })}
      {value.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          None. Add per-pod metrics of your applications to chart them beside CPU and memory.
        </Typography>
      )}
      <Button variant="outlined" size="small" onClick={() => onChange([...value, {}])}>
        Add metric
      </Button>
    </Box>
  );
}
