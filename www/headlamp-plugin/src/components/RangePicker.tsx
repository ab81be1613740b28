import { ToggleButton, ToggleButtonGroup } from '@mui/material';
import type { RangeKey } from '../lib/plan';
import { RANGE_KEYS } from '../lib/plan';

/** The time ranges a chart section offers. */
export function RangePicker(props: { value: RangeKey; onChange: (r: RangeKey) => void }) {
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={props.value}
      onChange={(_, v) => v && props.onChange(v)}
      aria-label="Time range"
    >
      {RANGE_KEYS.map(r => (
        <ToggleButton
          key={r}
          value={r}
          aria-label={`last ${r}`}
          data-testid={`kubeprom-range-${r}`}
        >
          {r}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
