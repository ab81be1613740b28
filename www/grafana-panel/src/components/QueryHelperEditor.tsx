import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, StandardEditorProps } from '@grafana/data';
import {
  Alert,
  ClipboardButton,
  Combobox,
  type ComboboxOption,
  Field,
  Input,
  LoadingPlaceholder,
  RadioButtonGroup,
  TextArea,
  useStyles2,
} from '@grafana/ui';
import type { CustomMetric, WorkloadKind } from 'kubeprom';
import {
  customMetricInfo,
  type HelperMetric,
  helperCustomMetric,
  helperMetrics,
  helperToSpec,
  TEXT_FILTERS,
} from '../logic/queryHelper';
import { errorText } from '../logic/podView';
import type { Kubeprom } from '../kubeprom/types';
import type { HelperCustomMetric, PodResourcesOptions, QueryHelperValue } from '../types';
import { RightSizingTargets } from './RightSizingTargets';
import { useKubeprom } from './useKubeprom';

type Props = StandardEditorProps<QueryHelperValue | undefined>;

const WORKLOAD_KINDS: WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

const SOURCES = [
  { label: 'Catalog', value: 'catalog' as const, description: "kubeprom's metrics" },
  { label: 'Your own', value: 'custom' as const, description: 'A per-pod metric of your application' },
];

const CUSTOM_KINDS: Array<{ label: string; value: CustomMetric['kind']; description: string }> = [
  { label: 'Gauge', value: 'gauge', description: 'The value as it is' },
  { label: 'Rate', value: 'rate', description: "A counter's per-second rate over the window" },
  { label: 'Increase', value: 'increase', description: "A counter's increase over the window" },
];

const CUSTOM_SCOPES: Array<{ label: string; value: NonNullable<CustomMetric['scope']>; description: string }> = [
  { label: 'Pod', value: 'pod', description: 'Every series of the pod counts' },
  {
    label: 'Container',
    value: 'container',
    description: 'Series of real containers only (container!="", not POD); the container filter applies',
  },
];

const CUSTOM_UNITS: Array<CustomMetric['unit']> = ['count', 'bytes', 'bytes/s', 'cores', 'seconds', 'ratio', 'ops/s'];

const VARIABLE_MODES = [
  {
    label: 'Regex',
    value: 'regex' as const,
    description: '$var becomes label=~"$var": single- and multi-value variables',
  },
  { label: 'Exact', value: 'exact' as const, description: '$var becomes label="$var": single-value variables' },
  { label: 'Off', value: 'off' as const, description: '$var is matched literally' },
];

/**
 * Panel editor option: pick a catalog metric (or describe one of your own) and filters, get the
 * kubeprom query to paste into the query editor. Dashboard variables such as `$namespace` stay
 * variables (see "Variables"). In right-sizing mode: the panel's queries for its workload.
 */
export function QueryHelperEditor(props: Props) {
  const { kp, error } = useKubeprom();
  if (error) {
    return (
      <Alert severity="error" title="The kubeprom core did not load">
        {error.message}
      </Alert>
    );
  }
  if (!kp) {
    return <LoadingPlaceholder text="Loading kubeprom…" />;
  }
  // Right-sizing's queries are the plan of the panel's own options, not a metric of the catalog.
  const options = props.context.options as Partial<PodResourcesOptions> | undefined;
  if (options?.mode === 'rightsizing') {
    return <RightSizingTargets kp={kp} options={options.rightSizing} />;
  }
  return <QueryHelperForm kp={kp} {...props} />;
}

