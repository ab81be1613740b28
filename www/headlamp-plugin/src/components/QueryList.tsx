import { Box, Typography } from '@mui/material';

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
