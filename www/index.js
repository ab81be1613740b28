// kubeprom's ES module entry: loads the wasm modules and re-exports them. Logic lives in Rust
// (src/); this file only loads, registers the error class and normalises init arguments.
//
// Two wasm modules: the core (kubeprom_bg.wasm, ~190 KB gzipped) and the linter
// (kubeprom_lint_bg.wasm, promql-parser inside, ~2.5x the core). `init()` loads both, so
// `lintQuery` works as the API promises; hosts that never lint pass `{ lint: false }` and never
// download the linter.
import initCore, { initSync as initCoreSync, __setErrorClass as registerCoreErrors } from '../pkg/kubeprom.js';
import initLintModule, {
  initSync as initLintModuleSync,
  __setErrorClass as registerLintErrors,
  lintQuery as lintQueryInModule,
  lintDashboard as lintDashboardInModule,
  lintRules as lintRulesInModule,
} from '../pkg/kubeprom_lint.js';

/** Every error kubeprom throws or rejects with; `kind` says which (see index.d.ts). */
export class KubepromError extends Error {
  constructor(kind, message, status) {
    super(message);
    this.name = 'KubepromError';
    this.kind = kind;
    if (status !== undefined && status !== null) this.status = status;
  }
}

// Why lintQuery cannot run: not asked for yet, or the load failed (kept to explain it).
let linterMissing = 'the linter module is not loaded: call `await init()` (without `lint: false`) or `initLint()` first';
// The linter's wasm when `kubeprom/lint` was imported (a URL its bundler emitted); else the glue's
// default, next to kubeprom_lint.js, which a bundled app does not have.
let lintWasm;

/** Internal: where `init()` loads the linter from, set by the `kubeprom/lint` entry. */
export function __useLintWasm(url) {
  lintWasm = url;
}

/** wasm-bindgen's async init takes `{ module_or_path }`; a bare URL, Response or bytes is wrapped. */
function asyncInput(input) {
  return input === undefined || (input !== null && typeof input === 'object' && 'module_or_path' in input)
    ? input
    : { module_or_path: input };
}

/** wasm-bindgen's initSync takes `{ module }`; bare bytes or a Module is wrapped. */
function syncInput(input) {
  return input !== null && typeof input === 'object' && 'module' in input ? input : { module: input };
}

/**
 * Loads the core module (by default `kubeprom_bg.wasm` next to the generated glue) and, unless
 * `options.lint` is false, the linter module (`options.lint`: its URL/bytes/module, or by default
 * `kubeprom_lint_bg.wasm` next to its glue). A linter that fails to load does not fail `init`
 * unless it was asked for explicitly: `lintQuery` then throws `unsupported` with the reason.
 */
export default async function init(input, options = {}) {
  const lint = options.lint;
  const core = initCore(asyncInput(input)).then(() => registerCoreErrors(KubepromError));
  if (lint === false) {
    await core;
    return;
  }
  const explicit = lint !== undefined && lint !== true;
  const linter = initLint(explicit ? lint : lintWasm).catch((e) => {
    if (explicit || lint === true) throw e;
  });
  await Promise.all([core, linter]);
}

/** Loads the linter module on its own (for hosts that called `init(..., { lint: false })`). */
export async function initLint(input) {
  try {
    await initLintModule(asyncInput(input));
  } catch (e) {
    // A second load that fails does not unload the first.
    if (linterMissing === null) return;
    const hint = lintWasm === undefined ? " (in a bundled app, import `lintQuery` from 'kubeprom/lint', whose wasm the bundler emits)" : '';
    linterMissing = `the linter module failed to load: ${e instanceof Error ? e.message : String(e)}${hint}`;
    throw new KubepromError('unsupported', linterMissing);
  }
  registerLintErrors(KubepromError);
  linterMissing = null;
}

/**
 * Loads the core synchronously from its bytes or a compiled module; `options.lint` (bytes or a
 * module of kubeprom_lint_bg.wasm) loads the linter too.
 */
export function initSync(input, options = {}) {
  initCoreSync(syncInput(input));
  registerCoreErrors(KubepromError);
  if (options.lint !== undefined && options.lint !== false) initLintSync(options.lint);
}

/** Loads the linter module synchronously from its bytes or a compiled module. */
export function initLintSync(input) {
  initLintModuleSync(syncInput(input));
  registerLintErrors(KubepromError);
  linterMissing = null;
}

/** Findings on a PromQL query (see index.d.ts); needs the linter module. */
export function lintQuery(promql, opts) {
  if (linterMissing !== null) throw new KubepromError('unsupported', `lintQuery: ${linterMissing}`);
  return lintQueryInModule(promql, opts);
}

// JSON text is parsed here with JSON.parse, so the linter module needs no JSON parser; YAML is
// the caller's to parse (the `yaml` npm package, say), so it needs no YAML parser either.
function parsedFile(what, file) {
  if (typeof file !== 'string') return file;
  try {
    return JSON.parse(file);
  } catch (e) {
    throw new KubepromError('invalid_argument', `${what}: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The file lint of a Grafana dashboard, JSON text or parsed (see index.d.ts). */
export function lintDashboard(dashboard, opts) {
  if (linterMissing !== null) throw new KubepromError('unsupported', `lintDashboard: ${linterMissing}`);
  return lintDashboardInModule(parsedFile('dashboard', dashboard), opts);
}

/** The file lint of a rule file or PrometheusRule, parsed (YAML) or JSON text (see index.d.ts). */
export function lintRules(rules, opts) {
  if (linterMissing !== null) throw new KubepromError('unsupported', `lintRules: ${linterMissing}`);
  return lintRulesInModule(parsedFile('rules', rules), opts);
}

export {
  listMetrics,
  listProfiles,
  buildQuery,
  parseResponse,
  aggregatePods,
  aggregatePodsReport,
  aggregatePodsFromBytes,
  aggregateGroups,
  PrometheusClient,
  kueuePendingSummary,
  kueuePendingReport,
  toExposition,
  parseQuantity,
  formatValue,
  formatDuration,
  parseDuration,
  parseMatcherLines,
  checkUsage,
  planRecommendation,
  recommendResources,
  rightSizingRules,
} from '../pkg/kubeprom.js';
