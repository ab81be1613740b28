#!/usr/bin/env bash
# Every test of the project: native Rust (unit, real Prometheus, property tests), wasm in
# headless Chromium, the JS shim in Node against real Prometheus, the demo in headless Chromium,
# both plugins (tests/plugins.sh), the generated dashboards and rules, and lint/format checks. Each runner prints its own summary; the last line counts suites.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=()
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
suite cargo-test cargo test --lib --tests
suite cargo-test-no-default-features cargo test --lib --no-default-features
# What `wasm-pack test --headless --chrome` does, without its `cargo build --tests` step, which
# would compile the native-only unit tests (promtool, proptest) for wasm32.
suite wasm-browser env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" WASM_BINDGEN_TEST_ONLY_WEB=1 \
  cargo test --target wasm32-unknown-unknown --test wasm_boundary
suite exporter cargo test --features exporter --test exporter --bin kubeprom-kueue-exporter
suite js node --test tests/js/
suite fuzz bash fuzz/run.sh 20
suite audit bash tests/scripts/audit.sh --allow-unreachable
suite headlamp-plugin bash tests/plugins.sh headlamp
suite grafana-panel bash tests/plugins.sh grafana
suite dashboards-current npm run --silent dashboards -- --check
suite clippy cargo clippy --all-targets --all-features -- -D warnings
suite clippy-wasm cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
suite fmt cargo fmt --check
if [ ${#failures[@]} -gt 0 ]; then echo "failed suites: ${failures[*]}"; fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
