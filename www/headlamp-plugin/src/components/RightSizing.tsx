import { SimpleTable, StatusLabel } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { Box, Button, Typography } from '@mui/material';
import type { ContainerAdvice, ResourceAdvice } from 'kubeprom';
import { formatDuration } from 'kubeprom';
import { useCallback, useState } from 'react';
import { usePolling } from '../hooks';
import { formatEndpoint } from '../lib/endpoint';
import type { RightSizingResult } from '../lib/load';
import { loadRightSizing } from '../lib/load';
import type { Scope } from '../lib/plan';
import {
  rightSizingRefreshSeconds,
  rightSizingSpec,
  STATUS_TEXT,
  statusTone,
} from '../lib/rightSizing';
import { planContext } from '../lib/settings';
import { formatValue } from '../lib/viewmodel';
import type { SectionContext } from './MetricsSection';
import { QueryList } from './QueryList';
import { ErrorNotice, Loading } from './states';

/**
 * `current → recommended` of one setting, both written as the plugin writes values (the
 * Kubernetes quantity is in the kubectl command and the data attributes).
 */
function Change(props: { advice: ResourceAdvice; unit: 'cores' | 'bytes'; testId: string }) {
  const { advice, unit, testId } = props;
  const current = advice.current === undefined ? 'not set' : formatValue(advice.current, unit);
  return (
    <span
      data-testid={testId}
      data-current={advice.current ?? ''}
      data-quantity={advice.quantity ?? ''}
      data-status={advice.status ?? ''}
    >
      {advice.recommended === undefined
        ? current
        : `${current} → ${formatValue(advice.recommended, unit)}`}
    </span>
  );
}

function CopyCommand(props: { command: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () =>
    navigator.clipboard?.writeText(props.command).then(
      () => setCopied(true),
      () => setCopied(false)
    );
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, my: 0.5 }}>
      <Box
        component="pre"
        data-testid="kubeprom-rightsizing-kubectl"
        sx={{ m: 0, flex: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: '0.75rem' }}
      >
        {props.command}
      </Box>
      <Button size="small" variant="outlined" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </Box>
  );
}

/**
 * Right-sizing of a workload's containers: kubeprom's recommendResources over 14 days of
 * Prometheus history (CPU request from p95 usage, memory from the peak plus 15%), beside the
 * current requests and limits, with a status and a `kubectl set resources` command per container.
 */
export function RightSizing(props: { ctx: SectionContext; scope: Scope }) {
  const { ctx, scope } = props;
  const spec = rightSizingSpec(planContext(ctx.settings), scope);
  const key = JSON.stringify([formatEndpoint(ctx.resolved.endpoint), ctx.settings, spec]);
  const load = useCallback(
    (signal: AbortSignal) =>
      spec
        ? loadRightSizing(ctx.client, spec, signal, ctx.resolved.endpoint)
        : Promise.resolve<RightSizingResult>({ queries: [] }),
    [key]
  );
  const polled = usePolling<RightSizingResult>(
    load,
    key,
    rightSizingRefreshSeconds(ctx.settings.refreshSeconds)
  );
  if (!spec) return null;
  if (!polled.data) {
    if (polled.error)
      return (
        <ErrorNotice title="Right-sizing failed" error={polled.error} onRetry={polled.refresh} />
      );
    return <Loading title="Loading 14 days of usage" />;
  }
  const { recommendation, error, queries } = polled.data;
  if (error)
    return (
      <ErrorNotice title="Right-sizing queries failed" error={error} onRetry={polled.refresh} />
    );
  const containers = recommendation?.containers ?? [];
  return (
    <Box data-testid="kubeprom-rightsizing">
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 1 }}>
        From the last 14 days: CPU request at the busiest replica&apos;s p95 usage, memory request
        and limit at its peak working set plus 15% (after an OOM kill, the limit plus 15%).
      </Typography>
      <SimpleTable
        columns={[
          {
            label: 'Container',
            getter: (c: ContainerAdvice) => (
              <span data-testid="kubeprom-rightsizing-container" data-container={c.container}>
                {c.container}
              </span>
            ),
          },
          {
            label: 'Status',
            getter: (c: ContainerAdvice) => (
              <span data-testid="kubeprom-rightsizing-status" data-status={c.status}>
                <StatusLabel status={statusTone(c.status)}>{STATUS_TEXT[c.status]}</StatusLabel>
              </span>
            ),
          },
          {
            label: 'CPU request',
            getter: (c: ContainerAdvice) => (
              <Change advice={c.cpuRequest} unit="cores" testId="kubeprom-rightsizing-cpu" />
            ),
          },
          {
            label: 'Memory request',
            getter: (c: ContainerAdvice) => (
              <Change advice={c.memoryRequest} unit="bytes" testId="kubeprom-rightsizing-memory" />
            ),
          },
          {
            label: 'Memory limit',
            getter: (c: ContainerAdvice) => (
              <Change
                advice={c.memoryLimit}
                unit="bytes"
                testId="kubeprom-rightsizing-memory-limit"
              />
            ),
          },
          {
            label: 'History',
            getter: (c: ContainerAdvice) =>
              `${formatDuration(c.historySeconds)}${c.oomKilled ? ', OOMKilled' : ''}`,
          },
        ]}
        data={containers}
        emptyMessage="Prometheus has no usage for this workload's pods."
      />
      {containers
        .filter(c => c.kubectl)
        .map(c => (
          <CopyCommand key={c.container} command={c.kubectl!} />
        ))}
      <QueryList queries={queries} />
    </Box>
  );
}
