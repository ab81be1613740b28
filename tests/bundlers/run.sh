#!/usr/bin/env bash
# The npm package in Vite and webpack 5 apps and in TypeScript (consumers.test.mjs). Installs the
# bundlers from this folder's lock when it changed; needs the root `npm run build` (pkg/) first.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node --test consumers.test.mjs
