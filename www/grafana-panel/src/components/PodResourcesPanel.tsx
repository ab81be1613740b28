import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, LoadingState, type PanelProps } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { framesToResults, type RefResult } from '../logic/frames';
import { buildKueueView } from '../logic/kueueView';
import { buildPodView } from '../logic/podView';
import { buildRightSizingView } from '../logic/rightSizing';
import { classifyQueries } from '../logic/roles';
import type { Kubeprom } from '../kubeprom/types';
import { defaultOptions, type PodResourcesOptions } from '../types';
import { KueueTable } from './KueueTable';
import { Notices } from './Notices';
import { PodTable } from './PodTable';
import { RightSizingTable } from './RightSizingTable';
import { useKubeprom } from './useKubeprom';

type Props = PanelProps<PodResourcesOptions>;

/** The "Pod resources" panel: loads the kubeprom core, then renders the view the logic modules build. */
export function PodResourcesPanel(props: Props) {
  const { kp, error } = useKubeprom();
  const styles = useStyles2(getStyles);
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
  return (
    <div className={styles.wrapper} style={{ width: props.width, height: props.height }} data-testid="kubeprom-panel">
      <PanelBody kp={kp} {...props} />
    </div>
  );
}

function PanelBody(props: Props & { kp: Kubeprom }) {
  // Dashboards saved by an older version may lack newer options.
  const options = useMemo(() => ({ ...defaultOptions, ...props.options }), [props.options]);
  const refs = useMemo(() => framesToResults(props.data.series), [props.data.series]);
  return options.mode === 'rightsizing' ? (
    <RightSizingBody {...props} options={options} refs={refs} />
  ) : (
    <QueriesBody {...props} options={options} refs={refs} />
  );
}

type BodyProps = Props & { kp: Kubeprom; refs: RefResult[] };

/** Pods and Kueue modes: each query's role is guessed from its text, then aggregated by the core. */
function QueriesBody({ kp, data, options, fieldConfig, width, refs }: BodyProps) {
  const styles = useStyles2(getStyles);
  const queries = useMemo(
    () => classifyQueries(data.request?.targets, refs, options),
    [data.request?.targets, refs, options]
  );
  const view = useMemo(
    () =>
      options.mode === 'kueue'
        ? { mode: 'kueue' as const, view: buildKueueView(kp, queries, options) }
        : { mode: 'pods' as const, view: buildPodView(kp, queries, options, fieldConfig.defaults.thresholds) },
    [kp, queries, options, fieldConfig.defaults.thresholds]
  );
  const empty = view.view.rows.length === 0;
  return (
    <>
      <Notices notices={view.view.notices} lint={view.view.lint} />
      {empty ? (
        <div className={styles.noData}>No data</div>
      ) : view.mode === 'kueue' ? (
        <KueueTable view={view.view} options={options} width={width} />
      ) : (
        <PodTable view={view.view} options={options} width={width} />
      )}
    </>
  );
}

/** Right-sizing mode: each query's refId names the need it answers (the plan the options give). */
function RightSizingBody({ kp, data, options, refs, replaceVariables }: BodyProps) {
  const errors = useMemo(() => data.errors ?? [], [data.errors]);
  const view = useMemo(
    () =>
      buildRightSizingView(kp, { targets: data.request?.targets, refs, errors }, options.rightSizing, (value) =>
        replaceVariables(value)
      ),
    [kp, data.request?.targets, refs, errors, options.rightSizing, replaceVariables]
  );
  // While the first answers are on their way, no frames would read as a workload without containers.
  if (data.state === LoadingState.Loading && data.series.length === 0) {
    return <LoadingPlaceholder text="Reading the usage history…" />;
  }
  return (
    <>
      <Notices notices={view.notices} lint={[]} />
      <RightSizingTable view={view} />
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden', gap: theme.spacing(0.5) }),
  noData: css({ color: theme.colors.text.secondary, padding: theme.spacing(1) }),
});
