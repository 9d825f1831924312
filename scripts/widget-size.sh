#!/usr/bin/env bash
# Prints the brotli size of everything a host page downloads for the widget, and
# fails when a figure is above its budget in widget/size-budget.txt. The widget's
# CSS is compiled into the wasm, so it is counted there. The loader is measured as
# served: with the content-hashed file names the server writes into it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
dir="$FORMSEAL_SITE_DIR/widget"
budget_file=widget/size-budget.txt
name() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$dir/manifest.json"; }
js=$(name js)
wasm=$(name wasm)
br() { brotli -q 11 -c "$1" | wc -c; }
declare -A size=(
  [loader]=$(sed -e "s/formseal_widget_bg\.wasm/$wasm/" -e "s/formseal_widget\.js/$js/" server/assets/embed.js | brotli -q 11 -c | wc -c)
  [glue]=$(br "$dir/$js")
  [wasm]=$(br "$dir/$wasm")
)
size[total]=$(( size[loader] + size[glue] + size[wasm] ))
status=0
printf '%-8s %10s %10s\n' asset brotli budget
for name in loader glue wasm total; do
  budget=$(awk -v n="$name" '$1 == n { print $2 }' "$budget_file")
  mark=""
  if [ -n "$budget" ] && [ "${size[$name]}" -gt "$budget" ]; then mark="  OVER BUDGET"; status=1; fi
  printf '%-8s %10d %10s%s\n' "$name" "${size[$name]}" "${budget:--}" "$mark"
done
exit $status
