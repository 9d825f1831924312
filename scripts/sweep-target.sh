#!/usr/bin/env bash
# Keeps the shared build directory from growing without bound: every change of
# code or features leaves a new ~600 MB test binary and server binary behind in
# target/debug/deps. Keeps the newest of each and drops incremental caches older
# than two days. Safe to run any time no build is running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
deps="$CARGO_TARGET_DIR/debug/deps"
[ -d "$deps" ] || exit 0
for prefix in it formseal formseal_core formseal_model vectors; do
  # Executables only (libraries and .d files are shared between builds).
  find "$deps" -maxdepth 1 -type f -executable -name "${prefix}-*" ! -name '*.*' -printf '%T@ %p\n' \
    | sort -rn | tail -n +2 | cut -d' ' -f2- | xargs -r rm -f
done
if [ -d "$CARGO_TARGET_DIR/debug/incremental" ]; then
  find "$CARGO_TARGET_DIR/debug/incremental" -mindepth 1 -maxdepth 1 -mtime +2 -exec rm -rf {} +
fi
echo "build directory: $(du -sh "$CARGO_TARGET_DIR" | cut -f1)"
