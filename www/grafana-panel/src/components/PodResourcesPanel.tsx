import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { framesToResults } from '../logic/frames';
import { buildKueueView } from '../logic/kueueView';
import { buildPodView } from '../logic/podView';
import { classifyQueries } from '../logic/roles';
import type { Kubeprom } from '../kubeprom/types';
import { defaultOptions, type PodResourcesOptions } from '../types';
import { KueueTable } from './KueueTable';
import { Notices } from './Notices';
import { PodTable } from './PodTable';
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

function PanelBody({ kp, data, options: partial, fieldConfig, width }: Props & { kp: Kubeprom }) {
  const styles = useStyles2(getStyles);
  // Dashboards saved by an older version may lack newer options.
  const options = useMemo(() => ({ ...defaultOptions, ...partial }), [partial]);
  const queries = useMemo(
    () => classifyQueries(data.request?.targets, framesToResults(data.series), options),
    [data.request?.targets, data.series, options]
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

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden', gap: theme.spacing(0.5) }),
  noData: css({ color: theme.colors.text.secondary, padding: theme.spacing(1) }),
});
