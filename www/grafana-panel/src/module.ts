import { FieldConfigProperty, PanelPlugin, ThresholdsMode } from '@grafana/data';
import { PodResourcesPanel } from './components/PodResourcesPanel';
import { QueryHelperEditor } from './components/QueryHelperEditor';
import { defaultOptions, type PodResourcesOptions } from './types';

const POD_MODE = (o: PodResourcesOptions) => o.mode !== 'kueue';

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
          ],
        },
      })
      .addSelect({
        path: 'stat',
        name: 'Statistic over time',
        description: 'How each series is reduced over the time range',
        defaultValue: defaultOptions.stat,
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
        settings: { min: 0, integer: true },
      })
      .addSelect({
        path: 'sort',
        name: 'Sort',
        defaultValue: defaultOptions.sort,
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
        category: ['Query check'],
      })
      .addTextInput({
        path: 'scrapeInterval',
        name: 'Scrape interval',
        description: 'Of the scraped targets, e.g. 30s; enables the rate window check',
        defaultValue: defaultOptions.scrapeInterval,
        category: ['Query check'],
        showIf: (o) => o.lint,
      })
      .addCustomEditor({
        id: 'queryHelper',
        path: 'queryHelper',
        name: 'Query helper',
        description: 'Build a correct query from the kubeprom catalog, then paste it into the query editor',
        category: ['Query helper'],
        editor: QueryHelperEditor,
      })
  );
