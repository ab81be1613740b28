import { SimpleTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { Box, Grid } from '@mui/material';
import { useCallback } from 'react';
import { usePolling } from '../hooks';
import { formatEndpoint } from '../lib/endpoint';
import type { ChartResult, CurrentResult } from '../lib/load';
import { commonError, loadCharts, loadCurrent } from '../lib/load';
import { unreachableOutage } from '../lib/metricsServer';
import type { Scope } from '../lib/plan';
import { planCharts, planCurrent, RANGES, timeRange } from '../lib/plan';
import { planContext } from '../lib/settings';
import type { PodRow } from '../lib/viewmodel';
import { formatValue } from '../lib/viewmodel';
import { Card } from './Card';
import { CrossCheck } from './CrossCheck';
import { FallbackPodCards } from './fallback';
import { MetricChart } from './MetricChart';
import type { SectionContext } from './MetricsSection';
import { QueryList } from './QueryList';
import { ErrorNotice, Loading } from './states';

function contextKey(ctx: SectionContext, scope: Scope) {
  return JSON.stringify([
    formatEndpoint(ctx.resolved.endpoint),
    ctx.settings.profile,
    ctx.settings.clusterLabelValue,
    ctx.settings.scrapeIntervalSeconds,
    ctx.settings.customCharts,
    scope,
  ]);
}

/** Charts over the section's range; one line per pod when the scope has several pods. */
export function ChartsBlock(props: { ctx: SectionContext; scope: Scope; multiPod: boolean }) {
  const { ctx, scope, multiPod } = props;
  const rangeSeconds = RANGES[ctx.range];
  const key = `${contextKey(ctx, scope)}|${ctx.range}`;
  const load = useCallback(
    (signal: AbortSignal) => {
      const range = timeRange(rangeSeconds, Date.now() / 1000, ctx.settings.scrapeIntervalSeconds);
      const plans = planCharts(planContext(ctx.settings), scope, range);
      return loadCharts(ctx.client, plans, range, multiPod, signal, ctx.resolved.endpoint);
    },
    [key]
  );
  const polled = usePolling<ChartResult[]>(load, key, ctx.settings.refreshSeconds);
  if (!polled.data) {
    if (polled.error)
      return <ErrorNotice title="Charts failed" error={polled.error} onRetry={polled.refresh} />;
    return <Loading title="Loading charts" />;
  }
  const outage = commonError(polled.data.map(c => c.error));
  if (outage) {
    return (
      <ErrorNotice
        title="Prometheus queries failed"
        error={{ ...outage, hint: outage.hint }}
        onRetry={polled.refresh}
      />
    );
  }
  return (
    <Box>
      {polled.error && (
        <ErrorNotice
          title="Refreshing the charts failed; showing older data"
          error={polled.error}
          onRetry={polled.refresh}
        />
      )}
      <Grid container spacing={2}>
        {polled.data.map(chart => (
          <Grid item xs={12} md={6} key={chart.plan.id}>
            <MetricChart
              chart={chart}
              rangeSeconds={rangeSeconds}
              stacked={multiPod && ctx.settings.stacked}
            />
          </Grid>
        ))}
      </Grid>
      <QueryList queries={polled.data.flatMap(c => c.queries)} />
    </Box>
  );
}

function useCurrent(ctx: SectionContext, scope: Scope) {
  const key = contextKey(ctx, scope);
  const load = useCallback(
    (signal: AbortSignal) =>
      loadCurrent(
        ctx.client,
        planCurrent(planContext(ctx.settings), scope),
        undefined,
        signal,
        ctx.resolved.endpoint
      ),
    [key]
  );
  return usePolling<CurrentResult>(load, key, ctx.settings.refreshSeconds);
}

function reasonText(row: PodRow | undefined) {
  if (!row || row.reasons.length === 0) return 'none';
  return row.reasons.map(r => (r.container ? `${r.reason} (${r.container})` : r.reason)).join(', ');
}

/** Status cards of one pod: CPU, memory, restarts, last termination reason. */
export function PodCards(props: { ctx: SectionContext; scope: Scope }) {
  const polled = useCurrent(props.ctx, props.scope);
  if (!polled.data) {
    if (polled.error)
      return (
        <ErrorNotice title="Current values failed" error={polled.error} onRetry={polled.refresh} />
      );
    return <Loading title="Loading current values" />;
  }
  const { rows, errors } = polled.data;
  const all = [errors.cpu, errors.memory, errors.restarts, errors.reason];
  const unreachable = unreachableOutage(all);
  if (unreachable && props.scope.namespace && props.scope.pod) {
    return (
      <FallbackPodCards
        cluster={props.ctx.cluster}
        namespace={props.scope.namespace}
        pod={props.scope.pod}
        reason={unreachable}
        refreshSeconds={props.ctx.settings.refreshSeconds}
        onRetry={polled.refresh}
      />
    );
  }
  const outage = commonError(all);
  if (outage) {
    return (
      <ErrorNotice title="Prometheus queries failed" error={outage} onRetry={polled.refresh} />
    );
  }
  const row = rows.find(r => r.pod === props.scope.pod && r.namespace === props.scope.namespace);
  const containers = (k: 'cpu' | 'memory', unit: 'millicores' | 'MiB') =>
    row && row.containers.length > 1
      ? row.containers.map(c => `${c.container} ${formatValue(c[k], unit)}`).join(' + ')
      : undefined;
  const failed = (id: keyof typeof errors) =>
    errors[id] ? `failed: ${errors[id]!.summary}` : undefined;
  return (
    <Box sx={{ mb: 3 }}>
      <Grid container spacing={2}>
        <Grid item xs={6} md={3}>
          <Card
            id="cpu"
            title="CPU"
            value={row?.cpu ?? null}
            text={formatValue(row?.cpu, 'millicores')}
            detail={failed('cpu') ?? containers('cpu', 'millicores')}
          />
        </Grid>
        <Grid item xs={6} md={3}>
          <Card
            id="memory"
            title="Memory (working set)"
            value={row?.memory ?? null}
            text={formatValue(row?.memory, 'MiB')}
            detail={failed('memory') ?? containers('memory', 'MiB')}
          />
        </Grid>
        <Grid item xs={6} md={3}>
          <Card
            id="restarts"
            title="Restarts"
            value={row?.restarts ?? null}
            text={formatValue(row?.restarts, 'count')}
            detail={failed('restarts')}
          />
        </Grid>
        <Grid item xs={6} md={3}>
          <Card
            id="reason"
            title="Last termination"
            value={null}
            text={reasonText(row)}
            detail={failed('reason')}
          />
        </Grid>
      </Grid>
      {row && !errors.cpu && !errors.memory && (
        <Box sx={{ mt: 1 }}>
          <CrossCheck
            cluster={props.ctx.cluster}
            row={row}
            refreshSeconds={props.ctx.settings.refreshSeconds}
          />
        </Box>
      )}
    </Box>
  );
}

/** Per-pod table, busiest first. */
export function PodTable(props: { rows: PodRow[]; testId: string; withRestarts?: boolean }) {
  const columns = [
    {
      label: 'Pod',
      // Pod names are long and the numbers short: twice a number column's share.
      gridTemplate: 2,
      getter: (r: PodRow) => (
        <span data-testid={`${props.testId}-pod`} data-pod={r.pod}>
          {r.pod}
        </span>
      ),
      sort: (a: PodRow, b: PodRow) => a.pod.localeCompare(b.pod),
    },
    {
      label: 'CPU',
      getter: (r: PodRow) => formatValue(r.cpu, 'millicores'),
      sort: (a: PodRow, b: PodRow) => (a.cpu ?? -1) - (b.cpu ?? -1),
    },
    {
      label: 'Memory',
      getter: (r: PodRow) => formatValue(r.memory, 'MiB'),
      sort: (a: PodRow, b: PodRow) => (a.memory ?? -1) - (b.memory ?? -1),
    },
  ];
  if (props.withRestarts) {
    columns.push(
      {
        label: 'Restarts',
        getter: (r: PodRow) => formatValue(r.restarts, 'count'),
        sort: (a: PodRow, b: PodRow) => (a.restarts ?? -1) - (b.restarts ?? -1),
      },
      {
        label: 'Last termination',
        getter: (r: PodRow) => reasonText(r),
        sort: (a: PodRow, b: PodRow) => reasonText(a).localeCompare(reasonText(b)),
      }
    );
  }
  return (
    <Box data-testid={props.testId}>
      <SimpleTable columns={columns} data={props.rows} emptyMessage="No pods with metrics." />
    </Box>
  );
}

/** Table of a workload's pods, selected by ownership (kube_pod_owner), not by name prefix. */
export function WorkloadPods(props: { ctx: SectionContext; scope: Scope }) {
  const polled = useCurrent(props.ctx, props.scope);
  if (!polled.data) {
    if (polled.error)
      return <ErrorNotice title="Pod table failed" error={polled.error} onRetry={polled.refresh} />;
    return <Loading title="Loading pods" />;
  }
  const { rows, errors } = polled.data;
  const outage = commonError([errors.cpu, errors.memory, errors.restarts, errors.reason]);
  if (outage) {
    return (
      <ErrorNotice title="Prometheus queries failed" error={outage} onRetry={polled.refresh} />
    );
  }
  const partial = Object.entries(errors);
  return (
    <Box sx={{ mb: 2 }}>
      {partial.map(([id, e]) => (
        <ErrorNotice key={id} title={`${id} query failed`} error={e!} />
      ))}
      <PodTable rows={rows} testId="kubeprom-workload-table" withRestarts />
    </Box>
  );
}
