#!/usr/bin/env bash
# Builds the two wasm modules and their JS glue into pkg/ (what www/index.js imports), each
# shrunk with wasm-opt -Oz:
#   kubeprom.js + kubeprom_bg.wasm            the core (queries, parsing, aggregation, client, Kueue)
#   kubeprom_lint.js + kubeprom_lint_bg.wasm  the linter alone (promql-parser triples the size)
# so pages that never lint never download the linter.
# Each module is its own crate (crates/kubeprom-wasm, crates/kubeprom-lint-wasm), built by its
# own cargo call so the core module never gets the linter's features.
# KUBEPROM_OUT: output folder (default pkg). KUBEPROM_LINT_MODULE=0: core only.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${KUBEPROM_OUT:-pkg}"

build() { # name crate
  local name=$1 crate=$2
  cargo build --locked --lib --release --target wasm32-unknown-unknown -p "$crate"
  wasm-bindgen --target web --out-dir "$out" --out-name "$name" --no-typescript \
    "target/wasm32-unknown-unknown/release/${crate//-/_}.wasm"
  # binaryen from npm (package.json pins it): Debian's wasm-opt 108 breaks wasm-bindgen's
  # externref table. Rust's wasm32 target emits post-MVP features that wasm-opt must keep.
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  local raw gz
  raw=$(stat -c %s "$out/${name}_bg.wasm")
  gz=$(gzip -9 -c "$out/${name}_bg.wasm" | wc -c)
  echo "built $out/${name}_bg.wasm: $raw bytes, $gz bytes gzipped"
}

# The core's glue imports src/unpack.js (the JS half of crates/kubeprom-wasm/src/packed.rs), which
# wasm-bindgen emits under snippets/<crate>-<hash>/; it becomes kubeprom_unpack.js beside the glue
# so the package lists fixed file names and copies of pkg/ (the plugins' sync) stay complete.
flatten_snippet() {
  local snippet
  snippet=$(find "$out/snippets" -path '*/src/unpack.js' | head -n 1)
  [ -n "$snippet" ] || { echo "build-wasm: no unpack.js snippet in $out/snippets" >&2; exit 1; }
  mv "$snippet" "$out/kubeprom_unpack.js"
  rm -rf "$out/snippets"
  # Only the import statements move; the module name wasm asks for (a key of the imports
  # object) stays as it is.
  sed -E -i "s#from [\"']\./snippets/kubeprom-wasm-[0-9a-f]+/src/unpack\.js[\"']#from './kubeprom_unpack.js'#" "$out/kubeprom.js"
  grep -q "from './kubeprom_unpack.js'" "$out/kubeprom.js"
  if grep -q "from [\"']\./snippets/" "$out/kubeprom.js"; then
    echo "build-wasm: the glue still imports from snippets/" >&2
    exit 1
  fi
}

build kubeprom kubeprom-wasm
flatten_snippet
if [ "${KUBEPROM_LINT_MODULE:-1}" != 0 ]; then
  build kubeprom_lint kubeprom-lint-wasm
  # Bundlers (webpack, Vite) turn a literal `new URL('x.wasm', import.meta.url)` into an asset
  # they emit or inline; for the linter that would put 1.2 MB into every plugin bundle that
  # imports kubeprom, whether it lints or not. Through a variable they leave it alone: the
  # default location stays "next to kubeprom_lint.js", and bundled hosts pass a URL to init.
  sed -i "s|new URL('kubeprom_lint_bg.wasm', import.meta.url)|new URL(lintWasmFile, import.meta.url)|" \
    "$out/kubeprom_lint.js"
  grep -q 'new URL(lintWasmFile' "$out/kubeprom_lint.js"
  grep -q '^const lintWasmFile' "$out/kubeprom_lint.js" ||
    printf '\nconst lintWasmFile = %s;\n' "'kubeprom_lint_bg.wasm'" >>"$out/kubeprom_lint.js"
else
  rm -f "$out/kubeprom_lint.js" "$out/kubeprom_lint_bg.wasm"
fi
