import { describe, expect, it } from 'vitest';
import { describeError, isAbort } from './errors';

const err = (kind: string, message: string, status?: number) =>
  Object.assign(new Error(message), { kind, status });

describe('describeError', () => {
  it('keeps the kubeprom kind, status and message', () => {
    const d = describeError(err('bad_data', 'parse error at char 5', 400));
    expect(d).toMatchObject({ kind: 'bad_data', status: 400, message: 'parse error at char 5' });
    expect(d.summary).toBe('bad_data (HTTP 400): parse error at char 5');
  });

  it('explains a 403 on the service proxy with the missing RBAC rule', () => {
    const d = describeError(err('http', 'forbidden', 403), {
      kind: 'service',
      namespace: 'monitoring',
      name: 'prometheus',
      port: '9090',
    });
    expect(d.hint).toContain('"get"');
    expect(d.hint).toContain('services/proxy');
    expect(d.hint).toContain('"monitoring"');
  });

  it('names pods/proxy for pod endpoints', () => {
    const d = describeError(err('http', 'forbidden', 403), {
      kind: 'pod',
      namespace: 'mon',
      name: 'prometheus-0',
      port: '9090',
    });
    expect(d.hint).toContain('pods/proxy');
  });

  it('says Prometheus is unavailable on 503 and unreachable on network errors', () => {
    expect(describeError(err('http', 'Service Unavailable', 503)).hint).toMatch(/not available/);
    expect(describeError(err('network', 'Failed to fetch')).hint).toMatch(/did not reach/);
  });

  it('copes with things that are not errors', () => {
    expect(describeError('boom').summary).toBe('error: boom');
    expect(describeError(undefined).kind).toBe('error');
  });

  it('recognises aborts', () => {
    expect(isAbort(err('aborted', 'x'))).toBe(true);
    expect(isAbort(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe(true);
    expect(isAbort(err('timeout', 'x'))).toBe(false);
  });
});

describe('describeError and kubeprom’s own RBAC message', () => {
  it('still names the namespace and the rule to add', () => {
    const d = describeError(
      err(
        'http',
        'forbidden (the user needs the `get` verb on `services/proxy` in that namespace)',
        403
      ),
      { kind: 'service', namespace: 'm', name: 'p', port: '9090' }
    );
    expect(d.hint).toContain('namespace "m"');
    expect(d.hint).toContain('verbs: ["get"]');
  });

  it('keeps the hint an error carries when it has none of its own', () => {
    const d = describeError(Object.assign(new Error('x'), { kind: 'http', hint: 'do this' }));
    expect(d.hint).toBe('do this');
  });
});
