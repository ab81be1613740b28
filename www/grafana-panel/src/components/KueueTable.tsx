import React from 'react';
import { cx } from '@emotion/css';
import { useStyles2 } from '@grafana/ui';
import type { KueueView } from '../logic/kueueView';
import type { PodResourcesOptions } from '../types';
import { Bar } from './Bar';
import { getStyles } from './PodTable';
import { SeriesSparkline } from './SeriesSparkline';

interface Props {
  view: KueueView;
  options: PodResourcesOptions;
  width: number;
}

/**
 * Kueue mode: pending workloads per queue and status, the admission wait quantile, and what
 * unadmitted workloads wait for.
 */
export function KueueTable({ view, options, width }: Props) {
  const styles = useStyles2(getStyles);
  const showBar = options.visual === 'bar' || options.visual === 'both';
  const showSpark = options.visual === 'sparkline' || options.visual === 'both';
  const hasWait = view.rows.some((r) => r.wait !== undefined);
  const hasWaitingFor = view.rows.some((r) => r.waitingFor.length > 0);
  const sparkWidth = Math.max(60, Math.min(160, Math.floor(width * 0.18)));
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="kubeprom-kueue-table">
        <thead>
          <tr>
            <th className={styles.th}>Queue</th>
            {view.statuses.map((s) => (
              <th key={s} className={styles.th}>
                Pending ({s})
              </th>
            ))}
            <th className={styles.th}>Pending</th>
            {(showBar || showSpark) && <th className={styles.th} />}
            {hasWait && <th className={styles.th}>Admission wait</th>}
            {hasWaitingFor && <th className={styles.th}>Waiting for</th>}
          </tr>
        </thead>
        <tbody>
          {view.rows.map((r) => (
            <tr key={r.queue} className={styles.tr} data-testid="kubeprom-queue-row" data-queue={r.queue}>
              <td className={cx(styles.td, styles.queue)}>{r.queue}</td>
              {view.statuses.map((s) => {
                const cell = r.byStatus.find((b) => b.status === s);
                return (
                  <td
                    key={s}
                    className={cx(styles.td, styles.num)}
                    data-testid={`kubeprom-queue-${s}`}
                    data-value={cell?.value}
                  >
                    {cell?.text}
                  </td>
                );
              })}
              <td className={cx(styles.td, styles.num)} data-testid="kubeprom-queue-pending" data-value={r.pending}>
                {r.pendingText}
              </td>
              {(showBar || showSpark) && (
                <td className={cx(styles.td, styles.visual)}>
                  <div className={styles.visualInner}>
                    {showBar && (
                      <div className={styles.barCell}>
                        <Bar value={r.pending} scaleMax={view.scaleMax} color="blue" />
                      </div>
                    )}
                    {showSpark && r.series && r.series.values.length > 1 && (
                      <SeriesSparkline series={r.series} color="blue" width={sparkWidth} height={24} />
                    )}
                  </div>
                </td>
              )}
              {hasWait && (
                <td className={cx(styles.td, styles.num)} data-testid="kubeprom-queue-wait" data-value={r.wait}>
                  {r.waitText}
                </td>
              )}
              {hasWaitingFor && (
                <td className={styles.td} data-testid="kubeprom-queue-waiting-for">
                  {r.waitingFor.length === 0
                    ? '—'
                    : r.waitingFor.map((w) => (
                        <div key={w.cause} className={styles.cause}>
                          {w.cause} {w.text}
                        </div>
                      ))}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {view.totalQueues > view.rows.length && (
        <div className={styles.more}>
          Top {view.rows.length} of {view.totalQueues} queues
        </div>
      )}
    </div>
  );
}
