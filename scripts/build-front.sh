#!/usr/bin/env bash
# Builds what runs in the browser: the console's hydrate wasm and CSS (cargo-leptos,
# in its own profile and build directory) and the embeddable widget. Needs the cargo
# tools of scripts/setup.sh; shares no build directory with the host crates.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile_flag=""
[ "${1:-}" = "--release" ] && profile_flag="--release"
cargo leptos build $profile_flag --frontend-only
scripts/build-widget.sh
