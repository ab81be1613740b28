/*
 * kubeprom for Headlamp: Kubernetes metrics from Prometheus with PromQL built by kubeprom.
 */
import {
  DetailsViewSectionProps,
  registerDetailsViewSection,
  registerPluginSettings,
} from '@kinvolk/headlamp-plugin/lib';
import { NamespaceTopPods, PodMetrics, WorkloadMetrics } from './components/sections';
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
      return <NamespaceTopPods resource={resource} />;
    default:
      return null;
  }
});

registerPluginSettings(PLUGIN_NAME, Settings, true);
