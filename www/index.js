// kubeprom's ES module entry: loads the wasm core and re-exports it. Logic lives in Rust
// (src/); this file only loads, registers the error class and normalises init arguments.
import initWasm, { initSync as initSyncWasm, __setErrorClass } from '../pkg/kubeprom.js';

/** Every error kubeprom throws or rejects with; `kind` says which (see index.d.ts). */
export class KubepromError extends Error {
  constructor(kind, message, status) {
    super(message);
    this.name = 'KubepromError';
    this.kind = kind;
    if (status !== undefined && status !== null) this.status = status;
  }
}

function ready() {
  __setErrorClass(KubepromError);
}

/** Loads the module; by default fetches kubeprom_bg.wasm next to the generated glue. */
export default async function init(input) {
  const wrapped =
    input === undefined || (input !== null && typeof input === 'object' && 'module_or_path' in input)
      ? input
      : { module_or_path: input };
  await initWasm(wrapped);
  ready();
}

/** Loads the module synchronously from its bytes or a compiled WebAssembly.Module. */
export function initSync(input) {
  const wrapped = input !== null && typeof input === 'object' && 'module' in input ? input : { module: input };
  initSyncWasm(wrapped);
  ready();
}

export {
  listMetrics,
  listProfiles,
  buildQuery,
  parseResponse,
  aggregatePods,
  aggregatePodsReport,
  lintQuery,
  PrometheusClient,
  kueuePendingSummary,
  kueuePendingReport,
  toExposition,
} from '../pkg/kubeprom.js';
