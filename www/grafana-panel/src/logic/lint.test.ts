import type { Finding } from 'kubeprom';
import { realKubeprom } from '../testing/kubeprom';
import { lintQueries } from './lint';
import type { PanelQuery } from './roles';

const q = (refId: string, expr?: string, executedExpr?: string): PanelQuery => ({
  refId,
  expr,
  executedExpr,
  role: 'usage',
});

describe('lintQueries with the real kubeprom core', () => {
  const kp = realKubeprom();

  it('reports the cAdvisor double count with a fix that excludes the pod-level series', () => {
    const expr = 'sum by (namespace, pod) (container_memory_working_set_bytes{namespace="shop"})';
    const [lint] = lintQueries(kp, [q('A', expr)], {});
    expect(lint.refId).toBe('A');
    expect(lint.interpolated).toBe(false);
    const f = lint.findings.find((x) => x.rule === 'cadvisor-double-count');
    expect(f).toBeDefined();
    expect(expr.slice(f!.start, f!.end)).toContain('container_memory_working_set_bytes');
    expect(f!.fix).toContain('container!=""');
    // The fix itself is clean.
    expect(kp.lintQuery(f!.fix!).filter((x) => x.rule === 'cadvisor-double-count')).toEqual([]);
  });

  it('has nothing to say about the query buildQuery writes', () => {
    const expr = kp.buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
    expect(lintQueries(kp, [q('A', expr)], {})).toEqual([]);
  });

  it('lints a dashboard query with range variables as written, the fix keeping the variable', () => {
    const written =
      'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{namespace=~"$namespace"}[$__rate_interval]))';
    const [lint] = lintQueries(kp, [q('A', written, 'ignored')], {});
    expect(lint.interpolated).toBe(false);
    const f = lint.findings.find((x) => x.rule === 'cadvisor-double-count');
    expect(f?.fix).toContain('[$__rate_interval]');
    expect(f?.fix).toContain('container!=""');
  });

  it('lints the executed query when the written one holds variables PromQL has no room for', () => {
    const written = 'topk($topn, sum by (namespace, pod) (container_memory_working_set_bytes))';
    const executed = 'topk(5, sum by (namespace, pod) (container_memory_working_set_bytes))';
    expect(kp.lintQuery(written).map((f) => f.rule)).toContain('parse-error');
    const [lint] = lintQueries(kp, [q('A', written, executed)], {});
    expect(lint.interpolated).toBe(true);
    expect(lint.text).toBe(executed);
    expect(lint.findings.map((f) => f.rule)).toContain('cadvisor-double-count');
  });
});

describe('lintQueries fallback rules', () => {
  const parseError: Finding = { rule: 'parse-error', severity: 'error', message: 'bad', start: 0, end: 1 };
  const other: Finding = { rule: 'counter-without-rate', severity: 'warning', message: 'rate it', start: 0, end: 3 };
  const fake = {
    lintQuery: (s: string): Finding[] =>
      s.includes('$') ? [parseError] : s.includes('bad') ? [parseError] : s.includes('ctr') ? [other] : [],
  };

  it('keeps the parse error when the executed query does not parse either or is missing', () => {
    expect(lintQueries(fake, [q('A', 'x[$v]')], {})).toEqual([
      { refId: 'A', text: 'x[$v]', interpolated: false, findings: [parseError] },
    ]);
    expect(lintQueries(fake, [q('A', 'x[$v]', 'bad')], {})[0].findings).toEqual([parseError]);
  });

  it('lints the executed query when there is no written one, and skips clean and empty queries', () => {
    expect(lintQueries(fake, [q('A', undefined, 'ctr')], {})).toEqual([
      { refId: 'A', text: 'ctr', interpolated: true, findings: [other] },
    ]);
    expect(lintQueries(fake, [q('A', 'fine'), q('B')], {})).toEqual([]);
  });

  it('passes the scrape interval on', () => {
    const seen: unknown[] = [];
    lintQueries({ lintQuery: (_s: string, o?: unknown) => (seen.push(o), []) }, [q('A', 'x'), q('B', 'y')], {
      scrapeInterval: '30s',
    });
    lintQueries({ lintQuery: (_s: string, o?: unknown) => (seen.push(o), []) }, [q('A', 'x')], {});
    expect(seen).toEqual([{ scrapeInterval: '30s' }, { scrapeInterval: '30s' }, undefined]);
  });
});
