import { Utils } from '@kinvolk/headlamp-plugin/lib';
import { Box, Grid, Typography } from '@mui/material';
import { useCallback } from 'react';
import { usePolling } from '../hooks';
import { formatEndpoint } from '../lib/endpoint';
import type { ErrorDescription } from '../lib/errors';
import type { CurrentResult } from '../lib/load';
import { commonError, loadCurrent } from '../lib/load';
import { unreachableOutage } from '../lib/metricsServer';
import { operatorForWorkload } from '../lib/operators';
import type { Scope } from '../lib/plan';
import { planUsage, scopeOf } from '../lib/plan';
import { planContext } from '../lib/settings';
import { topPods } from '../lib/viewmodel';
import { KueueQueues, OperatorHealthCards } from './batch';
import { ChartsBlock, PodCards, PodTable, WorkloadPods } from './blocks';
import { FallbackFailed, FallbackNote, FallbackPodCards, useMetricsServer } from './fallback';
import type { SectionContext } from './MetricsSection';
import { MetricsSection } from './MetricsSection';
import { NamespaceRightSizing } from './NamespaceRightSizing';
import { QueryList } from './QueryList';
import { RightSizing } from './RightSizing';
import { ErrorNotice, Loading } from './states';

/** What the details view gives a section: a KubeObject (only these fields are read). */
export interface ResourceLike {
  kind?: string;
  cluster?: string;
  jsonData?: { kind?: string; metadata?: { name?: string; namespace?: string } };
  metadata?: { name?: string; namespace?: string };
}

export function resourceScope(resource: ResourceLike): Scope | null {
  const kind = resource.kind ?? resource.jsonData?.kind;
  const metadata = resource.jsonData?.metadata ?? resource.metadata;
  return scopeOf({ kind, metadata });
}

export function resourceCluster(resource: ResourceLike): string {
  return resource.cluster || Utils.getCluster() || '';
}

export function PodMetrics(props: { resource: ResourceLike }) {
  const scope = resourceScope(props.resource);
  if (!scope?.pod) return null;
  return (
    <MetricsSection
      cluster={resourceCluster(props.resource)}
      title="Metrics (Prometheus)"
      fallback={(reason, settings) => (
        <FallbackPodCards
          cluster={resourceCluster(props.resource)}
          namespace={scope.namespace!}
          pod={scope.pod!}
          reason={reason}
          refreshSeconds={settings.refreshSeconds}
        />
      )}
    >
      {ctx => (
        <>
          <PodCards ctx={ctx} scope={scope} />
          <ChartsBlock ctx={ctx} scope={scope} multiPod={false} />
        </>
      )}
    </MetricsSection>
  );
}

export function WorkloadMetrics(props: { resource: ResourceLike }) {
  const scope = resourceScope(props.resource);
  if (!scope?.workload) return null;
  const operator = operatorForWorkload(scope.namespace ?? '', scope.workload.name);
  return (
    <MetricsSection cluster={resourceCluster(props.resource)} title="Pod metrics (Prometheus)">
      {ctx => (
        <>
          {operator && (
            <Box mb={2}>
              <OperatorHealthCards ctx={ctx} defs={[operator]} />
            </Box>
          )}
          <WorkloadPods ctx={ctx} scope={scope} />
          <ChartsBlock ctx={ctx} scope={scope} multiPod />
          <Box mt={2}>
            <Typography variant="subtitle2">Right-sizing</Typography>
            <RightSizing ctx={ctx} scope={scope} />
          </Box>
        </>
      )}
    </MetricsSection>
  );
}

export function TopPods(props: { ctx: SectionContext; namespace?: string }) {
  const { ctx, namespace } = props;
  const key = JSON.stringify([formatEndpoint(ctx.resolved.endpoint), ctx.settings, namespace]);
  const load = useCallback(
    (signal: AbortSignal) =>
      loadCurrent(
        ctx.client,
        planUsage(planContext(ctx.settings), namespace),
        undefined,
        signal,
        ctx.resolved.endpoint
      ),
    [key]
  );
  const polled = usePolling<CurrentResult>(load, key, ctx.settings.refreshSeconds);
  if (!polled.data) {
    if (polled.error)
      return <ErrorNotice title="Top pods failed" error={polled.error} onRetry={polled.refresh} />;
    return <Loading title="Loading top pods" />;
  }
  const { rows, errors, queries } = polled.data;
  const unreachable = unreachableOutage([errors.cpu, errors.memory]);
  if (unreachable && namespace) {
    return (
      <FallbackTopPods
        cluster={ctx.cluster}
        namespace={namespace}
        reason={unreachable}
        refreshSeconds={ctx.settings.refreshSeconds}
      />
    );
  }
  const outage = commonError([errors.cpu, errors.memory]);
  if (outage)
    return (
      <ErrorNotice title="Prometheus queries failed" error={outage} onRetry={polled.refresh} />
    );
  return (
    <Box>
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2">By CPU</Typography>
          {errors.cpu ? (
            <ErrorNotice title="CPU query failed" error={errors.cpu} />
          ) : (
            <PodTable rows={topPods(rows, 'cpu')} testId="kubeprom-top-cpu" />
          )}
        </Grid>
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2">By memory</Typography>
          {errors.memory ? (
            <ErrorNotice title="Memory query failed" error={errors.memory} />
          ) : (
            <PodTable rows={topPods(rows, 'memory')} testId="kubeprom-top-memory" />
          )}
        </Grid>
      </Grid>
      <QueryList queries={queries} />
    </Box>
  );
}

