#!/usr/bin/env bash
# The layers depend only downwards: the core package (the repository root) must not pull in the
# wasm boundary's crates or the exporter's server stack, and no feature may remove code.
set -euo pipefail
cd "$(dirname "$0")/../.."

forbidden='^(wasm-bindgen|js-sys|web-sys|serde-wasm-bindgen|wasm-bindgen-futures|kube|kube-client|k8s-openapi|tokio|axum|hyper|kubeprom-wasm|kubeprom-lint-wasm|kubeprom-wasm-support|kubeprom-kueue-exporter)$'
status=0
check_tree() { # description, cargo tree arguments...
  local what=$1
  shift
  local tree found
  # A cargo failure (a stale lock, say) fails the check rather than reading as an empty tree.
  tree=$(cargo tree --locked -p kubeprom -e normal,build --prefix none "$@") || {
    echo "cargo tree failed ($what)"
    status=1
    return
  }
  found=$(awk '{print $1}' <<<"$tree" | sort -u | grep -E "$forbidden" || true)
  if [ -n "$found" ]; then
    echo "the core's dependencies ($what) include: $(echo "$found" | tr '\n' ' ')"
    status=1
  else
    echo "ok: the core's dependencies ($what) have no wasm or exporter crate"
  fi
}
check_tree "this host, default features"
check_tree "this host, every feature" --all-features
# On wasm32 the linter's promql-parser brings js-sys through chrono (its own dependency); the
# core without the linter has none on any target.
check_tree "every target, no default features" --no-default-features --target all

# Features only add: a `cfg(not(feature = ...))` would mean some feature takes code away.
# grep exits 1 when nothing matches and 2 when it cannot read the folders: only 1 is a pass.
rc=0
grep -rnE 'cfg\(not\(feature|cfg_attr\(not\(feature' src crates --include=*.rs || rc=$?
case $rc in
  0)
    echo "a feature removes code (above)"
    status=1
    ;;
  1) echo "ok: no cfg(not(feature ...)) in src/ or crates/" ;;
  *)
    echo "could not read src/ and crates/"
    status=1
    ;;
esac
exit $status
