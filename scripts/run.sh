#!/usr/bin/env bash
# Installs what is missing, builds, and runs Formseal on http://127.0.0.1:3000 with
# the embedded database in ./data. Extra arguments go to `formseal serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
source scripts/env.sh
exec "$CARGO_TARGET_DIR/debug/formseal" serve --site-dir "$FORMSEAL_SITE_DIR" "$@"
