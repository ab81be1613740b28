import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, ClipboardButton, ControlledCollapse, useStyles2, useTheme2 } from '@grafana/ui';
import type { AdviceCell, RightSizingView, StatusColor } from '../logic/rightSizing';
import { getStyles as getTableStyles } from './PodTable';

interface Props {
  view: RightSizingView;
}

const SETTINGS = [
  { key: 'cpuRequest', label: 'CPU request', testId: 'kubeprom-rightsizing-cpu-request' },
  { key: 'cpuLimit', label: 'CPU limit', testId: 'kubeprom-rightsizing-cpu-limit' },
  { key: 'memoryRequest', label: 'Memory request', testId: 'kubeprom-rightsizing-memory-request' },
  { key: 'memoryLimit', label: 'Memory limit', testId: 'kubeprom-rightsizing-memory-limit' },
] as const;

/**
 * Right-sizing mode: per container of the workload its current requests and limits, the core's
 * recommendation, the difference and the status, then a `kubectl set resources` command per
 * container to copy, and the PromQL the numbers come from.
 */
export function RightSizingTable({ view }: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const theme = useTheme2();
  const colorOf = (c: StatusColor | undefined) =>
    c === undefined || c === 'darkgrey' ? theme.colors.text.secondary : theme.visualization.getColorByName(c);
  const commands = view.rows.filter((r) => r.kubectl);
  return (
    <div
      className={table.scroll}
      data-testid="kubeprom-rightsizing"
      data-workload={view.workload ? `${view.workload.kind}/${view.workload.name}` : ''}
    >
      {view.workload && (
        <div className={styles.caption}>
          {view.workload.kind} <strong>{view.workload.name}</strong> in {view.workload.namespace}: CPU request at the
          busiest replica&apos;s usage percentile over the history, memory request and limit at its peak working set
          plus the buffer (after an OOM kill, at least the limit plus the buffer).
        </div>
      )}
      {view.rows.length === 0 ? (
        <div className={styles.noData}>No data</div>
      ) : (
        <table className={table.table} data-testid="kubeprom-rightsizing-table">
          <thead>
            <tr>
              <th className={table.th}>Container</th>
              <th className={table.th}>Status</th>
              {SETTINGS.map((s) => (
                <th key={s.key} className={table.th}>
                  {s.label}
                </th>
              ))}
              <th className={table.th}>History</th>
            </tr>
          </thead>
          <tbody>
            {view.rows.map((r) => (
              <tr
                key={r.container}
                className={table.tr}
                data-testid="kubeprom-rightsizing-row"
                data-container={r.container}
              >
                <td className={cx(table.td, table.queue)}>{r.container}</td>
                <td className={table.td} data-testid="kubeprom-rightsizing-status" data-status={r.status}>
                  <Badge text={r.statusText} color={r.color} />
                </td>
                {SETTINGS.map((s) => (
                  <Setting key={s.key} cell={r[s.key]} testId={s.testId} color={colorOf(r[s.key].color)} />
                ))}
                <td className={cx(table.td, table.num)} data-testid="kubeprom-rightsizing-history">
                  {r.historyText}
                  {r.oomKilled && <div className={styles.oom}>OOMKilled</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {commands.length > 0 && (
        <div className={styles.commands}>
          {commands.map((r) => (
            <div key={r.container} className={styles.command}>
              <code className={styles.code} data-testid="kubeprom-rightsizing-kubectl" data-container={r.container}>
                {r.kubectl}
              </code>
              <ClipboardButton size="sm" variant="secondary" icon="copy" getText={() => r.kubectl ?? ''}>
                Copy
              </ClipboardButton>
            </div>
          ))}
        </div>
      )}
      {view.queries.length > 0 && (
        <ControlledCollapse label={`PromQL: ${view.queries.length} instant queries`} isOpen={false}>
          {view.queries.map((q) => (
            <div key={q.need} data-testid="kubeprom-rightsizing-query" data-need={q.need}>
              <div className={styles.need}>{q.need}</div>
              <pre className={styles.promql}>{q.promql}</pre>
            </div>
          ))}
        </ControlledCollapse>
      )}
    </div>
  );
}

/** `current → recommended`, and under it the difference and the setting's status in its colour. */
function Setting({ cell, testId, color }: { cell: AdviceCell; testId: string; color: string }) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  return (
    <td
      className={cx(table.td, table.num)}
      data-testid={testId}
      data-current={cell.current ?? ''}
      data-recommended={cell.recommended ?? ''}
      data-quantity={cell.quantity ?? ''}
      data-status={cell.status ?? ''}
    >
      <div data-testid={`${testId}-change`}>
        {cell.recommendedText === undefined ? cell.currentText : `${cell.currentText} → ${cell.recommendedText}`}
      </div>
      {(cell.differenceText !== undefined || cell.statusText !== undefined) && (
        <div className={styles.judgement} style={{ color }} data-testid={`${testId}-judgement`}>
          {[cell.differenceText, cell.statusText?.toLowerCase()].filter((t) => t !== undefined).join(' ')}
        </div>
      )}
    </td>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  caption: css({ color: theme.colors.text.secondary, padding: theme.spacing(0.5, 1) }),
  noData: css({ color: theme.colors.text.secondary, padding: theme.spacing(1) }),
  judgement: css({ fontSize: theme.typography.bodySmall.fontSize }),
  oom: css({ color: theme.colors.error.text }),
  commands: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), padding: theme.spacing(1) }),
  command: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  code: css({
    flex: '1 1 auto',
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    wordBreak: 'break-all',
  }),
  need: css({ fontWeight: theme.typography.fontWeightMedium }),
  promql: css({
    margin: theme.spacing(0.5, 0, 1),
    padding: theme.spacing(0.5),
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
