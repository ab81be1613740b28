#!/usr/bin/env bash
# Coverage-guided fuzzing of kubeprom's parsers and builders with libFuzzer (cargo-fuzz) on
# stable Rust: `-s none` needs no nightly (no sanitizer; Rust's own checks, debug assertions
# and the targets' assertions catch the bugs).
#
#   fuzz/run.sh [seconds-per-target] [target...]   explore: fuzz each target (default: 60 s, all)
#   fuzz/run.sh --ci [runs-per-target]              replay the committed corpus, then a fixed
#                                                   number of runs from a fixed seed, with fixed
#                                                   hash keys (CI: the same inputs every run)
#   fuzz/run.sh --self-test [seconds]               plant a bug and check the fuzzer finds it and fails
#
# Seeds: fuzz/seeds/ (committed) and the project's test data, copied by fuzz/corpus.mjs into
# fuzz/corpus/ (exploring: the corpus grows run after run) or into a fresh folder (--ci: the
# same inputs every run, whatever was explored on this machine before). Crashes land in
# fuzz/artifacts/<target>/; reproduce one with `cargo fuzz run -s none -O <target> <file>`,
# then commit it under fuzz/seeds/<target>/ with a regression test beside the code it breaks.
# Exits non-zero when any target fails.
set -uo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="$PWD/target"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install --locked cargo-fuzz --version 0.13.2" >&2
  exit 2
fi

# -timeout: one input taking over 30 s is a failure (a hang, or something quadratic); inputs
# take microseconds, so a loaded machine never comes near it.
# -rss_limit_mb: a bounded input must not need unbounded memory.
libfuzzer_flags=(-timeout=30 -rss_limit_mb=2048 -print_final_stats=1)

# The fuzz workspace resolves exactly what fuzz/Cargo.lock says; a stale lock is an error
# rather than a rewrite of a tracked file.
cargo metadata --locked --format-version 1 >/dev/null || {
  echo "fuzz/Cargo.lock is out of date: run 'cargo update -p kubeprom' in fuzz/ and commit it" >&2
  exit 2
}

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

# Deterministic mode: every run executes the same inputs. libFuzzer starts by running every
# corpus input once, then mutates from -seed (its default seed is the clock); -runs bounds the
# work by count, not time, so a slower machine runs the same inputs, only later. -reload=0:
# no periodic re-reading of the corpus folder.
mode=explore
if [ "${1:-}" = "--ci" ]; then
  mode=ci
  shift
  runs=${1:-20000}
  shift || true
  corpus_root=$(mktemp -d)
  trap 'rm -rf "$corpus_root"' EXIT
  run_flags=(-seed=1 -runs="$runs" -reload=0)
  what="$runs runs from seed 1"
  # std's HashMap keys come from getrandom(2); fixed keys keep coverage feedback, and so the
  # mutations, the same from run to run (see fixed-keys/getrandom.rs).
  fixed_keys="$CARGO_TARGET_DIR/libfixed_getrandom.so"
  mkdir -p "$CARGO_TARGET_DIR"
  rustc --edition 2021 -O --crate-type cdylib fixed-keys/getrandom.rs -o "$fixed_keys" || exit 2
  preload=(env LD_PRELOAD="$fixed_keys")
  # The same input can also take different branches depending on where ASLR places the
  # process's memory (observed on fast_path: two alternating outcomes, one with ASLR off).
  if setarch -R true 2>/dev/null; then
    preload=(setarch -R "${preload[@]}")
  else
    echo "warning: setarch -R is refused here; mutations may differ between runs" >&2
  fi
else
  seconds=${1:-60}
  shift || true
  corpus_root=corpus
  run_flags=(-max_total_time="$seconds")
  preload=()
  what="${seconds}s"
fi
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

node corpus.mjs "$corpus_root" || exit 2
cargo fuzz build -s none -O || exit 2

passed=0
failed=0
failures=()
for target in "${targets[@]}"; do
  echo "=== fuzz $target ($mode): $what"
  mkdir -p "$corpus_root/$target" "artifacts/$target"
  log="artifacts/$target/last-run.log"
  dict=()
  case $target in parse_response | fast_path | kueue_pending_summary | lint_files) dict=(-dict=dict/json.dict) ;; esac
  if "${preload[@]}" cargo fuzz run -s none -O "$target" "$corpus_root/$target" -- "${libfuzzer_flags[@]}" \
    "${dict[@]}" "${run_flags[@]}" >"$log" 2>&1; then
    passed=$((passed + 1))
    grep -E "^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb" "$log" | tr '\n' ' '
    echo
    if [ "$mode" = ci ]; then
      # libFuzzer names each input it keeps by the SHA-1 of its bytes, so this digest of the
      # names identifies the final corpus: two runs of one commit print the same digests.
      echo "corpus digest: $(find "$corpus_root/$target" -type f -printf '%f\n' | LC_ALL=C sort | sha256sum | cut -c1-16)"
    fi
  else
    failed=$((failed + 1))
    failures+=("$target")
    tail -40 "$log"
  fi
done
[ ${#failures[@]} -gt 0 ] && echo "failing targets: ${failures[*]} (inputs in fuzz/artifacts/)"
echo "fuzz targets: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
