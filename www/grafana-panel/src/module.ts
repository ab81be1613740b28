import { FieldConfigProperty, PanelPlugin, ThresholdsMode } from '@grafana/data';
import { PodResourcesPanel } from './components/PodResourcesPanel';
import { QueryHelperEditor } from './components/QueryHelperEditor';
import { loadKubeprom } from './kubeprom/load';
import { defaultOptions, type PodResourcesOptions } from './types';

const RIGHT_SIZING = (o: PodResourcesOptions) => o.mode === 'rightsizing';
// Pods and Kueue modes read the panel's queries by their text; right-sizing by their refIds.
const QUERY_MODE = (o: PodResourcesOptions) => !RIGHT_SIZING(o);
const POD_MODE = (o: PodResourcesOptions) => o.mode !== 'kueue' && QUERY_MODE(o);

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const;

export const plugin = new PanelPlugin<PodResourcesOptions>(PodResourcesPanel)
  .useFieldConfig({
    // Only thresholds: values, units and colours are the panel's own (per pod, after aggregation).
    disableStandardOptions: [
      FieldConfigProperty.Unit,
      FieldConfigProperty.Min,
      FieldConfigProperty.Max,
      FieldConfigProperty.Decimals,
      FieldConfigProperty.DisplayName,
      FieldConfigProperty.NoValue,
      FieldConfigProperty.Color,
      FieldConfigProperty.Links,
      FieldConfigProperty.Mappings,
      FieldConfigProperty.FieldMinMax,
      FieldConfigProperty.Actions,
    ],
    standardOptions: {
      [FieldConfigProperty.Thresholds]: {
        defaultValue: {
          // Percent of the pod's limit; pods without a limit keep the base colour.
          mode: ThresholdsMode.Percentage,
          steps: [
            { value: -Infinity, color: 'green' },
            { value: 80, color: 'orange' },
            { value: 95, color: 'red' },
          ],
        },
      },
    },
  })
  .setPanelOptions((builder) =>
    builder
      .addRadio({
        path: 'mode',
        name: 'Mode',
        defaultValue: defaultOptions.mode,
        settings: {
          options: [
            { value: 'pods', label: 'Pods', description: 'Usage per pod, with requests and limits' },
            {
              value: 'kueue',
              label: 'Kueue queues',
              description: 'Pending workloads per queue and status, admission wait',
            },
            {
              value: 'rightsizing',
              label: 'Right-sizing',
              description: "Recommended requests and limits of a workload's containers from their usage history",
            },
          ],
        },
      })
      .addTextInput({
        path: 'rightSizing.namespace',
        name: 'Namespace',
        description: 'A single-value dashboard variable such as $namespace works too',
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: { placeholder: '$namespace' },
      })
      .addSelect({
        path: 'rightSizing.workloadKind',
        name: 'Workload kind',
        defaultValue: defaultOptions.rightSizing.workloadKind,
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: { options: WORKLOAD_KINDS.map((k) => ({ value: k, label: k })) },
      })
      .addTextInput({
        path: 'rightSizing.workloadName',
        name: 'Workload name',
        description:
          "Its pods are found by ownership (a Deployment's ReplicaSets, a CronJob's Jobs), not by name prefix",
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: { placeholder: '$workload' },
      })
      .addTextInput({
        path: 'rightSizing.container',
        name: 'Container',
        description: 'Only this container; empty: every container of the workload',
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
      })
      .addTextInput({
        path: 'rightSizing.cluster',
        name: 'Cluster',
        description: 'For a Prometheus of several clusters (with the multi-cluster label conventions)',
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
      })
      .addTextInput({
        path: 'rightSizing.window',
        name: 'History',
        description: 'Usage history to learn from, a PromQL duration; it ends at the end of the time range',
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: { placeholder: '14d' },
      })
      .addNumberInput({
        path: 'rightSizing.cpuPercentile',
        name: 'CPU percentile',
        description: "CPU request = this quantile of the busiest replica's usage, in (0, 1]",
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: { placeholder: '0.95', min: 0, max: 1, step: 0.01 },
      })
      .addNumberInput({
        path: 'rightSizing.memoryBuffer',
        name: 'Memory buffer',
        description: 'Memory request and limit = the peak working set plus this share of it',
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: { placeholder: '0.15', min: 0, max: 10, step: 0.05 },
      })
      .addNumberInput({
        path: 'rightSizing.cpuLimitTimes',
        name: 'CPU limit (times the request)',
        description: 'Recommend a CPU limit of this many times the request; empty or 0: no CPU limit',
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: { placeholder: 'no CPU limit', min: 0, step: 0.5 },
      })
      .addTextInput({
        path: 'rightSizing.minHistory',
        name: 'Minimum history',
        description: 'A container with less usage history gets no recommendation, a PromQL duration',
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: { placeholder: '1d' },
      })
      .addSelect({
        path: 'rightSizing.profile',
        name: 'Label conventions',
        description: "How the cluster's scrape setup labels series",
        category: ['Right-sizing'],
        showIf: RIGHT_SIZING,
        settings: {
          isClearable: true,
          options: [],
          getOptions: () => loadKubeprom().then((kp) => kp.listProfiles().map((p) => ({ value: p, label: p }))),
        },
      })
      .addSelect({
        path: 'stat',
        name: 'Statistic over time',
        description: 'How each series is reduced over the time range',
        defaultValue: defaultOptions.stat,
        showIf: QUERY_MODE,
        settings: {
          options: [
            { value: 'last', label: 'Last' },
            { value: 'avg', label: 'Average' },
            { value: 'max', label: 'Max' },
            { value: 'p95', label: '95th percentile' },
          ],
        },
      })
      .addSelect({
        path: 'unit',
        name: 'Unit',
        description: 'Auto: MiB for memory queries, millicores for CPU queries',
        defaultValue: defaultOptions.unit,
        showIf: POD_MODE,
        settings: {
          options: [
            { value: 'auto', label: 'Auto' },
            { value: 'MiB', label: 'MiB' },
            { value: 'GiB', label: 'GiB' },
            { value: 'KiB', label: 'KiB' },
            { value: 'bytes', label: 'bytes' },
            { value: 'millicores', label: 'millicores' },
            { value: 'cores', label: 'cores' },
            { value: 'none', label: 'As returned' },
          ],
        },
      })
      .addNumberInput({
        path: 'topN',
        name: 'Top N',
        description: 'Show only the N pods (queues) with the highest value; 0 shows all',
        defaultValue: defaultOptions.topN,
        showIf: QUERY_MODE,
        settings: { min: 0, integer: true },
      })
      .addSelect({
        path: 'sort',
        name: 'Sort',
        defaultValue: defaultOptions.sort,
        showIf: QUERY_MODE,
        settings: {
          options: [
            { value: 'value-desc', label: 'Highest first' },
            { value: 'value-asc', label: 'Lowest first' },
            { value: 'name', label: 'Namespace and name' },
            { value: 'limit-desc', label: 'Closest to limit first' },
          ],
        },
      })
      .addRadio({
        path: 'visual',
        name: 'Show',
        defaultValue: defaultOptions.visual,
        showIf: QUERY_MODE,
        settings: {
          options: [
            { value: 'both', label: 'Bar + sparkline' },
            { value: 'bar', label: 'Bar' },
            { value: 'sparkline', label: 'Sparkline' },
            { value: 'none', label: 'Numbers only' },
          ],
        },
      })
      .addBooleanSwitch({
        path: 'showContainers',
        name: 'Per-container breakdown',
        defaultValue: defaultOptions.showContainers,
        showIf: POD_MODE,
      })
      .addTextInput({
        path: 'requestsRefId',
        name: 'Requests query',
        description:
          'refId of the query returning requests (markers on the bars); empty: recognised by kube_pod_container_resource_requests',
        defaultValue: defaultOptions.requestsRefId,
        category: ['Requests and limits'],
        showIf: POD_MODE,
      })
      .addTextInput({
        path: 'limitsRefId',
        name: 'Limits query',
        description: 'refId of the query returning limits; empty: recognised by kube_pod_container_resource_limits',
        defaultValue: defaultOptions.limitsRefId,
        category: ['Requests and limits'],
        showIf: POD_MODE,
      })
      .addBooleanSwitch({
        path: 'lint',
        name: 'Check queries',
        description: 'Lint the panel queries (double counting, rate on a gauge, ...) and show the fixes',
        defaultValue: defaultOptions.lint,
        showIf: QUERY_MODE,
        category: ['Query check'],
      })
      .addTextInput({
        path: 'scrapeInterval',
        name: 'Scrape interval',
        description: 'Of the scraped targets, e.g. 30s; enables the rate window check',
        defaultValue: defaultOptions.scrapeInterval,
        category: ['Query check'],
        showIf: (o) => o.lint && QUERY_MODE(o),
      })
      .addCustomEditor({
        id: 'queryHelper',
        path: 'queryHelper',
        name: 'Query helper',
        description:
          "Build a correct query from the kubeprom catalog, then paste it into the query editor; in right-sizing mode, the panel's queries",
        category: ['Query helper'],
        editor: QueryHelperEditor,
      })
  );
