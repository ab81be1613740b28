import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, ClipboardButton, Field, TextArea, useStyles2 } from '@grafana/ui';
import { rightSizingTargets } from '../logic/rightSizing';
import type { Kubeprom } from '../kubeprom/types';
import type { RightSizingOptions } from '../types';

interface Props {
  kp: Kubeprom;
  options: RightSizingOptions | undefined;
}

/**
 * The query helper in right-sizing mode: planRecommendation's queries for the workload and
 * settings of the options, as the panel's targets (refId = need, instant), to paste into the
 * panel JSON at once or one by one into the query editor.
 */
export function RightSizingTargets({ kp, options }: Props) {
  const styles = useStyles2(getStyles);
  const planned = useMemo(() => rightSizingTargets(kp, options), [kp, options]);
  if (planned.error) {
    return (
      <Alert severity="error" title="Cannot plan the right-sizing queries">
        {planned.error}
      </Alert>
    );
  }
  if (!planned.targets) {
    return (
      <div className={styles.hint} data-testid="kubeprom-rightsizing-targets">
        Set the {planned.missing.join(', ')} under Right-sizing to get the panel&apos;s queries.
      </div>
    );
  }
  const json = JSON.stringify(planned.targets, null, 2);
  return (
    <div className={styles.form} data-testid="kubeprom-rightsizing-targets">
      <Field
        label="Targets"
        description={`The panel's ${planned.targets.length} queries: replace the "targets" of the panel JSON (panel menu, Inspect, Panel JSON) with these. They use the panel's data source.`}
      >
        <div>
          <TextArea
            className={styles.code}
            readOnly
            rows={6}
            value={json}
            data-testid="kubeprom-rightsizing-targets-json"
          />
          <ClipboardButton size="sm" icon="copy" variant="secondary" getText={() => json}>
            Copy targets
          </ClipboardButton>
        </div>
      </Field>
      <Field label="One by one" description="Or add each in the query editor: code mode, type Instant, this refId">
        <div>
          {planned.targets.map((t) => (
            <div key={t.refId} className={styles.query} data-testid="kubeprom-rightsizing-target" data-ref-id={t.refId}>
              <div className={styles.refId}>
                <span>{t.refId}</span>
                <ClipboardButton size="sm" icon="copy" variant="secondary" fill="text" getText={() => t.expr}>
                  Copy
                </ClipboardButton>
              </div>
              <pre className={styles.promql}>{t.expr}</pre>
            </div>
          ))}
        </div>
      </Field>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexDirection: 'column' }),
  hint: css({ color: theme.colors.text.secondary }),
  code: css({ fontFamily: theme.typography.fontFamilyMonospace, marginBottom: theme.spacing(1) }),
  query: css({ marginBottom: theme.spacing(1) }),
  refId: css({ display: 'flex', alignItems: 'center', justifyContent: 'space-between', fontWeight: 500 }),
  promql: css({
    margin: 0,
    padding: theme.spacing(0.5),
    maxHeight: 120,
    overflow: 'auto',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
