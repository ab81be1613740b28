/*
 * Current CPU and memory of a pod from metrics-server (the Kubernetes metrics API) when
 * Prometheus cannot be reached, with a note that says so and why.
 */
import { Alert, Box, Grid, Typography } from '@mui/material';
import { useCallback } from 'react';
import { kubeGet, usePolling } from '../hooks';
import type { ErrorDescription } from '../lib/errors';
import { kubepromReady } from '../lib/kubeprom';
import type { MetricsServerResult } from '../lib/metricsServer';
import { fallbackNote, loadMetricsServer } from '../lib/metricsServer';
import { formatValue } from '../lib/viewmodel';
import { Card } from './Card';
import { ErrorNotice, Loading } from './states';

/** metrics-server's current usage of one pod, or of every pod in a namespace, polled. */
export function useMetricsServer(
  cluster: string,
  namespace: string,
  pod: string | undefined,
  refreshSeconds: number
) {
  const key = JSON.stringify([cluster, namespace, pod]);
  // kubeprom reads the quantities and writes the values: wait for it as Prometheus views do.
  const load = useCallback(
    () => kubepromReady().then(() => loadMetricsServer(kubeGet(cluster), namespace, pod)),
    [key]
  );
  return usePolling<MetricsServerResult>(load, key, refreshSeconds);
}

/** The visible note: values from metrics-server, because Prometheus is unreachable, and why. */
export function FallbackNote(props: { what: string; reason: ErrorDescription; skipped?: string }) {
  const { reason } = props;
  return (
    <Alert
      severity="info"
      sx={{ mb: 1 }}
      data-testid="kubeprom-fallback-note"
      data-source="metrics-server"
    >
      <Typography variant="body2" component="div">
        {props.what} {fallbackNote(reason)}.
      </Typography>
      {reason.hint && (
        <Typography variant="body2" component="div" sx={{ mt: 0.5 }}>
          {reason.hint}
        </Typography>
      )}
      {props.skipped && (
        <Typography variant="body2" component="div" sx={{ mt: 0.5 }}>
          Left out of metrics-server's answer: {props.skipped}
        </Typography>
      )}
    </Alert>
  );
}

/** The error to show when metrics-server cannot stand in for Prometheus either. */
export function FallbackFailed(props: {
  reason: ErrorDescription;
  error: ErrorDescription;
  onRetry: () => void;
}) {
  // Prometheus' own failure is shown next to this (section or chart error).
  return (
    <ErrorNotice
      title={`metrics-server could not stand in either (Prometheus unreachable: ${props.reason.summary})`}
      error={props.error}
      onRetry={props.onRetry}
    />
  );
}

export function FallbackPodCards(props: {
  cluster: string;
  namespace: string;
  pod: string;
  /** Why Prometheus could not be used. */
  reason: ErrorDescription;
  refreshSeconds: number;
  /** Tries Prometheus again. */
  onRetry?: () => void;
}) {
  const { cluster, namespace, pod, reason } = props;
  const polled = useMetricsServer(cluster, namespace, pod, props.refreshSeconds);
  if (!polled.data) {
    if (polled.error) {
      return (
        <FallbackFailed
          reason={reason}
          error={polled.error}
          onRetry={() => {
            polled.refresh();
            props.onRetry?.();
          }}
        />
      );
    }
    return <Loading title="Loading current values from metrics-server" />;
  }
  const row = polled.data.rows.find(r => r.namespace === namespace && r.pod === pod);
  const skipped = polled.data.skipped.find(s => s.pod === pod);
  const containers = (k: 'cpu' | 'memory', unit: 'millicores' | 'MiB') =>
    row && row.containers.length > 1
      ? row.containers.map(c => `${c.container} ${formatValue(c[k], unit)}`).join(' + ')
      : undefined;
  return (
    <>
      <FallbackNote what="CPU and memory" reason={reason} skipped={skipped?.message} />
      <Box sx={{ mb: 3 }}>
        <Grid container spacing={2}>
          <Grid item xs={6} md={3}>
            <Card
              id="cpu"
              title="CPU (metrics-server)"
              value={row?.cpu ?? null}
              text={formatValue(row?.cpu, 'millicores')}
              detail={containers('cpu', 'millicores')}
            />
          </Grid>
          <Grid item xs={6} md={3}>
            <Card
              id="memory"
              title="Memory (metrics-server)"
              value={row?.memory ?? null}
              text={formatValue(row?.memory, 'MiB')}
              detail={containers('memory', 'MiB')}
            />
          </Grid>
        </Grid>
      </Box>
    </>
  );
}
