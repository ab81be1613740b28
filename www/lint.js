// kubeprom's linter entry for bundled apps: `import { initLint, lintQuery } from 'kubeprom/lint'`
// (lintDashboard and lintRules too).
// Its wasm is named by a literal `new URL(..., import.meta.url)`, which Vite and webpack emit as
// an asset; the main entry keeps that URL out of their sight, so an app that never imports this
// entry never gets the linter in its build.
import { initLint as initLintFrom, __useLintWasm } from './index.js';

const lintWasm = new URL('../pkg/kubeprom_lint_bg.wasm', import.meta.url);
// `init()` of the main entry loads the linter from here too.
__useLintWasm(lintWasm);

/** Loads the linter module (by default the asset the bundler emitted for it). */
export function initLint(input = lintWasm) {
  return initLintFrom(input);
}

export { lintQuery, lintDashboard, lintRules } from './index.js';
