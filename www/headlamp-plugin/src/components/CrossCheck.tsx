/*
 * Prometheus' current CPU and memory of a pod checked against metrics-server's (what `kubectl
 * top pod` shows), so the page never shows two different numbers silently: a disagreement
 * beyond the core's tolerance is flagged with its likely cause.
 */
import { Alert, Box, Typography } from '@mui/material';
import { checkUsage } from 'kubeprom';
import { containerUsage } from '../lib/metricsServer';
import type { PodRow } from '../lib/viewmodel';
import { useMetricsServer } from './fallback';

export function CrossCheck(props: {
  cluster: string;
  row: PodRow;
  refreshSeconds: number;
}) {
  const { cluster, row, refreshSeconds } = props;
  const ms = useMetricsServer(cluster, row.namespace, row.pod, refreshSeconds);
  // Checked only where both answer: without metrics-server there is nothing to compare.
  const theirs = ms.data?.rows.find(r => r.namespace === row.namespace && r.pod === row.pod);
  if (!theirs) return null;
  const check = checkUsage(containerUsage(row), containerUsage(theirs));
  if (check.agree) {
    return (
      <Typography
        variant="caption"
        color="text.secondary"
        component="div"
        data-testid="kubeprom-crosscheck"
        data-agree="true"
      >
        Matches metrics-server (kubectl top pod) within 10%, or 20m of CPU and 16 MiB of memory.
      </Typography>
    );
  }
  return (
    <Alert severity="warning" data-testid="kubeprom-crosscheck" data-agree="false" sx={{ mb: 1 }}>
      <Typography variant="body2" component="div">
        Prometheus and metrics-server (kubectl top pod) disagree: {check.summary.join('; ')}.
      </Typography>
      <Box component="ul" sx={{ m: 0, pl: 2 }}>
        {check.messages.map(m => (
          <li key={m}>
            <Typography variant="body2">{m}</Typography>
          </li>
        ))}
      </Box>
    </Alert>
  );
}
