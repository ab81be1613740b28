import { SimpleTable, StatusLabel } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { Box, Button, Typography } from '@mui/material';
import type { ContainerAdvice, RecommendSpec, ResourceAdvice } from 'kubeprom';
import { formatDuration } from 'kubeprom';
import type { ReactNode } from 'react';
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
export function Change(props: { advice: ResourceAdvice; unit: 'cores' | 'bytes'; testId: string }) {
  const { advice, unit, testId } = props;
  const current = advice.current === undefined ? 'not set' : formatValue(advice.current, unit);
  return (
    <span
      data-testid={testId}
      data-current={advice.current ?? ''}
      data-quantity={advice.quantity ?? ''}
      data-status={advice.status ?? ''}
    >
      {advice.recommended === undefined ? (
        current
      ) : (
        // A narrow column breaks between the two values only, never inside one.
        <>
          <Box component="span" sx={{ whiteSpace: 'nowrap' }}>
            {current} →
          </Box>{' '}
          <Box component="span" sx={{ whiteSpace: 'nowrap' }}>
            {formatValue(advice.recommended, unit)}
          </Box>
        </>
      )}
    </span>
  );
}

/** Copies `command` to the clipboard and says so. */
export function CopyButton(props: { command: string; ariaLabel?: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () =>
    navigator.clipboard?.writeText(props.command).then(
      () => setCopied(true),
      () => setCopied(false)
    );
  return (
    <Button
      size="small"
      variant="outlined"
      onClick={copy}
      aria-label={props.ariaLabel}
      data-testid={props.testId}
      data-command={props.command}
    >
      {copied ? 'Copied' : 'Copy'}
    </Button>
  );
}

export function CopyCommand(props: { command: string }) {
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, my: 0.5 }}>
      <Box
        component="pre"
        data-testid="kubeprom-rightsizing-kubectl"
        sx={{ m: 0, flex: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: '0.75rem' }}
      >
        {props.command}
      </Box>
      <CopyButton command={props.command} />
    </Box>
  );
}

/**
 * The columns both right-sizing tables share, after the container's name: its status, current
 * against recommended requests and limits, and the history it was learnt from. `gridTemplate`
 * sizes each (SimpleTable's default: equal shares).
 */
export function adviceColumns(gridTemplate?: string) {
    return [
    {
      label: 'Status',
      gridTemplate,
      getter: (c: ContainerAdvice) => (
        <span data-testid="kubeprom-rightsizing-status" data-status={c.status}>
          <StatusLabel status={statusTone(c.status)}>{STATUS_TEXT[c.status]}</StatusLabel>
        </span>
      ),
    },
    {
      label: 'CPU request',
      gridTemplate,
      getter: (c: ContainerAdvice) => (
        <Change advice={c.cpuRequest} unit="cores" testId="kubeprom-rightsizing-cpu" />
      ),
    },
    {
      label: 'Memory request',
      gridTemplate,
      getter: (c: ContainerAdvice) => (
        <Change advice={c.memoryRequest} unit="bytes" testId="kubeprom-rightsizing-memory" />
      ),
    },
    {
      label: 'Memory limit',
      gridTemplate,
      getter: (c: ContainerAdvice) => (
        <Change advice={c.memoryLimit} unit="bytes" testId="kubeprom-rightsizing-memory-limit" />
      ),
    },
    {
      label: 'History',
      gridTemplate,
      getter: (c: ContainerAdvice) =>
        `${formatDuration(c.historySeconds)}${c.oomKilled ? ', OOMKilled' : ''}`,
    },
  ];
}

/** How the recommendations are made, above either table. */
export function MethodCaption() {
  return (
    <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 1 }}>
      From the last 14 days: CPU request at the busiest replica&apos;s p95 usage, memory request
      and limit at its peak working set plus 15% (after an OOM kill, the limit plus 15%).
    </Typography>
  );
}

/**
 * kubeprom's recommendResources for `spec`, asked again at most every 10 minutes: the loading
 * and failure states, then `children` with the core's containers and the PromQL it ran.
 */
export function RightSizingAnswer(props: {
  ctx: SectionContext;
  spec: RecommendSpec;
  children: (containers: ContainerAdvice[], queries: string[]) => ReactNode;
}) {
  const { ctx, spec, children } = props;
  const key = JSON.stringify([formatEndpoint(ctx.resolved.endpoint), ctx.settings, spec]);
  const load = useCallback(
    (signal: AbortSignal) => loadRightSizing(ctx.client, spec, signal, ctx.resolved.endpoint),
    [key]
  );
  const polled = usePolling<RightSizingResult>(
    load,
    key,
    rightSizingRefreshSeconds(ctx.settings.refreshSeconds)
  );
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
  return <>{children(recommendation?.containers ?? [], queries)}</>;
}

/**
 * Right-sizing of a workload's containers: kubeprom's recommendResources over 14 days of
 * Prometheus history (CPU request from p95 usage, memory from the peak plus 15%), beside the
 * current requests and limits, with a status and a `kubectl set resources` command per container.
 */
export function RightSizing(props: { ctx: SectionContext; scope: Scope }) {
  const { ctx, scope } = props;
  const spec = rightSizingSpec(planContext(ctx.settings), scope);
  if (!spec) return null;
  return (
    <RightSizingAnswer ctx={ctx} spec={spec}>
      {(containers, queries) => (
        <Box data-testid="kubeprom-rightsizing">
          <MethodCaption />
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
              ...adviceColumns(),
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
      )}
    </RightSizingAnswer>
  );
}
