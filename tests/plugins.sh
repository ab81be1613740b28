#!/usr/bin/env bash
# Installs from its lock (when the lock or package.json changed) and checks one plugin the way its README says:
# types, lint, unit tests, build, packaging and the real-browser test.
#   tests/plugins.sh headlamp|grafana
# Needs the root `npm run build` (pkg/) first.
set -euo pipefail
cd "$(dirname "$0")/.."
step() {
  echo "--- $*"
  "$@"
}
fresh() { # node_modules is at least as new as the manifests
  [ -f node_modules/.package-lock.json ] &&
    [ ! package-lock.json -nt node_modules/.package-lock.json ] &&
    [ ! package.json -nt node_modules/.package-lock.json ]
}
case "${1:-}" in
  headlamp)
    cd www/headlamp-plugin
    fresh || step npm ci --no-audit --no-fund
    export KUBEPROM_PKG=pkg
    step npm run tsc
    step npm run lint
    step npm test
    step npm run build
    step npm run package
    step npm run test:browser
    ;;
  grafana)
    cd www/grafana-panel
    fresh || step npm ci --no-audit --no-fund
    step npm run typecheck
    step npm run lint
    step npm test
    step npm run build
    step npm run test:browser
    ;;
  *)
    echo "usage: tests/plugins.sh headlamp|grafana" >&2
    exit 2
    ;;
esac
