#!/usr/bin/env bash
# Builds the wasm module and its JS glue into pkg/ (what www/index.js imports), then shrinks
# it with wasm-opt -Oz. KUBEPROM_FEATURES picks cargo features (default: the crate's defaults).
set -euo pipefail
cd "$(dirname "$0")/../.."
features=()
if [ -n "${KUBEPROM_FEATURES+x}" ]; then
  features=(--no-default-features)
  [ -n "$KUBEPROM_FEATURES" ] && features+=(--features "$KUBEPROM_FEATURES")
fi
out="${KUBEPROM_OUT:-pkg}"
cargo build --lib --release --target wasm32-unknown-unknown "${features[@]}"
wasm-bindgen --target web --out-dir "$out" --out-name kubeprom --no-typescript \
  target/wasm32-unknown-unknown/release/kubeprom.wasm
# binaryen from npm (package.json pins it): Debian's wasm-opt 108 breaks wasm-bindgen's
# externref table. Rust's wasm32 target emits post-MVP features that wasm-opt must keep.
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/kubeprom_bg.wasm" -o "$out/kubeprom_bg.wasm"
raw=$(stat -c %s "$out/kubeprom_bg.wasm")
gz=$(gzip -9 -c "$out/kubeprom_bg.wasm" | wc -c)
echo "built $out/kubeprom_bg.wasm: $raw bytes, $gz bytes gzipped (features: ${KUBEPROM_FEATURES-default})"