/** A namespace's busiest pods from metrics-server, when Prometheus cannot be reached. */
function FallbackTopPods(props: {
  cluster: string;
  namespace: string;
  reason: ErrorDescription;
  refreshSeconds: number;
}) {
  const polled = useMetricsServer(props.cluster, props.namespace, undefined, props.refreshSeconds);
  if (!polled.data) {
    if (polled.error)
      return <FallbackFailed reason={props.reason} error={polled.error} onRetry={polled.refresh} />;
    return <Loading title="Loading top pods from metrics-server" />;
  }
  const { rows, skipped } = polled.data;
  return (
    <Box>
      <FallbackNote
        what="Top pods"
        reason={props.reason}
        skipped={skipped.length ? skipped.map(s => `${s.pod}: ${s.message}`).join('; ') : undefined}
      />
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2">By CPU</Typography>
          <PodTable rows={topPods(rows, 'cpu')} testId="kubeprom-top-cpu" />
        </Grid>
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2">By memory</Typography>
          <PodTable rows={topPods(rows, 'memory')} testId="kubeprom-top-memory" />
        </Grid>
      </Grid>
    </Box>
  );
}

export function NamespaceTopPods(props: { resource: ResourceLike }) {
  const scope = resourceScope(props.resource);
  if (!scope?.namespace || scope.pod || scope.workload) return null;
  return (
    <MetricsSection
      cluster={resourceCluster(props.resource)}
      title="Top pods (Prometheus)"
      withRange={false}
      fallback={(reason, settings) => (
        <FallbackTopPods
          cluster={resourceCluster(props.resource)}
          namespace={scope.namespace!}
          reason={reason}
          refreshSeconds={settings.refreshSeconds}
        />
      )}
    >
      {ctx => <TopPods ctx={ctx} namespace={scope.namespace} />}
    </MetricsSection>
  );
}

/**
 * Right-sizing of a namespace's workloads, a section of its own beside the top pods: it needs
 * Prometheus' history, so where Prometheus cannot be reached it says so instead of falling back
 * to metrics-server as the top pods do.
 */
export function NamespaceRightSizingSection(props: { resource: ResourceLike }) {
  const scope = resourceScope(props.resource);
  if (!scope?.namespace || scope.pod || scope.workload) return null;
  return (
    <MetricsSection
      cluster={resourceCluster(props.resource)}
      title="Right-sizing (Prometheus)"
      withRange={false}
    >
      {ctx => <NamespaceRightSizing ctx={ctx} namespace={scope.namespace!} />}
    </MetricsSection>
  );
}

interface QueueResource extends ResourceLike {
  jsonData?: ResourceLike['jsonData'] & { spec?: { clusterQueue?: string } };
}

/** Kueue ClusterQueue and LocalQueue details. */
export function KueueQueueMetrics(props: { resource: QueueResource }) {
  const kind = props.resource.kind ?? props.resource.jsonData?.kind;
  const name = props.resource.jsonData?.metadata?.name ?? props.resource.metadata?.name;
  const clusterQueue = kind === 'ClusterQueue' ? name : props.resource.jsonData?.spec?.clusterQueue;
  if (!clusterQueue) return null;
  return (
    <MetricsSection
      cluster={resourceCluster(props.resource)}
      title="Queue metrics (Prometheus)"
      withRange={false}
    >
      {ctx => (
        <>
          {kind === 'LocalQueue' && (
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              Numbers of ClusterQueue {clusterQueue}, which this LocalQueue submits to.
            </Typography>
          )}
          <KueueQueues ctx={ctx} clusterQueue={clusterQueue} />
        </>
      )}
    </MetricsSection>
  );
}

/** The cluster page: operators, Kueue queues, busiest pods. */
export function OverviewPage() {
  const cluster = Utils.getCluster() || '';
  return (
    <>
      <MetricsSection
        cluster={cluster}
        title="Batch and ML operators (Prometheus)"
        withRange={false}
      >
        {ctx => <OperatorHealthCards ctx={ctx} />}
      </MetricsSection>
      <MetricsSection cluster={cluster} title="Kueue queues (Prometheus)" withRange={false}>
        {ctx => <KueueQueues ctx={ctx} />}
      </MetricsSection>
      <MetricsSection
        cluster={cluster}
        title="Top pods in the cluster (Prometheus)"
        withRange={false}
      >
        {ctx => <TopPods ctx={ctx} />}
      </MetricsSection>
    </>
  );
}
