import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';

interface Props {
  value: number;
  scaleMax: number;
  color: string;
  request?: number;
  limit?: number;
  requestText?: string;
  limitText?: string;
}

/** A horizontal bar for one value, with a dashed marker at the request and a solid one at the limit. */
export function Bar({ value, scaleMax, color, request, limit, requestText, limitText }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const pct = (v: number) =>
    scaleMax > 0 && Number.isFinite(v) ? Math.max(0, Math.min(100, (v / scaleMax) * 100)) : 0;
  return (
    <div className={styles.track} data-testid="kubeprom-bar">
      <div
        className={styles.fill}
        style={{ width: `${pct(value)}%`, background: theme.visualization.getColorByName(color) }}
      />
      {request !== undefined && (
        <div
          className={styles.request}
          style={{ left: `${pct(request)}%` }}
          title={`Request ${requestText ?? ''}`}
          data-testid="kubeprom-request-marker"
        />
      )}
      {limit !== undefined && (
        <div
          className={styles.limit}
          style={{ left: `${pct(limit)}%` }}
          title={`Limit ${limitText ?? ''}`}
          data-testid="kubeprom-limit-marker"
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  track: css({
    position: 'relative',
    height: theme.spacing(1.5),
    minWidth: 60,
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
  }),
  fill: css({ position: 'absolute', left: 0, top: 0, bottom: 0, borderRadius: theme.shape.radius.default }),
  request: css({
    position: 'absolute',
    top: -2,
    bottom: -2,
    width: 0,
    borderLeft: `2px dashed ${theme.colors.text.primary}`,
  }),
  limit: css({
    position: 'absolute',
    top: -3,
    bottom: -3,
    width: 0,
    borderLeft: `2px solid ${theme.colors.error.main}`,
  }),
});
