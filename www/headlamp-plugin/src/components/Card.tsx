import { Paper, Typography } from '@mui/material';

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
