#!/usr/bin/env bash
# Prints the brotli size of everything a host page downloads for the widget, and
# of the personal-link page's own bundle, and fails when a figure is above its
# budget in widget/size-budget.txt. The widget's CSS is compiled into the wasm, so
# it is counted there. The loaders are measured as served: with the
# content-hashed file names the server writes into them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
dir="$FORMSEAL_SITE_DIR/widget"
budget_file=widget/size-budget.txt
name() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$dir/manifest.json"; }
js=$(name js)
wasm=$(name wasm)
link_js=$(name link_js)
link_wasm=$(name link_wasm)
br() { brotli -q 11 -c "$1" | wc -c; }
declare -A size=(
  [loader]=$(sed -e "s/formseal_widget_bg\.wasm/$wasm/" -e "s/formseal_widget\.js/$js/" server/assets/embed.js | brotli -q 11 -c | wc -c)
  [glue]=$(br "$dir/$js")
  [wasm]=$(br "$dir/$wasm")
  [link_loader]=$(sed -e "s/formseal_link_bg\.wasm/$link_wasm/" -e "s/formseal_link\.js/$link_js/" server/assets/link.js | brotli -q 11 -c | wc -c)
  [link_glue]=$(br "$dir/$link_js")
  [link_wasm]=$(br "$dir/$link_wasm")
)
size[total]=$(( size[loader] + size[glue] + size[wasm] ))
size[link_total]=$(( size[link_loader] + size[link_glue] + size[link_wasm] ))
status=0
printf '%-12s %10s %10s\n' asset brotli budget
for name in loader glue wasm total link_loader link_glue link_wasm link_total; do
  budget=$(awk -v n="$name" '$1 == n { print $2 }' "$budget_file")
  mark=""
  if [ -n "$budget" ] && [ "${size[$name]}" -gt "$budget" ]; then mark="  OVER BUDGET"; status=1; fi
  printf '%-12s %10d %10s%s\n' "$name" "${size[$name]}" "${budget:--}" "$mark"
done
exit $status