function QueryHelperForm({ kp, value: saved, onChange, context }: Props & { kp: Kubeprom }) {
  const styles = useStyles2(getStyles);
  const value: QueryHelperValue = useMemo(() => saved ?? {}, [saved]);
  const metrics = useMemo(() => kp.listMetrics(), [kp]);
  const profiles = useMemo(() => kp.listProfiles(), [kp]);
  const mode = (context.options as { mode?: string } | undefined)?.mode;
  const metricOptions: Array<ComboboxOption<string>> = useMemo(
    () =>
      helperMetrics(metrics, mode).map((m) => ({
        value: m.id,
        label: m.title,
        description: `${m.id} · ${m.unit} · ${m.source}`,
        group: m.source,
      })),
    [metrics, mode]
  );
  const custom = value.source === 'custom';
  const catalogMetric = metrics.find((m) => m.id === value.metric);
  const metric: (HelperMetric & { description?: string }) | undefined = custom
    ? customMetricInfo(value.custom)
    : catalogMetric;
  const set = (patch: Partial<QueryHelperValue>) => onChange({ ...value, ...patch });
  const setCustom = (patch: Partial<HelperCustomMetric>) => set({ custom: { ...value.custom, ...patch } });
  const own = useMemo(() => (custom ? helperCustomMetric(value.custom, kp) : {}), [custom, value.custom, kp]);

  const built = useMemo(() => {
    const spec = helperToSpec(value, metric, own.metric);
    if (!spec) {
      return undefined;
    }
    try {
      return { query: kp.buildQuery(spec) };
    } catch (e) {
      return { error: errorText(e) };
    }
  }, [kp, value, metric, own.metric]);

  const accepts = (f: string) => metric?.filters.includes(f) ?? false;
  const usesWindow = metric && (metric.kind === 'rate' || metric.kind === 'increase' || metric.kind === 'quantile');
  const usesQuantile = metric && (metric.kind === 'quantile' || metric.filters.includes('quantile'));

  return (
    <div className={styles.form} data-testid="kubeprom-query-helper">
      <Field label="Source">
        <RadioButtonGroup
          size="sm"
          options={SOURCES}
          value={value.source ?? 'catalog'}
          onChange={(v) => set({ source: v })}
        />
      </Field>
      {!custom && (
        <Field label="Metric" description={catalogMetric?.description}>
          <Combobox
            options={metricOptions}
            value={value.metric ?? null}
            placeholder="Pick a metric"
            onChange={(o: ComboboxOption<string>) => set({ metric: o.value })}
          />
        </Field>
      )}
      {custom && (
        <>
          <Field label="Series" description="The metric name your application exports">
            <Input
              value={value.custom?.series ?? ''}
              placeholder="orders_queue_depth"
              onChange={(e) => setCustom({ series: e.currentTarget.value || undefined })}
            />
          </Field>
          <Field label="Kind">
            <RadioButtonGroup
              size="sm"
              options={CUSTOM_KINDS}
              value={value.custom?.kind}
              onChange={(v) => setCustom({ kind: v })}
            />
          </Field>
          <Field label="Scope">
            <RadioButtonGroup
              size="sm"
              options={CUSTOM_SCOPES}
              value={value.custom?.scope ?? 'pod'}
              onChange={(v) => setCustom({ scope: v })}
            />
          </Field>
          <Field label="Unit">
            <Combobox
              options={CUSTOM_UNITS.map((u) => ({ value: u, label: u }))}
              value={value.custom?.unit ?? null}
              placeholder="Pick a unit"
              onChange={(o: ComboboxOption<string>) => setCustom({ unit: o.value as CustomMetric['unit'] })}
            />
          </Field>
          <Field
            label="Matchers"
            description="One label=value per line, matched exactly: labels every series of the metric has"
            invalid={own.problem !== undefined}
            error={own.problem}
          >
            <TextArea
              rows={2}
              value={value.custom?.matchers ?? ''}
              placeholder="job=shop/web"
              onChange={(e) => setCustom({ matchers: e.currentTarget.value || undefined })}
            />
          </Field>
        </>
      )}
      {metric &&
        TEXT_FILTERS.filter(accepts).map((f) => (
          <Field key={f} label={f[0].toUpperCase() + f.slice(1)}>
            <Input
              value={value[f] ?? ''}
              placeholder={f === 'namespace' ? '$namespace' : ''}
              onChange={(e) => set({ [f]: e.currentTarget.value || undefined })}
            />
          </Field>
        ))}
      {metric && accepts('workload') && (
        <Field
          label="Workload"
          description="Pods owned by this workload (ReplicaSets of a Deployment, Jobs of a CronJob)"
        >
          <div className={styles.row}>
            <Combobox
              width={18}
              isClearable
              options={WORKLOAD_KINDS.map((k) => ({ value: k, label: k }))}
              value={value.workloadKind ?? null}
              placeholder="Kind"
              onChange={(o: ComboboxOption<string> | null) =>
                set({ workloadKind: (o?.value as WorkloadKind) ?? undefined })
              }
            />
            <Input
              value={value.workloadName ?? ''}
              placeholder="name"
              onChange={(e) => set({ workloadName: e.currentTarget.value || undefined })}
            />
          </div>
        </Field>
      )}
      {usesWindow && (
        <Field label="Window" description="Range of rate() / increase(), e.g. 5m or $__rate_interval">
          <Input
            value={value.window ?? ''}
            placeholder="5m"
            onChange={(e) => set({ window: e.currentTarget.value || undefined })}
          />
        </Field>
      )}
      {usesQuantile && (
        <Field label="Quantile" description="0 to 1">
          <Input
            type="number"
            min={0}
            max={1}
            step={0.01}
            value={value.quantile ?? ''}
            placeholder="0.95"
            onChange={(e) => {
              const v = e.currentTarget.value;
              set({ quantile: v === '' ? undefined : Number(v) });
            }}
          />
        </Field>
      )}
      {metric && profiles.length > 1 && (
        <Field label="Label conventions" description="How the cluster's scrape setup labels series">
          <Combobox
            isClearable
            options={profiles.map((p) => ({ value: p, label: p }))}
            value={value.profile ?? null}
            placeholder="kube-prometheus-stack"
            onChange={(o: ComboboxOption<string> | null) => set({ profile: o?.value ?? undefined })}
          />
        </Field>
      )}
      {metric && (
        <Field label="Variables" description="How a filter written as $var, ${var} or [[var]] is matched">
          <RadioButtonGroup
            size="sm"
            options={VARIABLE_MODES}
            value={value.variables ?? 'regex'}
            onChange={(v) => set({ variables: v })}
          />
        </Field>
      )}
      {built?.error && (
        <Alert severity="error" title="Cannot build the query">
          {built.error}
        </Alert>
      )}
      {built?.query && (
        <Field label="Query" description="Paste into the query editor of this panel">
          <div>
            <TextArea
              className={styles.query}
              readOnly
              rows={4}
              value={built.query}
              data-testid="kubeprom-query-helper-output"
            />
            <ClipboardButton size="sm" icon="copy" variant="secondary" getText={() => built.query ?? ''}>
              Copy query
            </ClipboardButton>
          </div>
        </Field>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexDirection: 'column' }),
  row: css({ display: 'flex', gap: theme.spacing(1) }),
  query: css({ fontFamily: theme.typography.fontFamilyMonospace, marginBottom: theme.spacing(1) }),
});
