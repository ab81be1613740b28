// Types of kubeprom's linter entry (`kubeprom/lint`): the linter, with a wasm URL bundlers see.
import type { InitInput } from './index.js';
export { lintQuery, lintDashboard, lintRules } from './index.js';
export type { Finding, FileReport, FileFinding, FileSubject, SkippedQuery } from './index.js';

/** Loads the linter module; by default the `kubeprom_lint_bg.wasm` asset the bundler emitted. */
export function initLint(input?: InitInput | { module_or_path: InitInput }): Promise<void>;
