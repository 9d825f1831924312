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
mkdir -p "$out"
hash() { sha256sum "$1" | cut -c1-16; }

# Two bundles of the same crate: the landing-page widget that embed.js loads
# (`formseal_widget`), and the personal-link page's (`formseal_link`, with the
# `link-page` feature: `mount_link`, the link opening, the signer's copy), so
# landing pages never download what only the link page uses.
# bundle NAME [cargo flags]: builds, binds, shrinks; sets $js and $wasm.
bundle() {
  local name="$1"; shift
  cargo build -p widget --lib --target wasm32-unknown-unknown --profile wasm-release "$@"
  wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name "$name" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/widget.wasm"
  wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$tmp/${name}_bg.wasm" -o "$tmp/${name}_bg.wasm"
  wasm="${name}_bg-$(hash "$tmp/${name}_bg.wasm").wasm"
  # The glue's own fallback URL for the wasm (the loader passes it explicitly anyway)
  # names the hashed file; the glue is hashed after that edit.
  sed -i "s/${name}_bg\.wasm/$wasm/g" "$tmp/$name.js"
  js="$name-$(hash "$tmp/$name.js").js"
  rm -f "$out/$name"-* "$out/${name}_bg"-*  # earlier builds
  mv "$tmp/${name}_bg.wasm" "$out/$wasm"
  mv "$tmp/$name.js" "$out/$js"
  for f in "$out/$js" "$out/$wasm"; do
    gzip -9 -k -f "$f"
    if command -v brotli >/dev/null; then brotli -q 11 -f -k "$f"; fi
  done
  echo "$name: $(du -b "$out/$wasm" | cut -f1) bytes of wasm in $out ($js, $wasm)"
}

bundle formseal_link --features link-page
link_js="$js" link_wasm="$wasm"
bundle formseal_widget
printf '{\n  "js": "%s",\n  "wasm": "%s",\n  "link_js": "%s",\n  "link_wasm": "%s"\n}\n' \
  "$js" "$wasm" "$link_js" "$link_wasm" >"$out/manifest.json"
