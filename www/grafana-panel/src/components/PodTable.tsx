import React, { useMemo, useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, useStyles2, useTheme2 } from '@grafana/ui';
import { type PodView, sortRows } from '../logic/podView';
import type { PodResourcesOptions, SortOption } from '../types';
import { Bar } from './Bar';
import { SeriesSparkline } from './SeriesSparkline';

interface Props {
  view: PodView;
  options: PodResourcesOptions;
  width: number;
}

const STAT_LABEL: Record<PodResourcesOptions['stat'], string> = { last: 'last', avg: 'avg', max: 'max', p95: 'p95' };

/** The per-pod table. Header clicks re-sort the shown rows; the panel option sets the initial order. */
export function PodTable({ view, options, width }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  // A header click overrides the order until the panel option changes.
  const [clicked, setClicked] = useState<{ base: SortOption; sort: SortOption } | undefined>();
  const sort = clicked && clicked.base === options.sort ? clicked.sort : options.sort;
  const setSort = (s: SortOption) => setClicked({ base: options.sort, sort: s });
  const rows = useMemo(() => sortRows(view.rows, sort), [view.rows, sort]);
  const hasRequests = rows.some((r) => r.request !== undefined);
  const hasLimits = rows.some((r) => r.limit !== undefined);
  const showBar = options.visual === 'bar' || options.visual === 'both';
  const showSpark = options.visual === 'sparkline' || options.visual === 'both';
  const sparkWidth = Math.max(60, Math.min(160, Math.floor(width * 0.18)));

  const header = (label: string, key: SortOption | undefined, alt?: SortOption) => {
    if (!key) {
      return <th className={styles.th}>{label}</th>;
    }
    const active = sort === key || sort === alt;
    const next = sort === key && alt ? alt : key;
    return (
      <th
        className={styles.th}
        aria-sort={active ? (sort === 'value-asc' || sort === 'name' ? 'ascending' : 'descending') : 'none'}
      >
        <button className={styles.sortButton} onClick={() => setSort(next)} data-testid={`kubeprom-sort-${key}`}>
          {label}
          {active && <Icon name={sort === 'value-asc' || sort === 'name' ? 'arrow-up' : 'arrow-down'} size="sm" />}
        </button>
      </th>
    );
  };

  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="kubeprom-pod-table">
        <thead>
          <tr>
            {header('Pod', 'name')}
            {header(`Value (${STAT_LABEL[options.stat]})`, 'value-desc', 'value-asc')}
            {(showBar || showSpark) && <th className={styles.th} />}
            {hasRequests && <th className={styles.th}>Request</th>}
            {hasLimits && header('Limit', undefined)}
            {hasLimits && header('% of limit', 'limit-desc')}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <React.Fragment key={r.key}>
              <tr className={styles.tr} data-testid="kubeprom-pod-row" data-namespace={r.namespace} data-pod={r.pod}>
                <td className={styles.td}>
                  <div className={styles.pod}>{r.pod}</div>
                  <div className={styles.namespace}>{r.namespace}</div>
                </td>
                <td
                  className={cx(styles.td, styles.num)}
                  style={{ color: r.color === 'text' ? undefined : theme.visualization.getColorByName(r.color) }}
                  data-testid="kubeprom-pod-value"
                  data-value={r.value}
                  data-unit={view.unit ?? ''}
                >
                  {r.text}
                </td>
                {(showBar || showSpark) && (
                  <td className={cx(styles.td, styles.visual)}>
                    <div className={styles.visualInner}>
                      {showBar && (
                        <div className={styles.barCell}>
                          <Bar
                            value={r.value}
                            scaleMax={view.scaleMax}
                            color={r.color === 'text' ? 'blue' : r.color}
                            request={r.request}
                            limit={r.limit}
                            requestText={r.requestText}
                            limitText={r.limitText}
                          />
                        </div>
                      )}
                      {showSpark && r.series && r.series.values.length > 1 && (
                        <SeriesSparkline
                          series={r.series}
                          color={r.color === 'text' ? 'blue' : r.color}
                          width={sparkWidth}
                          height={24}
                        />
                      )}
                    </div>
                  </td>
                )}
                {hasRequests && (
                  <td className={cx(styles.td, styles.num)} data-testid="kubeprom-pod-request">
                    {r.requestText}
                  </td>
                )}
                {hasLimits && (
                  <td className={cx(styles.td, styles.num)} data-testid="kubeprom-pod-limit">
                    {r.limitText}
                  </td>
                )}
                {hasLimits && (
                  <td className={cx(styles.td, styles.num)} data-testid="kubeprom-pod-percent-of-limit">
                    {r.percentOfLimitText}
                  </td>
                )}
              </tr>
              {options.showContainers &&
                r.containers.map((c) => (
                  <tr
                    key={`${r.key}/${c.container}`}
                    className={styles.containerRow}
                    data-testid="kubeprom-container-row"
                  >
                    <td className={cx(styles.td, styles.container)}>{c.container}</td>
                    <td className={cx(styles.td, styles.num)}>{c.text}</td>
                    {(showBar || showSpark) && <td className={styles.td} />}
                    {hasRequests && <td className={styles.td} />}
                    {hasLimits && <td className={styles.td} />}
                    {hasLimits && <td className={styles.td} />}
                  </tr>
                ))}
            </React.Fragment>
          ))}
        </tbody>
      </table>
      {view.totalPods > rows.length && (
        <div className={styles.more}>
          Top {rows.length} of {view.totalPods} pods
        </div>
      )}
    </div>
  );
}

export const getStyles = (theme: GrafanaTheme2) => ({
  scroll: css({ flex: '1 1 auto', overflow: 'auto', minHeight: 0 }),
  table: css({ width: '100%', borderCollapse: 'collapse', fontSize: theme.typography.bodySmall.fontSize }),
  th: css({
    position: 'sticky',
    top: 0,
    background: theme.colors.background.primary,
    textAlign: 'left',
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.secondary,
    padding: theme.spacing(0.5, 1),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    whiteSpace: 'nowrap',
  }),
  sortButton: css({
    all: 'unset',
    cursor: 'pointer',
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    '&:hover': { color: theme.colors.text.primary },
  }),
  tr: css({ borderBottom: `1px solid ${theme.colors.border.weak}` }),
  td: css({ padding: theme.spacing(0.5, 1), verticalAlign: 'middle' }),
  num: css({ textAlign: 'right', whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }),
  pod: css({ fontWeight: theme.typography.fontWeightMedium, wordBreak: 'break-all' }),
  // Queue names are short words: a wide column beside them must not break them mid-name.
  queue: css({ fontWeight: theme.typography.fontWeightMedium, whiteSpace: 'nowrap' }),
  cause: css({ whiteSpace: 'nowrap' }),
  namespace: css({ color: theme.colors.text.secondary }),
  visual: css({ width: '45%' }),
  visualInner: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  barCell: css({ flex: '1 1 auto' }),
  containerRow: css({ color: theme.colors.text.secondary }),
  container: css({ paddingLeft: theme.spacing(3) }),
  more: css({ color: theme.colors.text.secondary, padding: theme.spacing(0.5, 1) }),
});
