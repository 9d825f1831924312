#!/usr/bin/env bash
# Builds widget/ to wasm, binds it for the browser and shrinks it; the server serves
# the result from <site>/widget/. Also writes .br and .gz next to each file.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out="$FORMSEAL_SITE_DIR/widget"
cargo build -p widget --lib --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name formseal_widget \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/widget.wasm"
wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$out/formseal_widget_bg.wasm" -o "$out/formseal_widget_bg.wasm"
for f in "$out"/formseal_widget.js "$out"/formseal_widget_bg.wasm; do
  gzip -9 -k -f "$f"
  if command -v brotli >/dev/null; then brotli -q 11 -f -k "$f"; fi
done
echo "widget: $(du -b "$out/formseal_widget_bg.wasm" | cut -f1) bytes of wasm in $out"
