import { Loader } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { Alert, AlertTitle, Box, Button, Typography } from '@mui/material';
import type { Attempt } from '../lib/detect';
import type { ErrorDescription } from '../lib/errors';

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

/** Shown while a view's first answer is on its way. */
export function Loading(props: { title: string }) {
  return (
    <Box data-testid="kubeprom-loading">
      <Loader title={props.title} />
    </Box>
  );
}
