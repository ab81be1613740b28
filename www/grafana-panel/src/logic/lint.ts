import type { Finding } from 'kubeprom';
import type { Kubeprom } from '../kubeprom/types';
import type { PanelQuery } from './roles';

/** lintQuery's findings for one of the panel's queries. */
export interface QueryLint {
  refId: string;
  /** The text the findings' offsets and fixes refer to. */
  text: string;
  /**
   * True when `text` is the query as Prometheus ran it (template variables interpolated), because
   * the query as written does not parse (e.g. `[$__rate_interval]`).
   */
  interpolated: boolean;
  findings: Finding[];
}

/**
 * Lints each query the user wrote. A query with Grafana variables in places PromQL has no room for
 * them (range durations, function arguments) does not parse as written; then the executed query
 * from the frame metadata is linted instead, so the findings still reach the user.
 */
export function lintQueries(
  kp: Pick<Kubeprom, 'lintQuery'>,
  queries: PanelQuery[],
  opts: { scrapeInterval?: string }
): QueryLint[] {
  const lintOpts = opts.scrapeInterval ? { scrapeInterval: opts.scrapeInterval } : undefined;
  const out: QueryLint[] = [];
  for (const q of queries) {
    const written = q.expr ?? q.executedExpr;
    if (!written) {
      continue;
    }
    let lint: QueryLint = {
      refId: q.refId,
      text: written,
      interpolated: q.expr === undefined,
      findings: kp.lintQuery(written, lintOpts),
    };
    if (hasParseError(lint.findings) && q.executedExpr && q.executedExpr !== written) {
      const findings = kp.lintQuery(q.executedExpr, lintOpts);
      if (!hasParseError(findings)) {
        lint = { refId: q.refId, text: q.executedExpr, interpolated: true, findings };
      }
    }
    if (lint.findings.length > 0) {
      out.push(lint);
    }
  }
  return out;
}

function hasParseError(findings: Finding[]): boolean {
  return findings.some((f) => f.rule === 'parse-error');
}
