import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, ClipboardButton, useStyles2 } from '@grafana/ui';
import type { Notice } from '../logic/podView';
import type { QueryLint } from '../logic/lint';

interface Props {
  notices: Notice[];
  lint: QueryLint[];
}

/** Notices from the aggregation and lintQuery findings, each finding with its fix to copy. */
export function Notices({ notices, lint }: Props) {
  const styles = useStyles2(getStyles);
  if (notices.length === 0 && lint.length === 0) {
    return null;
  }
  return (
    <div className={styles.notices} data-testid="kubeprom-notices">
      {lint.flatMap((q) =>
        q.findings.map((f, i) => (
          <Alert
            key={`lint-${q.refId}-${i}`}
            severity={f.severity === 'info' ? 'info' : f.severity}
            title={`Query ${q.refId}: ${f.rule}`}
            bottomSpacing={1}
            topSpacing={0}
            data-testid="kubeprom-lint-finding"
            data-rule={f.rule}
          >
            <div>{f.message}</div>
            <pre className={styles.query}>
              {q.text.slice(0, f.start)}
              <mark className={styles.mark}>{q.text.slice(f.start, f.end)}</mark>
              {q.text.slice(f.end)}
            </pre>
            {q.interpolated && (
              <div className={styles.hint}>Checked as Prometheus ran it, with the dashboard variables filled in.</div>
            )}
            {f.fix && (
              <div className={styles.fix}>
                <span>Fix:</span>
                <code className={styles.code} data-testid="kubeprom-lint-fix">
                  {f.fix}
                </code>
                <ClipboardButton size="sm" variant="secondary" icon="copy" getText={() => f.fix ?? ''}>
                  Copy
                </ClipboardButton>
              </div>
            )}
          </Alert>
        ))
      )}
      {notices.map((n, i) => (
        <Alert
          key={`notice-${i}`}
          severity={n.severity}
          title={n.title}
          bottomSpacing={1}
          topSpacing={0}
          data-testid="kubeprom-notice"
        >
          {n.text}
        </Alert>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  notices: css({ flex: '0 0 auto', maxHeight: '50%', overflow: 'auto' }),
  query: css({
    margin: theme.spacing(0.5, 0),
    padding: theme.spacing(0.5),
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  mark: css({ background: theme.colors.warning.transparent, color: 'inherit' }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  fix: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), flexWrap: 'wrap' }),
  code: css({ fontFamily: theme.typography.fontFamilyMonospace, wordBreak: 'break-all' }),
});
