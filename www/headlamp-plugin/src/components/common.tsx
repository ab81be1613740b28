import { Loader } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Paper,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import type { Attempt } from '../lib/detect';
import type { ErrorDescription } from '../lib/errors';
import type { RangeKey } from '../lib/plan';
import { RANGE_KEYS } from '../lib/plan';

/** A failure with its kubeprom kind and message, and what to do about it. */
export function ErrorNotice(props: {
  title: string;
  error: ErrorDescription;
  attempts?: Attempt[];
  onRetry?: () => void;
}) {
  const { title, error, attempts, onRetry } = props;
  return (
    <Alert
      severity="error"
      data-testid="kubeprom-error"
      sx={{ my: 1 }}
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            Retry
          </Button>
        ) : undefined
      }
    >
      <AlertTitle>{title}</AlertTitle>
      <Typography variant="body2" component="div" data-testid="kubeprom-error-summary">
        {error.summary}
      </Typography>
      {error.hint && (
        <Typography variant="body2" component="div" sx={{ mt: 0.5 }}>
          {error.hint}
        </Typography>
      )}
      {attempts && attempts.length > 0 && (
        <Box component="ul" sx={{ m: 0, mt: 0.5, pl: 2 }}>
          {attempts.map((a, i) => (
            <li key={i}>
              <Typography variant="caption">
                {a.what}: {a.outcome}
              </Typography>
            </li>
          ))}
        </Box>
      )}
    </Alert>
  );
}

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

export function Loading(props: { title: string }) {
  return (
    <Box data-testid="kubeprom-loading">
      <Loader title={props.title} />
    </Box>
  );
}

/** The PromQL kubeprom built for a view, so users can take it to Prometheus or Grafana. */
export function QueryList(props: { queries: string[] }) {
  const unique = [...new Set(props.queries)];
  if (unique.length === 0) return null;
  return (
    <Box component="details" sx={{ mt: 1 }}>
      <Typography component="summary" variant="caption" sx={{ cursor: 'pointer' }}>
        PromQL ({unique.length} {unique.length === 1 ? 'query' : 'queries'})
      </Typography>
      {unique.map(q => (
        <Box
          component="pre"
          key={q}
          sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: '0.75rem', my: 0.5 }}
        >
          {q}
        </Box>
      ))}
    </Box>
  );
}

/** A current value: title, number (also as data-value for tests), and a detail line. */
export function Card(props: {
  id: string;
  title: string;
  value: number | null;
  text: string;
  detail?: string;
}) {
  return (
    <Paper
      variant="outlined"
      sx={{ p: 1.5, height: '100%' }}
      data-testid={`kubeprom-card-${props.id}`}
      data-value={props.value === null ? '' : String(props.value)}
    >
      <Typography variant="caption" color="text.secondary">
        {props.title}
      </Typography>
      <Typography variant="h6" data-testid={`kubeprom-card-${props.id}-text`}>
        {props.text}
      </Typography>
      {props.detail && (
        <Typography variant="caption" color="text.secondary" component="div">
          {props.detail}
        </Typography>
      )}
    </Paper>
  );
}
