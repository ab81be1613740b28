import { getHeadlampAPIHeaders, Utils } from '@kinvolk/headlamp-plugin/lib';
import { Tooltip, Typography } from '@mui/material';
import { useEffect, useReducer } from 'react';
import { configStore, detectDeps, kubeGet } from '../hooks';
import { currentBackend } from '../lib/backend';
import { makeClient } from '../lib/endpoint';
import { kubepromLoaded, kubepromReady } from '../lib/kubeprom';
import { loadCurrent } from '../lib/load';
import { loadMetricsServer } from '../lib/metricsServer';
import { planUsage } from '../lib/plan';
import { effectiveSettings, endpointCache, planContext } from '../lib/settings';
import type { Usage, UsageMetric } from '../lib/usage';
import { crossCheckUsage, UsageStore, usageWithFallback } from '../lib/usage';
import { formatValue, podKey } from '../lib/viewmodel';

async function loadUsage(cluster: string, namespace: string): Promise<Map<string, Usage>> {
  // kubeprom reads metrics-server's quantities and writes every cell's text, so both sources
  // wait for it; a module that fails to load is the error the cells show.
  await kubepromReady();
  const values = await usageWithFallback(
    () => loadPrometheusUsage(cluster, namespace),
    () => loadMetricsServer(kubeGet(cluster), namespace)
  );
  // Prometheus answered: check it against metrics-server where that answers too.
  if (![...values.values()].some(v => v.note)) {
    try {
      crossCheckUsage(values, await loadMetricsServer(kubeGet(cluster), namespace));
    } catch {
      // No metrics-server: nothing to compare with.
    }
  }
  return values;
}

async function loadPrometheusUsage(
  cluster: string,
  namespace: string
): Promise<Map<string, Usage>> {
  const own = effectiveSettings(configStore.get(), cluster);
  const resolved = await endpointCache.get(cluster, own, () => detectDeps(cluster));
  const settings = effectiveSettings(configStore.get(), cluster, resolved.defaults);
  const client = makeClient(resolved.endpoint, cluster, currentBackend(getHeadlampAPIHeaders));
  const current = await loadCurrent(
    client,
    planUsage(planContext(settings), namespace),
    undefined,
    undefined,
    resolved.endpoint
  );
  const failed = current.errors.cpu ?? current.errors.memory;
  if (failed && current.rows.length === 0) throw Object.assign(new Error(failed.message), failed);
  return new Map(current.rows.map(r => [podKey(r), { cpu: r.cpu, memory: r.memory }]));
}

export const usageStore = new UsageStore(loadUsage);

interface PodLike {
  cluster?: string;
  metadata?: { name?: string; namespace?: string };
  jsonData?: { metadata?: { name?: string; namespace?: string } };
}

function identity(pod: PodLike) {
  const meta = pod.jsonData?.metadata ?? pod.metadata ?? {};
  return {
    cluster: pod.cluster || Utils.getCluster() || '',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
  };
}

function UsageCell(props: { pod: PodLike; what: UsageMetric }) {
  const { cluster, namespace, name } = identity(props.pod);
  const [, rerender] = useReducer((x: number) => x + 1, 0);
  useEffect(() => usageStore.subscribe(rerender), []);
  useEffect(() => {
    if (namespace) usageStore.ensure(cluster, namespace);
  }, [cluster, namespace]);
  const value = usageStore.value(cluster, namespace, name, props.what);
  const note = usageStore.note(cluster, namespace, name);
  const entry = usageStore.entry(cluster, namespace);
  const disagreement = entry?.values?.get(podKey({ namespace, pod: name }))?.disagreement;
  // A cell may render before kubeprom has loaded; its values are loaded after the module, and
  // the store re-renders the cell when they arrive.
  const text = kubepromLoaded()
    ? formatValue(value, props.what === 'cpu' ? 'millicores' : 'MiB')
    : '';
  if (entry?.error && value === null) {
    const hint = entry.error.hint ? ` — ${entry.error.hint}` : '';
    return (
      <Tooltip title={`${entry.error.summary}${hint}`}>
        <span data-testid={`kubeprom-col-${props.what}`} data-pod={name} data-error="true">
          ?
        </span>
      </Tooltip>
    );
  }
  const cell = (
    <span
      data-testid={`kubeprom-col-${props.what}`}
      data-pod={name}
      data-value={value ?? ''}
      data-source={note ? 'metrics-server' : 'prometheus'}
    >
      {text}
      {note && (
        <Typography
          component="span"
          variant="caption"
          color="text.secondary"
          display="block"
          data-testid="kubeprom-col-note"
        >
          metrics-server
        </Typography>
      )}
      {disagreement && (
        <Tooltip title={disagreement.join(' ')}>
          <Typography
            component="span"
            variant="caption"
            color="warning.main"
            display="block"
            data-testid="kubeprom-col-crosscheck"
          >
            ≠ kubectl top
          </Typography>
        </Tooltip>
      )}
    </span>
  );
  // The whole note ("from metrics-server (Prometheus unreachable: …)") on hover.
  return note ? <Tooltip title={note}>{cell}</Tooltip> : cell;
}

/** CPU and memory columns for Headlamp's pod table ('headlamp-pods'), sortable as numbers. */
export function podUsageColumns() {
  const column = (what: UsageMetric, label: string) => ({
    id: `kubeprom-${what}`,
    label,
    gridTemplate: 'min-content',
    getValue: (pod: PodLike) => {
      const { cluster, namespace, name } = identity(pod);
      return usageStore.value(cluster, namespace, name, what);
    },
    render: (pod: PodLike) => <UsageCell pod={pod} what={what} />,
  });
  return [column('cpu', 'CPU (Prometheus)'), column('memory', 'Memory (Prometheus)')];
}
