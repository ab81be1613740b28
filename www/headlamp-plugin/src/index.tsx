/*
 * kubeprom for Headlamp: Kubernetes metrics from Prometheus with PromQL built by kubeprom.
 */
import {
  DetailsViewSectionProps,
  registerDetailsViewSection,
  registerPluginSettings,
  registerResourceTableColumnsProcessor,
  registerRoute,
  registerSidebarEntry,
} from '@kinvolk/headlamp-plugin/lib';
import { podUsageColumns } from './components/podColumns';
import {
  KueueQueueMetrics,
  NamespaceRightSizingSection,
  NamespaceTopPods,
  OverviewPage,
  PodMetrics,
  WorkloadMetrics,
} from './components/sections';
import { Settings } from './components/Settings';
import { PLUGIN_NAME } from './lib/settings';

registerDetailsViewSection(({ resource }: DetailsViewSectionProps) => {
  switch (resource?.kind) {
    case 'Pod':
      return <PodMetrics resource={resource} />;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
    case 'CronJob':
      return <WorkloadMetrics resource={resource} />;
    case 'Namespace':
      return (
        <>
          <NamespaceTopPods resource={resource} />
          <NamespaceRightSizingSection resource={resource} />
        </>
      );
    case 'ClusterQueue':
    case 'LocalQueue':
      return <KueueQueueMetrics resource={resource} />;
    default:
      return null;
  }
});

// Usage columns in Headlamp's pod list, from Prometheus (works without metrics-server).
registerResourceTableColumnsProcessor(function addUsageColumns({ id, columns }) {
  if (id !== 'headlamp-pods') return columns;
  return [...columns, ...(podUsageColumns() as typeof columns)];
});

registerSidebarEntry({
  parent: 'cluster',
  name: 'kubeprom',
  label: 'Workload metrics',
  url: '/kubeprom',
  icon: 'mdi:chart-line',
});

registerRoute({
  path: '/kubeprom',
  sidebar: 'kubeprom',
  name: 'kubeprom',
  exact: true,
  component: () => <OverviewPage />,
});

registerPluginSettings(PLUGIN_NAME, Settings, true);
