// An app that never lints: it loads the core alone, and its build must not hold the linter.
import init, { buildQuery, formatValue } from 'kubeprom';

init(undefined, { lint: false }).then(
  () => (globalThis.answers = { query: buildQuery({ metric: 'pod_cpu_usage', namespace: 'shop' }), text: formatValue(0.25, 'cores') }),
  (e) => (globalThis.answers = { error: String(e?.stack ?? e) }),
);
