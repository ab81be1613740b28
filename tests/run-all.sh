#!/usr/bin/env bash
# Every test of the project: native Rust (unit, real Prometheus, property tests), wasm in
# headless Chromium, the JS shim in Node against real Prometheus, the demo in headless Chromium,
# both plugins (tests/plugins.sh), the generated dashboards and rules, and lint/format checks. Each runner prints its own summary; the last line counts suites.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=()
# A test run leaves the tree as it found it: installs come from the locks, outputs go to
# ignored folders. What git shows now is compared with what it shows at the end.
tree_state() { git status --porcelain=v1 --untracked-files=all 2>/dev/null; }
tree_before=$(tree_state)
suite() {
  local name=$1
  shift
  echo "=== $name: $*"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}
suite build npm run build --silent
# The core (the root package): plain Rust, no wasm or server dependency.
suite layers bash tests/scripts/layers.sh
suite cargo-test cargo test --locked --lib --tests
suite cargo-test-no-default-features cargo test --locked --lib --no-default-features
# `kubeprom lint` on files, and the project's own generated dashboards and rules linting clean.
suite cli cargo test --locked -p kubeprom-cli
# The core's wasm boundary, in headless Chromium (the wasm crate's own tests).
suite wasm-browser wasm-pack test --headless --chrome --chromedriver "${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  crates/kubeprom-wasm --locked
suite exporter cargo test --locked -p kubeprom-kueue-exporter --test exporter --bins
# The exporter under seeded chaos while Prometheus scrapes it (deploy/kueue-exporter/README.md).
suite exporter-soak cargo test --locked -p kubeprom-kueue-exporter --test exporter_soak
suite js node --test tests/js/
# A plugin's day of polls, compressed: memory and handles plateau (tests/soak/README.md).
suite browser-soak node tests/soak/browser-soak.mjs --polls 2000
# The corpus, then a fixed number of runs from a fixed seed: the same inputs every run.
suite fuzz bash fuzz/run.sh --ci 20000
suite audit bash tests/scripts/audit.sh --allow-unreachable
# Each plugin's browser test writes the texts its DOM shows to target/plugin-texts/; stale ones
# from an earlier run must not stand in for a plugin that wrote none.
rm -rf target/plugin-texts
# The npm package as apps install it: Vite and webpack 5 builds of the tarball, and its types.
suite bundlers bash tests/bundlers/run.sh
suite headlamp-plugin bash tests/plugins.sh headlamp
suite grafana-panel bash tests/plugins.sh grafana
# The same dataset rendered by both plugins' real builds: every value both show, the same text.
suite plugin-texts node tests/scripts/plugin-texts.mjs
suite dashboards-current npm run --silent dashboards -- --check
suite clippy cargo clippy --locked --workspace --all-targets --all-features -- -D warnings
suite clippy-wasm cargo clippy --locked --target wasm32-unknown-unknown -p kubeprom -p kubeprom-wasm \
  -p kubeprom-lint-wasm --lib -- -D warnings
suite fmt cargo fmt --all --check
tree_unchanged() {
  local after
  after=$(tree_state)
  [ "$after" = "$tree_before" ] && return 0
  echo "the run changed the tree (git status before, then after):"
  printf '%s\n--\n%s\n' "$tree_before" "$after"
  git diff --stat
  return 1
}
suite tree-unchanged tree_unchanged
if [ ${#failures[@]} -gt 0 ]; then echo "failed suites: ${failures[*]}"; fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
