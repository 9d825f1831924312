#!/usr/bin/env bash
# Builds the server with the console (cargo-leptos, debug profile unless --release)
# and the embeddable widget (always size-optimised).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile_flag=""
[ "${1:-}" = "--release" ] && profile_flag="--release"
cargo leptos build $profile_flag
scripts/build-widget.sh
