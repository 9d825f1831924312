#!/usr/bin/env bash
# Builds widget/ to wasm, binds it for the browser and shrinks it; the server serves
# the result from <site>/widget/. File names carry a hash of their content, so they
# can be cached for a year; manifest.json names them for the server, which writes
# them into embed.js (the one short-cached URL). Also writes .br and .gz files.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out="$FORMSEAL_SITE_DIR/widget"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cargo build -p widget --lib --target wasm32-unknown-unknown --profile wasm-release
wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name formseal_widget \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/widget.wasm"
wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$tmp/formseal_widget_bg.wasm" -o "$tmp/formseal_widget_bg.wasm"

hash() { sha256sum "$1" | cut -c1-16; }
wasm="formseal_widget_bg-$(hash "$tmp/formseal_widget_bg.wasm").wasm"
# The glue's own fallback URL for the wasm (the loader passes it explicitly anyway)
# names the hashed file; the glue is hashed after that edit.
sed -i "s/formseal_widget_bg\.wasm/$wasm/g" "$tmp/formseal_widget.js"
js="formseal_widget-$(hash "$tmp/formseal_widget.js").js"

mkdir -p "$out"
rm -f "$out"/formseal_widget*  # earlier builds
mv "$tmp/formseal_widget_bg.wasm" "$out/$wasm"
mv "$tmp/formseal_widget.js" "$out/$js"
for f in "$out/$js" "$out/$wasm"; do
  gzip -9 -k -f "$f"
  if command -v brotli >/dev/null; then brotli -q 11 -f -k "$f"; fi
done
printf '{\n  "js": "%s",\n  "wasm": "%s"\n}\n' "$js" "$wasm" >"$out/manifest.json"
echo "widget: $(du -b "$out/$wasm" | cut -f1) bytes of wasm in $out ($js, $wasm)"
