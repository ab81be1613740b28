import { SectionBox } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { Box, Typography } from '@mui/material';
import type { PrometheusClient } from 'kubeprom';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { usePrometheus } from '../hooks';
import { formatEndpoint } from '../lib/endpoint';
import type { ErrorDescription } from '../lib/errors';
import { prometheusUnreachable } from '../lib/metricsServer';
import type { RangeKey } from '../lib/plan';
import type { Effective, Resolved } from '../lib/settings';
import { RangePicker } from './RangePicker';
import { ErrorNotice, Loading } from './states';

export interface SectionContext {
  cluster: string;
  client: PrometheusClient;
  resolved: Resolved;
  settings: Effective;
  range: RangeKey;
}

/**
 * A details-view section that finds Prometheus first, then renders its content. While
 * Prometheus is being found it says so; when it cannot be found it says why.
 */
export function MetricsSection(props: {
  cluster: string;
  title: string;
  withRange?: boolean;
  children: (ctx: SectionContext) => ReactNode;
  /** What to show next to the error when Prometheus cannot be reached at all. */
  fallback?: (reason: ErrorDescription, settings: Effective) => ReactNode;
}) {
  const { cluster, title, withRange = true, children, fallback } = props;
  const prom = usePrometheus(cluster);
  const [range, setRange] = useState<RangeKey | undefined>(undefined);
  const effectiveRange = range ?? prom.settings.defaultRange;
  return (
    <SectionBox
      title={title}
      headerProps={{
        actions: withRange
          ? [<RangePicker key="range" value={effectiveRange} onChange={setRange} />]
          : [],
      }}
    >
      <Box data-testid="kubeprom-section">
        {prom.status === 'loading' && <Loading title="Finding Prometheus" />}
        {prom.status === 'error' && (
          <ErrorNotice
            title="Prometheus is not available"
            error={prom.error}
            attempts={prom.attempts}
            onRetry={prom.retry}
          />
        )}
        {prom.status === 'error' &&
          fallback &&
          prometheusUnreachable(prom.error) &&
          fallback(prom.error, prom.settings)}
        {prom.status === 'ready' && (
          <>
            {children({
              cluster,
              client: prom.client,
              resolved: prom.resolved,
              settings: prom.settings,
              range: effectiveRange,
            })}
            <Typography
              variant="caption"
              color="text.secondary"
              component="div"
              data-testid="kubeprom-endpoint"
            >
              Prometheus: {formatEndpoint(prom.resolved.endpoint)} ({prom.resolved.how})
            </Typography>
          </>
        )}
      </Box>
    </SectionBox>
  );
}
