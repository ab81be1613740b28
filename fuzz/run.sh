#!/usr/bin/env bash
# Coverage-guided fuzzing of kubeprom's parsers and builders with libFuzzer (cargo-fuzz) on
# stable Rust: `-s none` needs no nightly (no sanitizer; Rust's own checks, debug assertions
# and the targets' assertions catch the bugs).
#
#   fuzz/run.sh [seconds-per-target] [target...]   fuzz each target (default: 60 s, all)
#   fuzz/run.sh --self-test [seconds]               plant a bug and check the fuzzer finds it and fails
#
# Seeds: fuzz/seeds/ (committed) and the project's test data, copied into fuzz/corpus/ by
# fuzz/corpus.mjs. Crashes land in fuzz/artifacts/<target>/; reproduce one with
# `cargo fuzz run -s none -O <target> <file>`. Exits non-zero when any target fails.
set -uo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="$PWD/target"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install --locked cargo-fuzz --version 0.13.2" >&2
  exit 2
fi

# -timeout: one input taking over 10 s is a failure (a hang, or something quadratic).
# -rss_limit_mb: a bounded input must not need unbounded memory.
libfuzzer_flags=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)

if [ "${1:-}" = "--self-test" ]; then
  seconds=${2:-120}
  echo "=== self-test: a bug planted in aggregate_pods must be found within ${seconds}s"
  cargo fuzz build -s none -O --features inject-crash aggregate_pods || exit 2
  log=$(mktemp)
  cargo fuzz run -s none -O --features inject-crash aggregate_pods "$(mktemp -d)" -- \
    "${libfuzzer_flags[@]}" -max_total_time="$seconds" -artifact_prefix="$(mktemp -d)/" >"$log" 2>&1
  rc=$?
  # Rebuild without the planted bug so later runs fuzz the real target.
  cargo fuzz build -s none -O aggregate_pods >/dev/null 2>&1
  if [ $rc -ne 0 ] && grep -q "planted bug reached" "$log"; then
    grep -E "planted bug reached|Test unit written" "$log"
    grep -E "^#[0-9]+" "$log" | tail -1 | sed 's/^/last progress line: /'
    echo "self-test passed: the fuzzer reached the planted bug and the run failed"
    exit 0
  fi
  tail -20 "$log"
  echo "self-test FAILED: the planted bug was not found in ${seconds}s"
  exit 1
fi

seconds=${1:-60}
shift || true
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

node corpus.mjs || exit 2
cargo fuzz build -s none -O || exit 2

passed=0
failed=0
failures=()
for target in "${targets[@]}"; do
  echo "=== fuzz $target for ${seconds}s"
  mkdir -p "corpus/$target" "artifacts/$target"
  log="artifacts/$target/last-run.log"
  dict=()
  case $target in parse_response | fast_path | kueue_pending_summary) dict=(-dict=dict/json.dict) ;; esac
  if cargo fuzz run -s none -O "$target" "corpus/$target" -- "${libfuzzer_flags[@]}" "${dict[@]}" \
    -max_total_time="$seconds" >"$log" 2>&1; then
    passed=$((passed + 1))
    grep -E "^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb" "$log" | tr '\n' ' '
    echo
  else
    failed=$((failed + 1))
    failures+=("$target")
    tail -40 "$log"
  fi
done
[ ${#failures[@]} -gt 0 ] && echo "failing targets: ${failures[*]} (inputs in fuzz/artifacts/)"
echo "fuzz targets: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
