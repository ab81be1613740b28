#!/usr/bin/env bash
# Supply-chain audits, policy in deny.toml:
#   cargo deny check bans licenses sources    always (works offline)
#   cargo deny check advisories               RustSec database: fetched from GitHub, or a local
#                                             clone given as KUBEPROM_ADVISORY_DB=/path/advisory-db
#   npm audit --omit=dev                      the root package and each plugin (shipped deps only)
# With --allow-unreachable, a database or audit endpoint that cannot be reached is reported as
# SKIPPED instead of failing (CI here reaches neither GitHub nor npm's audit endpoint); findings
# always fail. Exits non-zero on any finding.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
allow_unreachable=0
[ "${1:-}" = "--allow-unreachable" ] && allow_unreachable=1
passed=0
failed=0
skipped=0
result() { # name status
  case $2 in
    pass) passed=$((passed + 1)) ;;
    skip) skipped=$((skipped + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
  echo "--- audit $1: $2"
}
unreachable() { # name
  if [ $allow_unreachable -eq 1 ]; then result "$1" skip; else result "$1" fail; fi
}

if ! command -v cargo-deny >/dev/null; then
  echo "cargo-deny is missing: cargo install --locked cargo-deny --version 0.20.2" >&2
  exit 2
fi

echo "=== cargo deny check bans licenses sources"
if cargo deny --log-level warn check bans licenses sources; then result cargo-deny pass; else result cargo-deny fail; fi

echo "=== cargo deny check advisories"
config=deny.toml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch=()
if [ -n "${KUBEPROM_ADVISORY_DB:-}" ]; then
  # A local clone (or mirror) of rustsec/advisory-db, put where cargo-deny keeps the default
  # database (its directory name is a hash of the default URL), then used without fetching.
  # Its age is printed and allowed up to a year: an old database misses recent advisories.
  git clone --quiet --branch main "$KUBEPROM_ADVISORY_DB" "$tmp/dbs/advisory-db-3157b0e258782691" || exit 2
  git -C "$tmp/dbs/advisory-db-3157b0e258782691" log -1 --format='advisory database: %H of %cI'
  sed "s|^\[advisories\]$|[advisories]\ndb-path = \"$tmp/dbs\"\nmaximum-db-staleness = \"P365D\"|" deny.toml >"$tmp/deny.toml"
  config="$tmp/deny.toml"
  fetch=(--offline)
fi
cargo deny --log-level warn --config "$config" "${fetch[@]}" check advisories >"$tmp/advisories.log" 2>&1
rc=$?
cat "$tmp/advisories.log"
if [ $rc -eq 0 ]; then
  result cargo-deny-advisories pass
elif grep -q "failed to fetch advisory database" "$tmp/advisories.log"; then
  echo "the RustSec advisory database could not be fetched (set KUBEPROM_ADVISORY_DB to a clone)"
  unreachable cargo-deny-advisories
else
  result cargo-deny-advisories fail
fi

for dir in . www/headlamp-plugin www/grafana-panel; do
  [ -f "$dir/package-lock.json" ] || continue
  echo "=== npm audit --omit=dev in $dir"
  out=$(cd "$dir" && npm audit --omit=dev 2>&1)
  rc=$?
  echo "$out" | grep -v '^npm warn Unknown user config'
  if [ $rc -eq 0 ]; then
    result "npm-audit $dir" pass
  elif echo "$out" | grep -q "audit endpoint returned an error"; then
    echo "npm's audit endpoint could not be reached from here"
    unreachable "npm-audit $dir"
  else
    result "npm-audit $dir" fail
  fi
done

echo "audits: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
